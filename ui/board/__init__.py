"""The Class page: a class board for an instructor, joining and handing in for students."""
