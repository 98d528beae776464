"""One server, many sessions: a training run yields to other sessions' script runs."""
import threading
import time

import numpy as np

from ui.common.config import TrainConfig
from ui.common.live import SCRIPT_THREAD, YIELD_SECONDS, other_script_runs
from ui.train.session import TrainSession, build_data


def test_other_script_runs_counts_other_sessions_runs_but_not_trainers():
    release = threading.Event()
    started = []

    def run(training: bool):
        threading.current_thread().rnn_playground_training = training
        started.append(1)
        release.wait(10)

    threads = [threading.Thread(target=run, args=(t,), name=SCRIPT_THREAD) for t in (False, False, True)]
    threads.append(threading.Thread(target=run, args=(False,), name="some other thread"))
    for t in threads:
        t.start()
    while len(started) < 4:
        pass
    try:
        assert other_script_runs() == 2                      # two clicks' runs; the trainer and the rest not
    finally:
        release.set()
        for t in threads:
            t.join()
    assert other_script_runs() == 0


def test_training_pauses_after_each_iteration_while_others_wait():
    cfg = TrainConfig(hidden=4, batch=1, seq_len=5)
    sess = TrainSession()
    sess.reset_weights(cfg, build_data(cfg))
    sess.start(100_000)
    alone = sess.train_for(0.3)
    waited = sess.train_for(0.3, others_waiting=lambda: 1)
    assert alone > 150 and waited <= 0.3 / YIELD_SECONDS + 1, (alone, waited)
    assert not getattr(threading.current_thread(), "rnn_playground_training", False)


def test_a_newer_script_run_of_the_session_stops_the_training_tick_and_has_the_run_alone():
    """Streamlit can start a session's next script run (the Stop click) while the previous one is still inside
    a training tick, in another thread. The newer run asks for the run: the tick ends after its current
    iteration, and nothing trains or appends to the log while the newer run holds it (unguarded, a chart read
    the log while it grew: "IndexError: index 1657 is out of bounds for axis 0 with size 1657")."""
    cfg = TrainConfig(hidden=4, batch=1, seq_len=5)
    sess = TrainSession()
    sess.reset_weights(cfg, build_data(cfg))
    sess.start(10_000_000)
    ticking = threading.Event()

    def stale_tick():
        with sess.exclusive():
            ticking.set()
            sess.train_for(30.0)                               # a tick far longer than the wait allowed below

    old = threading.Thread(target=stale_tick)
    old.start()
    ticking.wait(10)
    while sess.iteration < 5:                                 # it is training
        pass
    t0 = time.perf_counter()
    with sess.exclusive():                                    # the newer run (this thread)
        waited = time.perf_counter() - t0
        held = sess.iteration
        sess.step_norm_matrix()
        time.sleep(0.2)
        assert sess.iteration == held and len(sess.metrics) == held    # nothing moved while held
        sess.stop()
    old.join(10)
    assert not old.is_alive() and waited < 1.0, waited
    assert sess.train_for(0.1) == 0                           # stopped: the next tick trains nothing


def _small_run(iterations: int) -> TrainSession:
    """A tiny Train session with a run of ``iterations`` started."""
    cfg = TrainConfig(hidden=4, batch=1, seq_len=5)
    sess = TrainSession()
    sess.reset_weights(cfg, build_data(cfg))
    sess.start(iterations)
    return sess


def _tick_in_another_thread(sess: TrainSession, seconds: float) -> threading.Thread:
    """A training tick in another thread (a script run Streamlit has moved on from), once it is training."""
    old = threading.Thread(target=lambda: sess.train_for(seconds))
    old.start()
    while sess.iteration < 5:
        pass
    return old


def test_exclusive_is_re_entrant_within_one_script_run():
    sess = _small_run(50)
    with sess.exclusive():                                    # the page's full run
        with sess.exclusive():                                # its fragment, in the same thread
            assert sess.train_for(5.0) == 50


def test_a_page_opened_after_train_waits_for_the_tick_it_left_behind():
    """Step through shows Train's model: a tick of the Train page the learner just left ends first."""
    from ui.common.live import end_stale_ticks

    sess = _small_run(10_000_000)
    old = _tick_in_another_thread(sess, 30.0)
    t0 = time.perf_counter()
    end_stale_ticks([None, sess])
    waited = time.perf_counter() - t0
    after = sess.iteration
    old.join(10)
    assert not old.is_alive() and waited < 1.0 and sess.iteration == after, (waited, after, sess.iteration)


def test_a_download_mid_tick_gets_the_weights_of_one_iteration_and_the_run_goes_on():
    """The model file is built in a worker thread when clicked: it waits for the tick to end (weights of one
    iteration, with that iteration's count) and stops nothing."""
    from rnn_core import load_model

    sess = _small_run(10_000_000)
    old = _tick_in_another_thread(sess, 0.5)
    raw = sess.model_bytes()
    old.join(10)
    assert sess.running                                       # the run was not stopped
    model, _ = load_model(raw)
    assert model.metadata["iterations_trained"] == sess.iteration   # after the tick: weights and count agree
    for k, v in model.params.items():
        np.testing.assert_array_equal(v, sess.model.params[k])
