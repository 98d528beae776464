"""Small helpers shared by the tests."""
import numpy as np

from rnn_core.gradcheck import numerical_grads, relative_error


def assert_grads_match(model, inputs, targets, loss="many_to_many", tol=1e-6, **state):
    """Analytic gradients against central finite differences, per parameter, float64."""
    _, grads, _ = model.loss_and_grads(inputs, targets, loss, **state)
    num = numerical_grads(model, inputs, targets, loss, **state)
    assert set(grads) == set(model.params)
    for k in grads:
        assert grads[k].shape == model.params[k].shape
        err = relative_error(grads[k], num[k])
        assert err < tol, f"{k}: relative error {err:.2e}"
        np.testing.assert_allclose(grads[k], num[k], rtol=1e-5, atol=1e-8)
