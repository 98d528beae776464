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


APP = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "app.py")


def open_page(path: str, timeout: int = 120, **query):
    """AppTest of the whole app (query parameters first), switched to the page file ``path``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def click(at, label: str):
    """Click the button labelled ``label`` and rerun; the run must raise nothing."""
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def push_to_divergence(at):
    """Train's sidebar set for a run that diverges: relu, learning rate 100, SGD, no clipping, rho 2.5."""
    at.selectbox(key="tr_activation").set_value("relu").run()
    at.select_slider(key="tr_lr").set_value(100.0).run()
    at.selectbox(key="tr_optimizer").set_value("sgd").run()
    at.select_slider(key="tr_clip").set_value(0.0).run()
    at.slider(key="tr_rho").set_value(2.5).run()


def finish_run(at, key: str = "train_session", timeout: float = 300.0):
    """Wait until the page's run has ended in its training worker, then rerun the page so it draws the last
    view (AppTest does not fire the live charts' timer); returns the session's handle."""
    at.session_state[key].wait(timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    return at.session_state[key]
