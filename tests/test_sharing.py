"""One server, many sessions: live training runs in a pool of worker processes, in turns, and a page reads
only the views its own job published (ui/common/driver.py, ui/common/worker.py)."""
import gc
import os
import time

import numpy as np
import pytest

from rnn_core import load_model
from ui.common.config import TrainConfig
from ui.common.driver import TrainingPool
from ui.common.memory import held_bytes
from ui.train.session import TrainRun, TrainSession, build_data

CFG = TrainConfig(hidden=8, batch=2, seq_len=6)


@pytest.fixture(scope="module")
def pool():
    p = TrainingPool(workers=1)
    yield p
    p.stop()


def _run(pool, iterations: int, cfg: TrainConfig = CFG) -> TrainRun:
    """A session's Train job with fresh weights and a run of ``iterations`` started."""
    run = TrainRun(pool)
    run.reset_weights(cfg, build_data(cfg))
    run.start(iterations)
    return run


def test_runs_on_one_worker_take_turns_and_each_says_where_it_stands(pool):
    a, b = _run(pool, 10_000_000), _run(pool, 10_000_000)
    try:
        a.wait(lambda v: v.iteration > 50)
        b.wait(lambda v: v.iteration > 50)                    # b trains too, while a's run goes on
        ia, ib = a.iteration, b.iteration
        time.sleep(1.5)
        da, db = a.iteration - ia, b.iteration - ib
        assert da > 0 and db > 0 and 0.4 < da / db < 2.5, (da, db)    # round robin: about equal shares
        qa, qb = a.queue, b.queue
        assert qa.running and qb.running and qa.sharing == qb.sharing == 2 and {qa.position, qb.position} <= {0, 1}
        assert qa.workers == 1 and qa.busy == 1
    finally:
        a.stop()
        b.stop()
    assert not a.queue.running and a.queue.sharing == 0


def test_a_command_mid_run_is_answered_between_two_iterations(pool):
    run = _run(pool, 10_000_000)
    run.wait(lambda v: v.iteration > 20)
    t0 = time.perf_counter()
    run.stop()                                               # the view that answers it is the job's latest
    waited = time.perf_counter() - t0
    stopped = run.view
    assert not stopped.running and waited < 1.0 and stopped.runs[-1]["to iteration"] == stopped.iteration
    time.sleep(0.3)
    assert run.iteration == stopped.iteration                # nothing trains after Stop


def test_a_view_never_changes_after_it_is_published(pool):
    run = _run(pool, 10_000_000)
    try:
        held = run.wait(lambda v: v.iteration > 30)
        n, frame, steps = held.iteration, held.metrics_frame().copy(), held.step_norm_matrix().copy()
        run.wait(lambda v: v.iteration > n + 200)            # hundreds more iterations appended since
        assert held.iteration == n and held.metrics_frame().equals(frame)
        np.testing.assert_array_equal(held.step_norm_matrix(), steps)
        now = run.view
        first = now.metrics_frame()["iteration"].tolist()[: len(frame)]
        assert now is not held and first == frame["iteration"].tolist()
    finally:
        run.stop()


def test_a_download_mid_run_holds_the_weights_of_one_iteration_and_the_run_goes_on(pool):
    """The model file is built by the worker between two iterations: its weights are exactly those the run had
    after the iteration count it states (the same run replayed here stops there and matches it bit for bit)."""
    from threadpoolctl import threadpool_limits

    run = _run(pool, 10_000_000)
    run.wait(lambda v: v.iteration > 40)
    raw = run.model_bytes()
    assert run.running                                       # the download did not stop the run
    run.stop()
    model, _ = load_model(raw)
    k = model.metadata["iterations_trained"]
    assert k > 40
    replay = TrainSession()
    replay.reset_weights(CFG, build_data(CFG))
    replay.start(k)
    with threadpool_limits(1):                               # as in the worker: one BLAS thread
        while replay.running:
            replay.train_for(30.0)
    assert replay.iteration == k
    for name, w in model.params.items():
        np.testing.assert_array_equal(w, replay.model.params[name], err_msg=name)


def test_one_sessions_job_holds_nothing_of_anothers(pool):
    """Each session reaches only its own job, by an id drawn from ``secrets``; what a handle holds does not
    grow when another session trains a big model."""
    a, b = TrainRun(pool), TrainRun(pool)
    assert a._job.id != b._job.id and len(a._job.id) >= 32
    a.reset_weights(CFG, build_data(CFG))
    before = held_bytes(a)
    big = TrainConfig(hidden=256, batch=2, seq_len=6)
    b.reset_weights(big, build_data(big))
    b.start(3)
    b.wait()
    assert abs(held_bytes(a) - before) < 1_000 and held_bytes(b) > before + 300_000   # b's weights are b's alone
    assert a.model.hidden_size == 8 and b.model.hidden_size == 256


def test_a_session_that_ends_gives_its_job_back(pool):
    run = TrainRun(pool)
    job = run._job.id
    assert job in pool._jobs
    del run
    gc.collect()                                             # the session's state went: its handle with it
    other = TrainRun(pool)                                   # the pool lets the job go at its next action
    assert job not in pool._jobs and other._job.id in pool._jobs


def test_a_worker_that_stops_is_replaced_and_its_pages_are_told():
    pool = TrainingPool(workers=1)
    try:
        run = _run(pool, 10_000_000)
        run.wait(lambda v: v.iteration > 5)
        pool._workers[run._job.worker].process.kill()
        view = run.wait(lambda v: v.error is not None, timeout=30)
        assert "stopped unexpectedly" in view.error and not view.running
        run.reset_weights(CFG, build_data(CFG))              # the next command makes the job anew
        assert run.error is None and run.iteration == 0 and run.model.hidden_size == 8
    finally:
        pool.stop()


def test_workers_run_below_the_servers_priority_with_one_blas_thread(pool):
    run = TrainRun(pool)
    pid = pool._workers[run._job.worker].process.pid
    assert os.getpriority(os.PRIO_PROCESS, pid) >= os.getpriority(os.PRIO_PROCESS, 0) + pool.nice - 1
    env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
    assert b"OPENBLAS_NUM_THREADS=1" in env


def test_a_run_no_page_shows_any_more_stops_and_keeps_its_updates():
    """A closed tab stops renewing its run's lease (app.py's heartbeat, the live charts' redraws): the worker then
    stops the run as Stop would, its updates and run history kept."""
    pool = TrainingPool(workers=1, lease=1.5)
    try:
        run = _run(pool, 10_000_000)
        run.wait(lambda v: v.iteration > 5)                  # waiting shows the run: it goes on
        seen = run.iteration
        time.sleep(3.0)                                       # nobody shows it for longer than its lease
        view = run.view
        assert not view.running and view.iteration >= seen and view.runs[-1]["to iteration"] == view.iteration
    finally:
        pool.stop()
