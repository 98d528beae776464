"""Home: the sushi sentence with the demo model's answer."""
