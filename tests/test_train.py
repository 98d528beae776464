"""Training loop: truncated BPTT, determinism, stopping, the NaN guard, and completion."""
import numpy as np
import pytest

from rnn_core import Vocab, make_model
from rnn_core.data import CORPORA, TokenStream
from rnn_core.sampling import complete, next_token_distribution
from rnn_core.train import Trainer


def test_token_stream_rows_and_chunks():
    ids = np.arange(101)
    s = TokenStream(ids, batch=4, seq_len=10)          # rows of 25 inputs -> 2 chunks of 10
    b1, b2, b3 = s.next_batch(), s.next_batch(), s.next_batch()
    assert b1.inputs.shape == (4, 10) and not b1.carry and b2.carry and not b3.carry
    np.testing.assert_array_equal(b1.inputs[1], np.arange(25, 35))
    np.testing.assert_array_equal(b1.targets, b1.inputs + 1)
    np.testing.assert_array_equal(b2.inputs[0], np.arange(10, 20))   # row 0 continues
    np.testing.assert_array_equal(b3.inputs, b1.inputs)              # wraps around


def test_trainer_carries_state_between_chunks_not_gradient():
    """Iteration 2's loss equals loss_and_grads on chunk 2 from chunk 1's final state (after update 1)."""
    ids = np.random.default_rng(0).integers(0, 6, 200)
    model = make_model("rnn", 6, 5, seed=0)
    stream = TokenStream(ids, 2, 10)
    tr = Trainer(model, stream, "sgd", 0.1, None)
    rec1 = next(tr.run(1))
    state = tr._state
    ref = model.copy()
    b2 = TokenStream(ids, 2, 10)
    b2.next_batch()
    chunk2 = b2.next_batch()
    expect = ref.loss_and_grads(chunk2.inputs, chunk2.targets, **state)[0]
    rec2 = next(tr.run(1))
    assert rec1.iteration == 1 and rec2.iteration == 2
    assert rec2.loss == pytest.approx(expect, rel=1e-12)


def _cuisine():
    text = CORPORA["cuisine"].read()
    v = Vocab.from_text(text)
    return v, v.encode(text)


def test_loss_falls_and_records_are_complete():
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 32, seed=0, dtype=np.float32)
    recs = list(Trainer(model, TokenStream(ids, 8, 16), "adam", 0.01, 5.0).run(150))
    assert len(recs) == 150 and [r.iteration for r in recs] == list(range(1, 151))
    assert np.mean([r.loss for r in recs[-20:]]) < 0.6 * recs[0].loss
    assert recs[0].loss == pytest.approx(np.log(len(v)), rel=0.1)   # starts near uniform
    r = recs[-1]
    assert r.grad_norm_per_step.shape == (16,) and r.tokens == 150 * 8 * 16 and r.elapsed > 0
    assert r.diverged is None


def test_training_is_deterministic():
    v, ids = _cuisine()
    runs = []
    for _ in range(2):
        model = make_model("rnn", len(v), 16, seed=5, dtype=np.float64)
        losses = [r.loss for r in Trainer(model, TokenStream(ids, 4, 12), "adam", 0.01, 1.0).run(30)]
        runs.append((losses, model.params["W_hh"].copy()))
    assert runs[0][0] == runs[1][0]
    assert np.array_equal(runs[0][1], runs[1][1])


def test_stopping_early_keeps_the_trained_weights():
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 16, seed=1)
    before = model.params["W_hh"].copy()
    tr = Trainer(model, TokenStream(ids, 4, 12), "adam", 0.01, 5.0)
    for rec in tr.run(1000):
        if rec.iteration == 7:
            break
    assert tr.iteration == 7 and not np.array_equal(model.params["W_hh"], before)
    snapshot = model.copy()
    rec = next(tr.run(5))                      # continues where it stopped
    assert rec.iteration == 8
    assert not np.array_equal(model.params["W_hh"], snapshot.params["W_hh"])


def test_clipping_is_reported():
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 16, seed=1)
    recs = list(Trainer(model, TokenStream(ids, 4, 12), "sgd", 0.1, 1e-3).run(3))
    assert all(r.clipped and r.grad_norm > 1e-3 for r in recs)


def test_divergence_keeps_last_good_weights_and_says_where():
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 16, "relu", seed=0, spectral_radius=3.0)
    tr = Trainer(model, TokenStream(ids, 4, 20), "sgd", 1e6, None)
    with np.errstate(all="ignore"):
        recs = list(tr.run(50))
    last = recs[-1]
    assert last.diverged and "iteration" in last.diverged and len(recs) < 50
    assert all(np.isfinite(p).all() for p in model.params.values())
    assert tr.diverged == last.diverged
    # a lower rate continues from the kept weights
    tr.set_lr(1e-3)
    rec = next(tr.run(1))
    assert np.isfinite(rec.loss) and rec.diverged is None


def test_nan_in_the_forward_pass_names_the_time_step():
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 8, "relu", seed=0)
    model.params["W_hh"][:] = 1e30                      # overflows after a few steps
    model.params["W_xh"][:] = 1.0
    tr = Trainer(model, TokenStream(ids, 2, 10), "sgd", 0.1, None)
    with np.errstate(all="ignore"):
        recs = list(tr.run(3))
    assert len(recs) == 1 and "time step" in recs[0].diverged and "iteration 1" in recs[0].diverged
    assert model.params["W_hh"][0, 0] == 1e30          # weights untouched (last good = initial)


def _nan_on_call(model, n: int):
    """Make the n-th loss_and_grads call (1-based) return a NaN loss, as a real overflow would."""
    real, calls = model.loss_and_grads, [0]

    def patched(*args, **kwargs):
        calls[0] += 1
        loss, grads, diag = real(*args, **kwargs)
        return (float("nan") if calls[0] == n else loss), grads, diag
    model.loss_and_grads = patched


def test_a_non_finite_loss_rolls_back_to_weights_whose_loss_was_finite_and_counts_them():
    """Iteration 1 updates w0 -> w1; w1's loss is NaN at iteration 2: the model goes back to w0, and
    the trainer's count says 0 updates, as the weights are (the count once said 1 with w0's bytes)."""
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 8, seed=0)
    w0 = {k: p.copy() for k, p in model.params.items()}
    _nan_on_call(model, 2)
    tr = Trainer(model, TokenStream(ids, 2, 10), "sgd", 0.1, None)
    recs = list(tr.run(5))
    assert [r.iteration for r in recs] == [1, 2] and recs[-1].diverged and "iteration 2" in recs[-1].diverged
    assert tr.iteration == 0 and tr.tokens == 0
    assert all(np.array_equal(model.params[k], w0[k]) for k in w0)
    rec = next(tr.run(1))                               # continuing counts from the kept weights
    assert rec.iteration == 1 and rec.diverged is None


def test_non_finite_weights_roll_back_one_update_and_count_it():
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 8, seed=0, dtype=np.float32)
    tr = Trainer(model, TokenStream(ids, 2, 10), "sgd", 0.1, None)
    list(tr.run(3))
    w3 = {k: p.copy() for k, p in model.params.items()}
    tr.set_lr(1e300)                                     # inf in float32: the update overflows
    with np.errstate(all="ignore"):
        recs = list(tr.run(5))
    assert len(recs) == 1 and recs[0].iteration == 4 and "non-finite" in recs[0].diverged
    assert tr.iteration == 3 and all(np.array_equal(model.params[k], w3[k]) for k in w3)


def test_completion_greedy_and_sampled():
    v, ids = _cuisine()
    model = make_model("rnn", len(v), 16, seed=0)
    p = next_token_distribution(model, v, "my favourite dish is")
    assert p.shape == (len(v),) and p.sum() == pytest.approx(1.0)
    greedy = complete(model, v, "my favourite dish is", 3)
    assert len(greedy) == 3 and greedy[0] == v.tokens[int(np.argmax(p))]
    s1 = complete(model, v, "my favourite dish is", 5, "sample", temperature=1.5, top_k=3, seed=1)
    s2 = complete(model, v, "my favourite dish is", 5, "sample", temperature=1.5, top_k=3, seed=1)
    assert s1 == s2
    top3 = set(np.argsort(p)[-3:])
    assert v.encode([s1[0]])[0] in top3
    with pytest.raises(ValueError):
        complete(model, v, "   ", 1)


@pytest.mark.parametrize("cell, H, V, B, T", [("rnn", 64, 2000, 16, 40), ("rnn", 128, 9, 32, 200),
                                              ("lstm", 128, 200, 16, 60), ("gru", 64, 9, 32, 150)])
def test_memory_estimate_bounds_the_measured_peak(cell, H, V, B, T):
    """estimate_bytes is above what one iteration really allocates (tracemalloc), and within 3x of it."""
    import tracemalloc

    from rnn_core.train import estimate_bytes

    model = make_model(cell, V, H, seed=0, dtype=np.float32)
    ids = np.random.default_rng(0).integers(0, V, B * T * 3)
    tr = Trainer(model, TokenStream(ids, B, T), "adam", 0.01, 5.0)
    next(tr.run(1))                                     # optimizer state exists from here on
    tracemalloc.start()
    try:
        next(tr.run(1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    est = estimate_bytes(cell, H, V, B, T, np.float32)
    assert peak < est < 3 * peak, (peak, est)


def test_weight_decay_shrinks_the_weight_matrices_before_each_step():
    """Decoupled weight decay (as AdamW): W := (1 - lr wd) W, then the optimizer's step with the gradient of the loss
    at the weights before the shrink; biases are not decayed."""
    from rnn_core.optim import clip_by_global_norm, make_optimizer

    ids = np.random.default_rng(0).integers(0, 6, 200)
    model = make_model("gru", 6, 5, seed=0)
    ref = model.copy()
    next(Trainer(model, TokenStream(ids, 2, 10), "adam", 0.05, 1.0, weight_decay=2.0).run(1))
    batch = TokenStream(ids, 2, 10).next_batch()
    _, grads, _ = ref.loss_and_grads(batch.inputs, batch.targets)
    clip_by_global_norm(grads, 1.0)
    for k, p in ref.params.items():
        if k.startswith("W_"):
            p *= 1 - 0.05 * 2.0
    make_optimizer("adam", 0.05).step(ref.params, grads)
    for k in model.params:
        np.testing.assert_allclose(model.params[k], ref.params[k], rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="weight_decay"):
        Trainer(model, TokenStream(ids, 2, 10), weight_decay=-1)
