"""One server, many sessions: a training run yields to other sessions' script runs."""
import threading

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
