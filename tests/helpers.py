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


def decode_plotly(value):
    """Plotly 7 encodes arrays as {"dtype", "bdata", "shape"}; return a NumPy array (lists pass through)."""
    import base64

    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            arr = arr.reshape([int(s) for s in str(value["shape"]).split(",")])
        return arr
    return np.asarray(value) if isinstance(value, list) else value


def app_figures(at) -> dict:
    """Title text -> figure dict for every Plotly chart an AppTest run rendered."""
    import json

    out = {}
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        title = fig.get("layout", {}).get("title", {}).get("text", "")
        out[title] = fig
    return out
