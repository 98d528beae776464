"""Train: BPTT live, with the loss and the gradient norm at every time step."""
