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
