"""The run store (rnn_core/store.py), every test against both back ends: SQLite (a file in a temporary folder)
and PostgreSQL (Debian's, started by the tests: tests/pg_server.py)."""
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rnn_core import store as st
from rnn_core.store import Limits, NotFound, Refused, Settings, Store, StoreError, StoreFull, Superseded

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self, t=1_000_000.0):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path):
    """Store settings for a fresh, empty store on each back end."""
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "data")
    server = request.getfixturevalue("postgres")
    return Settings(database_url=server.create_database("store_test"))


def make(settings, clock=None, **limits):
    from dataclasses import replace

    return Store(replace(settings, limits=Limits(**limits)) if limits else settings, clock=clock or Clock())


def _rows_text(settings) -> str:
    """Every text value of every table, as one string (what someone reading the database would see)."""
    tables = ["runs", "shares", "classes", "members", "handins", "meta"]
    out = []
    if settings.database_url:
        import psycopg
        with psycopg.connect(settings.database_url) as conn:
            for t in tables:
                out += [str(v) for row in conn.execute(f"SELECT * FROM {t}").fetchall() for v in row]
    else:
        conn = sqlite3.connect(Path(settings.data_dir) / st.FILE_NAME)
        for t in tables:
            out += [str(v) for row in conn.execute(f"SELECT * FROM {t}").fetchall() for v in row]
        conn.close()
    return "\n".join(out)


def _execute(settings, sql: str) -> None:
    if settings.database_url:
        import psycopg
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(sql)
    else:
        conn = sqlite3.connect(Path(settings.data_dir) / st.FILE_NAME)
        conn.execute(sql)
        conn.commit()
        conn.close()


def test_a_run_round_trips_and_one_writer_holds_it(settings):
    s = make(settings)
    run, me = st.new_id(), st.new_id()
    s.save_run(run, me, "train", {"iteration": 20}, b"state-1")
    rec = s.open_run(run)
    assert (rec.kind, rec.summary, rec.state) == ("train", {"iteration": 20}, b"state-1")
    s.save_run(run, me, "train", {"iteration": 40}, b"state-2")          # the same writer saves on
    assert s.open_run(run).state == b"state-2"
    other = st.new_id()
    assert s.open_run(run, writer=other).state == b"state-2"           # opened elsewhere: that one holds it now
    assert s.claim_run(run, other) and not s.claim_run(st.new_id(), other)
    with pytest.raises(Superseded):
        s.save_run(run, me, "train", {"iteration": 60}, b"stale")        # the old writer cannot overwrite it
    s.save_run(run, other, "train", {"iteration": 60}, b"state-3")
    assert s.open_run(run).state == b"state-3"


def test_ids_are_unguessable_and_the_database_holds_none_of_them(settings):
    s = make(settings)
    ids = {st.new_id() for _ in range(1000)}
    assert len(ids) == 1000 and min(len(i) for i in ids) >= 32             # 192 random bits each
    run, writer = st.new_id(), st.new_id()
    s.save_run(run, writer, "train", {}, b"x")
    share = s.share(run, "train", "my model", b"y")
    code, secret = s.create_class("Period 3")
    member = s.join(code, "ada")
    text = _rows_text(settings)
    for token in (run, writer, share, secret, member):
        assert token not in text                                            # only their SHA-256 is stored
    assert code in text                                                     # the join code is not a secret
    # no method of the store lists ids: its whole public surface
    public = {n for n in dir(Store) if not n.startswith("_")}
    assert public == {"backend", "board", "claim_run", "close", "create_class", "delete_run", "hand_in", "join",
                      "member", "my_handins", "normal_code", "open_run", "open_share", "prune", "save_run", "share",
                      "usage", "withdraw"}
    assert s.usage()["runs"] == (1, 1)                                      # counts and bytes, never which


def test_an_unknown_id_reads_nothing(settings):
    s = make(settings)
    run = st.new_id()
    s.save_run(run, st.new_id(), "train", {}, b"mine")
    for wrong in (st.new_id(), run[:-1], run + "x", "", "' OR 1=1 --"):
        with pytest.raises(NotFound):
            s.open_run(wrong)
        with pytest.raises(NotFound):
            s.open_share(wrong)
        with pytest.raises(NotFound):
            s.board(wrong)


def test_a_run_over_the_row_limit_is_refused_and_nothing_changes(settings):
    s = make(settings, max_row_bytes=1000)
    run, w = st.new_id(), st.new_id()
    s.save_run(run, w, "train", {"n": 1}, b"a" * 900)
    with pytest.raises(Refused, match="more than the 0.001 MB"):
        s.save_run(run, w, "train", {"n": 2}, b"a" * 1001)
    assert s.open_run(run).summary == {"n": 1}


def test_past_the_total_the_oldest_rows_go_first(settings):
    clock = Clock()
    s = make(settings, clock, max_total_bytes=3500)
    runs = [st.new_id() for _ in range(5)]
    for i, run in enumerate(runs):
        clock.t += 10
        s.save_run(run, "w", "train", {"i": i}, bytes([i]) * 1000)
    kept = []
    for run in runs:
        try:
            kept.append(s.open_run(run).summary["i"])
        except NotFound:
            pass
    assert kept == [2, 3, 4]                                              # 3,000 bytes: the three newest
    clock.t += 10
    s.save_run(runs[2], "w", "train", {"i": 2}, b"\2" * 1000)             # written again: now the newest
    clock.t += 10
    s.save_run(st.new_id(), "w", "train", {"i": 5}, b"\5" * 1000)
    with pytest.raises(NotFound):
        s.open_run(runs[3])                                               # the oldest written went
    assert s.open_run(runs[2]).summary == {"i": 2}


def test_prune_drops_what_is_past_the_age(settings):
    clock = Clock()
    s = make(settings, clock, max_age_days=1.0)
    old, new = st.new_id(), st.new_id()
    s.save_run(old, "w", "train", {}, b"old")
    share = s.share(old, "train", "old model", b"old")
    code, secret = s.create_class("Old class")
    member = s.join(code, "bo")
    s.hand_in(member, "lessons", {"rows": []})
    clock.t += 2 * st.DAY
    gone = s.prune()
    s.save_run(new, "w", "train", {}, b"new")
    assert gone["runs"] == 1 and gone["shares"] == 1 and gone["classes"] == 1 and gone["handins"] == 1
    for call in (lambda: s.open_run(old), lambda: s.open_share(share), lambda: s.board(secret),
                 lambda: s.member(member)):
        with pytest.raises(NotFound):
            call()
    assert s.open_run(new).state == b"new"


def test_a_model_link_is_a_frozen_copy_only_its_runs_holder_withdraws(settings):
    s = make(settings)
    run, w = st.new_id(), st.new_id()
    s.save_run(run, w, "train", {}, b"v1")
    link = s.share(run, "train", "RNN after 20 iterations", b"v1")
    s.save_run(run, w, "train", {}, b"v2")                                # the owner trains on
    shared = s.open_share(link)
    assert (shared.kind, shared.label, shared.state) == ("train", "RNN after 20 iterations", b"v1")
    assert not s.withdraw(link, st.new_id())                              # someone else cannot withdraw it
    assert s.open_share(link).state == b"v1"
    assert s.withdraw(link, run)
    with pytest.raises(NotFound, match="withdrew"):
        s.open_share(link)


def test_a_class_students_hand_ins_and_the_board(settings):
    clock = Clock()
    s = make(settings, clock)
    code, secret = s.create_class("  Period\t3  ")
    assert len(code) == st.CODE_LENGTH and set(code) <= set(st.CODE_ALPHABET)
    ada = s.join(code.lower(), "ada")                                    # codes are read in any case
    clock.t += 1
    bob = s.join(f" {code[:3]}-{code[3:]} ", '<b onmouseover="x">bob</b>')
    with pytest.raises(Refused, match="already called ada"):
        s.join(code, "ada")
    with pytest.raises(NotFound):
        s.join("ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY", "cy")
    with pytest.raises(ValueError, match="nickname is empty"):
        s.join(code, " \x00\u200b ")
    s.hand_in(ada, "run", {"final loss": 1.5}, b"curve-a")
    with pytest.raises(Refused, match="a moment ago"):
        s.hand_in(ada, "run", {"final loss": 1.4}, b"curve-a2")           # rate: one hand-in per 5 s
    clock.t += st.HANDIN_EVERY
    s.hand_in(ada, "lessons", {"rows": [{"lesson": "Softmax"}]})
    clock.t += 1
    s.hand_in(bob, "run", {"final loss": 2.5}, b"curve-b")
    with pytest.raises(Refused, match="MB"):
        s.hand_in(bob, "run", {}, b"x" * (st.MAX_HANDIN_BYTES + 1))
    mine = s.my_handins(ada)                                              # a student sees only their own
    assert [(h.nickname, h.kind) for h in mine] == [("ada", "run"), ("ada", "lessons")]
    assert [h.nickname for h in s.my_handins(bob)] == ['<b onmouseover="x">bob</b>']    # stored as plain text
    board = s.board(secret)
    assert board.name == "Period 3" and board.code == code
    assert [m for m, _ in board.members] == ["ada", '<b onmouseover="x">bob</b>']
    assert [(h.nickname, h.kind, h.data) for h in board.handins] == [
        ("ada", "run", b"curve-a"), ("ada", "lessons", b""), ('<b onmouseover="x">bob</b>', "run", b"curve-b")]
    assert s.member(bob).class_name == "Period 3"


def test_hand_ins_per_student_and_students_per_class_are_bounded(settings):
    from dataclasses import replace

    clock = Clock()
    s = Store(replace(settings, limits=Limits(max_class_members=2, max_handins_per_member=2)), clock=clock)
    code, _ = s.create_class("c")
    a = s.join(code, "a")
    s.join(code, "b")
    with pytest.raises(Refused, match="class is full"):
        s.join(code, "c")
    for _ in range(2):
        s.hand_in(a, "lessons", {})
        clock.t += 10
    with pytest.raises(Refused, match="handed in 2 times"):
        s.hand_in(a, "lessons", {})


def test_damaged_bytes_are_named_never_handed_on(settings):
    s = make(settings)
    run = st.new_id()
    s.save_run(run, "w", "train", {}, b"good bytes")
    _execute(settings, "UPDATE runs SET digest = 'f' || substr(digest, 2)")
    with pytest.raises(StoreError, match="damaged"):
        s.open_run(run)


# ----- a crash mid-write and a full disk ----------------------------------------------------------------
CRASH = """
import os, signal, sys
from rnn_core import store as st

s = st.Store(st.Settings(data_dir={data_dir!r}, database_url={url!r}))
s.save_run("RUN", "W", "train", {{"n": 1}}, b"committed" * 1000)


def crash(q, keep):                      # the new row is written, the transaction not yet committed
    print("mid-write", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


s._make_room = lambda q, keep: crash(q, keep)
s.save_run("RUN", "W", "train", {{"n": 2}}, b"half-written" * 100_000)
"""


def test_a_crash_mid_write_leaves_the_last_committed_run(settings):
    code = CRASH.format(data_dir=str(settings.data_dir) if settings.data_dir else None, url=settings.database_url)
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == -9 and "mid-write" in r.stdout, r.stderr           # killed inside the transaction
    s = make(settings)
    rec = s.open_run("RUN")
    assert rec.summary == {"n": 1} and rec.state == b"committed" * 1000
    if not settings.database_url:
        conn = sqlite3.connect(Path(settings.data_dir) / st.FILE_NAME)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
    s.save_run("RUN", "W", "train", {"n": 3}, b"after")                      # and it writes on
    assert s.open_run("RUN").summary == {"n": 3}


def _fill_the_disk(settings, s: Store) -> None:
    """The back end's own full-disk error from here on: SQLite's SQLITE_FULL (the file may not grow: a page limit
    at its current size), PostgreSQL's disk_full (SQLSTATE 53100, raised where a write would extend a file)."""
    if settings.database_url:
        _execute(settings, "CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
                           "'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$ "
                           "LANGUAGE plpgsql")
        for table in ("runs", "shares", "handins"):
            _execute(settings, f"CREATE TRIGGER full_{table} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW "
                               "EXECUTE FUNCTION full_disk()")
    else:
        pages = s.db.conn.execute("PRAGMA page_count").fetchone()[0]
        s.db.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_says_so_and_corrupts_nothing(settings):
    s = make(settings)
    run, other = st.new_id(), st.new_id()
    s.save_run(run, "w", "train", {"n": 1}, b"kept" * 1000)
    _fill_the_disk(settings, s)
    with pytest.raises(StoreFull, match="disk is full"):
        s.save_run(run, "w", "train", {"n": 2}, os.urandom(400_000))
    with pytest.raises(StoreFull):
        s.save_run(other, "w", "train", {}, os.urandom(400_000))
    rec = s.open_run(run)
    assert rec.summary == {"n": 1} and rec.state == b"kept" * 1000
    with pytest.raises(NotFound):
        s.open_run(other)
    if not settings.database_url:
        assert s.db.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_settings_from_the_environment(monkeypatch, tmp_path):
    for name in ("RNN_PLAYGROUND_STORE", "RNN_PLAYGROUND_DATABASE_URL", "RNN_PLAYGROUND_STORE_MAX_RUN_MB",
                 "RNN_PLAYGROUND_STORE_MAX_TOTAL_MB", "RNN_PLAYGROUND_STORE_MAX_AGE_DAYS", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RNN_PLAYGROUND_DATA_DIR", str(tmp_path))
    s = Settings.from_env()
    assert s.enabled and s.data_dir == tmp_path and s.database_url is None and s.limits == Limits()
    monkeypatch.delenv("RNN_PLAYGROUND_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings.from_env().data_dir == tmp_path / "xdg" / "rnn-playground"
    monkeypatch.setenv("RNN_PLAYGROUND_DATABASE_URL", "postgresql://me:pw@db/rnnp")
    monkeypatch.setenv("RNN_PLAYGROUND_STORE_MAX_TOTAL_MB", "500")
    s = Settings.from_env()
    assert s.describe() == "PostgreSQL at postgresql://db/rnnp" and s.limits.max_total_bytes == 500_000_000
    monkeypatch.setenv("RNN_PLAYGROUND_STORE", "off")
    assert not Settings.from_env().enabled
    with pytest.raises(StoreError, match="turned off"):
        Store(Settings.from_env())
    monkeypatch.setenv("RNN_PLAYGROUND_STORE_MAX_AGE_DAYS", "-1")
    with pytest.raises(ValueError, match="must be above 0"):
        Settings.from_env()


def test_two_stores_on_one_sqlite_file_see_each_others_writes(tmp_path):
    """Several app processes of one host share the SQLite file (WAL)."""
    a, b = Store(Settings(data_dir=tmp_path)), Store(Settings(data_dir=tmp_path))
    run = st.new_id()
    a.save_run(run, "w", "train", {"from": "a"}, b"a")
    assert b.open_run(run).summary == {"from": "a"}
    assert a.db.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_prune_command(tmp_path):
    clock = Clock(1_000.0)
    s = Store(Settings(data_dir=tmp_path), clock=clock)
    s.save_run(st.new_id(), "w", "train", {}, b"x" * 10)               # written at t=1000 s: long ago
    env = {**os.environ, "RNN_PLAYGROUND_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "rnn_core", "prune"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"SQLite at {tmp_path}" in r.stdout and "removed 1 runs" in r.stdout and "left: 0 runs" in r.stdout
    r = subprocess.run([sys.executable, "-m", "rnn_core", "prune", "--max-age-days", "-3"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "rnn-core: error: argument --max-age-days" in r.stderr
