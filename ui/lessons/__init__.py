"""The Lessons page: one idea a screen, a question before the answer, a record to hand in."""
