"""Generate: one-to-many, the model's own outputs fed back as its next inputs."""
