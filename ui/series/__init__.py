"""The Time series page: a regression model on a series of numbers, trained live."""
