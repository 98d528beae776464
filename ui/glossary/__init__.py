"""Glossary: the core terms in the app's six languages, with their symbols in both notations."""
