"""The run store: trained runs, model links and classes kept between sessions, in SQLite or PostgreSQL.

One small interface (``Store``) over two back ends with the same tables and the same SQL:

- **SQLite** by default: one file, ``runs.sqlite3``, in the data folder (``RNN_PLAYGROUND_DATA_DIR``; by default
  ``$XDG_DATA_HOME/rnn-playground``, or ``~/.local/share/rnn-playground``), in WAL mode, so several processes of
  one host share it and a reader never waits for a writer.
- **PostgreSQL** when a database URL is set (``RNN_PLAYGROUND_DATABASE_URL``, e.g.
  ``postgresql://rnnp@db/rnnp``): for several app processes or hosts behind one proxy. Needs psycopg.

What it keeps, each under an unguessable id from ``secrets`` whose SHA-256 alone is stored (whoever holds the
id may read the row; the database itself holds no link):

- ``runs``: a page's run (its state as one file of bytes, see ui/common/runfile.py, with a small JSON
  summary), written by one ``writer`` at a time: a run opened elsewhere (another tab, another process) is taken
  over there, and the old writer's next save is refused (``Superseded``) instead of overwriting it.
- ``shares``: a frozen copy of a run, opened by a model link; withdrawn by whoever holds the run's id.
- ``classes``, ``members``, ``handins``: a class (a short code to join, a secret for the instructor's board), its
  students (a nickname each, plain text) and what they handed in (a run's summary and loss curve, or a lesson
  record), bounded in size and rate.

Bounds (``Limits``; environment variables below): one row's bytes, the store's total (past it the oldest rows go
first), an age (older rows go). Every write is one transaction: a crash mid-write leaves the last committed
state, and a full disk raises ``StoreFull`` with a plain message, changing nothing. ``prune`` (``rnn-core
prune``) drops what is past the age and the total.

No UI here: the app (ui/common/saving.py) and the command line use it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

FILE_NAME = "runs.sqlite3"
SCHEMA_VERSION = 1
DAY = 86_400.0

# the defaults of the bounds (each has an environment variable: Limits.from_env)
MAX_ROW_BYTES = 64_000_000          # one run or model link: a 50 MB model with its metrics and history fits
MAX_TOTAL_BYTES = 2_000_000_000     # the whole store; past it the oldest rows go first
MAX_AGE_DAYS = 30.0                 # a row not written for this long goes (a class: since it was made)
MAX_CLASS_MEMBERS = 300
MAX_HANDINS_PER_MEMBER = 50
MAX_HANDIN_BYTES = 1_000_000        # a hand-in's summary, loss curve or lesson record
HANDIN_EVERY = 5.0                  # seconds between two hand-ins of one student
MAX_NICKNAME = 40                   # characters
MAX_CLASS_NAME = 80
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L: read aloud and typed from a board
CODE_LENGTH = 6


class StoreError(Exception):
    """The store could not do it; the message is plain and can be shown to a learner."""


class StoreFull(StoreError):
    """The disk (or the database's space) is full: nothing was changed."""


class NotFound(StoreError):
    """No such run, link or class (or it was withdrawn, or it expired): the same answer for each, so a
    guess learns nothing."""


class Superseded(StoreError):
    """The run was opened elsewhere since this writer last saved it: it saves there now."""


class Refused(StoreError):
    """Over a bound: too large, too many, too often."""


def new_id() -> str:
    """An unguessable id (192 random bits), safe in a URL."""
    return secrets.token_urlsafe(24)


def _key(token: str) -> str:
    """What the tables hold of an id: its SHA-256 (hex)."""
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def clean_text(text: str, limit: int, what: str) -> str:
    """A nickname or a class name as stored: one line of printable text, at most ``limit`` characters, never
    markup (it is escaped wherever it is shown). ValueError naming ``what`` otherwise."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(" " if c.isspace() else c for c in text if c.isspace() or unicodedata.category(c)[0] != "C")
    text = " ".join(text.split())
    if not text:
        raise ValueError(f"The {what} is empty.")
    if len(text) > limit:
        raise ValueError(f"The {what} is longer than {limit} characters.")
    return text


def default_data_dir() -> Path:
    """Where the SQLite file goes by default: $XDG_DATA_HOME/rnn-playground or ~/.local/share/rnn-playground."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rnn-playground"


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"{name}={text!r} must be above 0")
    return value


@dataclass(frozen=True)
class Limits:
    """The store's bounds (see the module's docstring)."""

    max_row_bytes: int = MAX_ROW_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_age_days: float = MAX_AGE_DAYS
    max_class_members: int = MAX_CLASS_MEMBERS
    max_handins_per_member: int = MAX_HANDINS_PER_MEMBER
    max_handin_bytes: int = MAX_HANDIN_BYTES
    handin_every: float = HANDIN_EVERY

    @classmethod
    def from_env(cls) -> "Limits":
        """RNN_PLAYGROUND_STORE_MAX_RUN_MB, _MAX_TOTAL_MB and _MAX_AGE_DAYS, or the defaults."""
        return cls(max_row_bytes=int(_env_number("RNN_PLAYGROUND_STORE_MAX_RUN_MB", MAX_ROW_BYTES / 1e6) * 1e6),
                   max_total_bytes=int(_env_number("RNN_PLAYGROUND_STORE_MAX_TOTAL_MB", MAX_TOTAL_BYTES / 1e6) * 1e6),
                   max_age_days=_env_number("RNN_PLAYGROUND_STORE_MAX_AGE_DAYS", MAX_AGE_DAYS))


@dataclass(frozen=True)
class Settings:
    """Which store: off, a SQLite file in ``data_dir``, or PostgreSQL at ``database_url``."""

    enabled: bool = True
    data_dir: Path | None = None
    database_url: str | None = None
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_env(cls) -> "Settings":
        """RNN_PLAYGROUND_STORE=off turns it off; RNN_PLAYGROUND_DATABASE_URL picks PostgreSQL; else SQLite in
        RNN_PLAYGROUND_DATA_DIR (or ``default_data_dir()``)."""
        off = os.environ.get("RNN_PLAYGROUND_STORE", "").strip().lower() in ("off", "0", "no", "false")
        url = os.environ.get("RNN_PLAYGROUND_DATABASE_URL", "").strip() or None
        folder = os.environ.get("RNN_PLAYGROUND_DATA_DIR", "").strip()
        return cls(not off, Path(folder) if folder else default_data_dir(), url, Limits.from_env())

    def describe(self) -> str:
        if not self.enabled:
            return "off"
        if self.database_url:
            return "PostgreSQL at " + re.sub(r"//[^@/]*@", "//", self.database_url)    # never a password
        return f"SQLite at {Path(self.data_dir) / FILE_NAME}"


@dataclass(frozen=True)
class RunRecord:
    kind: str
    summary: dict
    state: bytes
    created: float
    updated: float


@dataclass(frozen=True)
class Share:
    kind: str
    label: str
    state: bytes
    created: float


@dataclass(frozen=True)
class Member:
    class_name: str
    code: str
    nickname: str


@dataclass(frozen=True)
class HandIn:
    nickname: str
    kind: str                        # "run" | "lessons"
    summary: dict
    data: bytes
    created: float


@dataclass(frozen=True)
class Board:
    name: str
    code: str
    created: float
    members: list[tuple[str, float]]          # (nickname, joined), in the order they joined
    handins: list[HandIn]                     # oldest first


# ----- the tables ------------------------------------------------------------------------------------------
# one dialect for both back ends: "?" placeholders (PostgreSQL's driver gets "%s"), {blob} for the bytes type
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, kind TEXT NOT NULL, writer TEXT NOT NULL, "
    "created DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL, size BIGINT NOT NULL, "
    "summary TEXT NOT NULL, digest TEXT NOT NULL, state {blob} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS shares (key TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, "
    "label TEXT NOT NULL, created DOUBLE PRECISION NOT NULL, size BIGINT NOT NULL, digest TEXT NOT NULL, "
    "state {blob} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS classes (key TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, "
    "created DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS members (key TEXT PRIMARY KEY, class TEXT NOT NULL, nickname TEXT NOT NULL, "
    "created DOUBLE PRECISION NOT NULL, UNIQUE (class, nickname))",
    "CREATE TABLE IF NOT EXISTS handins (key TEXT PRIMARY KEY, class TEXT NOT NULL, member TEXT NOT NULL, "
    "kind TEXT NOT NULL, created DOUBLE PRECISION NOT NULL, size BIGINT NOT NULL, summary TEXT NOT NULL, "
    "digest TEXT NOT NULL, data {blob} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS runs_updated ON runs (updated)",
    "CREATE INDEX IF NOT EXISTS shares_created ON shares (created)",
    "CREATE INDEX IF NOT EXISTS shares_owner ON shares (owner)",
    "CREATE INDEX IF NOT EXISTS handins_class ON handins (class, created)",
    "CREATE INDEX IF NOT EXISTS handins_member ON handins (member, created)",
    "CREATE INDEX IF NOT EXISTS members_class ON members (class)",
]
# what counts toward the total, oldest first when it is over (a class's rows go with the class, by age)
SIZED = (("runs", "updated"), ("shares", "created"), ("handins", "created"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(data, digest: str, what: str) -> bytes:
    """Bytes read back, held to the digest written with them: damage is named, never handed on."""
    data = bytes(data)
    if _digest(data) != digest:
        raise StoreError(f"The saved {what} is damaged (its bytes no longer match what was written); it cannot be "
                         "opened.")
    return data


class _SQLite:
    """One SQLite file in WAL mode; one connection per store, used by one thread at a time."""

    blob = "BLOB"

    def __init__(self, folder: Path):
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.path = folder / FILE_NAME
            self.conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")     # WAL: a power cut may lose the last commit, never
            self.conn.execute("PRAGMA foreign_keys=ON")        # corrupts; a process crash loses nothing committed
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"The run store's file cannot be opened in {folder}: {e}.") from None

    @contextmanager
    def transaction(self):
        self.conn.execute("BEGIN IMMEDIATE")                  # the write lock first: no deadlock between writers
        try:
            yield self._query
        except BaseException:
            if self.conn.in_transaction:                     # (SQLite ends it itself on a full disk)
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def errors(self, e: Exception) -> StoreError | None:
        if isinstance(e, sqlite3.Error):
            code = getattr(e, "sqlite_errorcode", None)
            if code == sqlite3.SQLITE_FULL or "full" in str(e).lower():
                return StoreFull("The server's disk is full, so this could not be saved (nothing saved before was "
                                 "changed).")
            if isinstance(e, sqlite3.IntegrityError):
                return None
            return StoreError(f"The run store cannot be used just now ({e}).")
        return None

    def close(self) -> None:
        self.conn.close()


class _Postgres:
    """PostgreSQL through psycopg: one connection per store, reopened once if the server dropped it."""

    blob = "BYTEA"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:
            raise StoreError("RNN_PLAYGROUND_DATABASE_URL is set but psycopg is not installed "
                             "(pip install 'psycopg[binary]').") from None
        self.psycopg, self.url = psycopg, url
        self.conn = self._connect()

    def _connect(self):
        try:
            return self.psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except self.psycopg.Error as e:
            raise StoreError(f"The run store's database cannot be reached ({str(e).strip()[:200]}).") from None

    @contextmanager
    def transaction(self):
        if self.conn.closed or self.conn.broken:
            self.conn = self._connect()
        with self.conn.transaction():
            yield self._query

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        cur = self.conn.execute(sql.replace("?", "%s"), params)
        return cur.fetchall() if cur.description else []

    def errors(self, e: Exception) -> StoreError | None:
        errors = self.psycopg.errors
        if isinstance(e, (errors.DiskFull, errors.OutOfMemory, errors.InsufficientResources)):
            return StoreFull("The database's disk is full, so this could not be saved (nothing saved before was "
                             "changed).")
        if isinstance(e, errors.UniqueViolation):
            return None
        if isinstance(e, self.psycopg.Error):
            return StoreError(f"The run store cannot be used just now ({str(e).strip()[:200]}).")
        return None

    def close(self) -> None:
        self.conn.close()


class Store:
    """The run store (see the module's docstring). Thread-safe: one lock around its connection."""

    def __init__(self, settings: Settings | None = None, clock=time.time):
        self.settings = settings or Settings.from_env()
        if not self.settings.enabled:
            raise StoreError("The run store is turned off (RNN_PLAYGROUND_STORE=off).")
        self.limits, self.clock = self.settings.limits, clock
        url = self.settings.database_url
        self.db = _Postgres(url) if url else _SQLite(self.settings.data_dir or default_data_dir())
        self._lock = threading.Lock()
        self._pruned_at = self.clock()
        self._tx(self._create)

    @property
    def backend(self) -> str:
        return "postgresql" if isinstance(self.db, _Postgres) else "sqlite"

    def _create(self, q) -> None:
        for statement in SCHEMA:
            q(statement.format(blob=self.db.blob))
        if not q("SELECT value FROM meta WHERE name = 'schema'"):
            q("INSERT INTO meta (name, value) VALUES ('schema', ?) ON CONFLICT (name) DO NOTHING",
              (str(SCHEMA_VERSION),))

    def _tx(self, fn, *args):
        """``fn(q, *args)`` in one transaction (all of it or nothing), database errors as StoreErrors."""
        with self._lock:
            try:
                with self.db.transaction() as q:
                    return fn(q, *args)
            except StoreError:
                raise
            except Exception as e:
                mapped = self.db.errors(e)
                if mapped is None:
                    raise
                raise mapped from None

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # ----- bounds ---------------------------------------------------------------------------------------
    def _check_size(self, n: int, what: str, limit: int | None = None) -> None:
        limit = limit or self.limits.max_row_bytes
        if n > limit:
            raise Refused(f"This {what} is {n / 1e6:.1f} MB, more than the {limit / 1e6:g} MB the store keeps of one.")

    def _make_room(self, q, keep: str) -> int:
        """Past the total, the oldest rows go first (never ``keep``, the row just written); returns how many."""
        total = sum(int(q(f"SELECT COALESCE(SUM(size), 0) FROM {t}")[0][0]) for t, _ in SIZED)
        gone = 0
        while total > self.limits.max_total_bytes:
            union = " UNION ALL ".join(f"SELECT '{t}', key, {col}, size FROM {t} WHERE key <> ?" for t, col in SIZED)
            rows = q(f"SELECT * FROM ({union}) AS everything ORDER BY 3 LIMIT 50", (keep,) * len(SIZED))
            if not rows:
                break
            for table, key, _, size in rows:
                q(f"DELETE FROM {table} WHERE key = ?", (key,))
                total -= int(size)
                gone += 1
                if total <= self.limits.max_total_bytes:
                    break
        return gone

    def prune(self, now: float | None = None) -> dict[str, int]:
        """Drop rows past the age limit, then the oldest while the total is over; returns what went, by table."""
        now = self.clock() if now is None else now
        cut = now - self.limits.max_age_days * DAY

        def run(q) -> dict[str, int]:
            out = {}
            old = [k for (k,) in q("SELECT key FROM classes WHERE created < ?", (cut,))]
            with_classes = 0
            for k in old:                                  # a class goes with its students and hand-ins
                with_classes += len(q("DELETE FROM handins WHERE class = ? RETURNING key", (k,)))
                q("DELETE FROM members WHERE class = ?", (k,))
                q("DELETE FROM classes WHERE key = ?", (k,))
            out["classes"] = len(old)
            for table, col in SIZED:
                out[table] = len(q(f"DELETE FROM {table} WHERE {col} < ? RETURNING key", (cut,)))
            out["handins"] += with_classes
            out["over the total"] = self._make_room(q, "")
            return out

        self._pruned_at = now
        return self._tx(run)

    def _maybe_prune(self) -> None:
        """The app prunes as it goes: at most once an hour, on a write."""
        if self.clock() - self._pruned_at > 3600:
            self.prune()

    def usage(self) -> dict[str, int]:
        """Rows and bytes per table (for the command line and the tests; never which rows)."""
        def run(q):
            out = {t: tuple(int(v) for v in q(f"SELECT COUNT(*), COALESCE(SUM(size), 0) FROM {t}")[0])
                   for t, _ in SIZED}
            out["classes"] = (int(q("SELECT COUNT(*) FROM classes")[0][0]), 0)
            return out
        return self._tx(run)

    # ----- runs -----------------------------------------------------------------------------------------
    def save_run(self, run_id: str, writer: str, kind: str, summary: dict, state: bytes) -> None:
        """Write the run ``run_id`` (a new one, or one this ``writer`` holds). Raises Superseded if another
        writer has opened it since, Refused if it is too large, StoreFull if the disk is full: nothing changes
        then."""
        state = bytes(state)
        self._check_size(len(state), "run")
        text = json.dumps(summary)
        now = self.clock()
        key = _key(run_id)

        def run(q):
            have = q("SELECT writer FROM runs WHERE key = ?", (key,))
            if have and have[0][0] != _key(writer):
                raise Superseded("This run was opened in another tab or window since; it is saved there now.")
            if have:
                q("UPDATE runs SET kind = ?, updated = ?, size = ?, summary = ?, digest = ?, state = ? WHERE key = ?",
                  (kind, now, len(state), text, _digest(state), state, key))
            else:
                q("INSERT INTO runs (key, kind, writer, created, updated, size, summary, digest, state) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (key, kind, _key(writer), now, now, len(state), text, _digest(state), state))
            self._make_room(q, key)

        self._tx(run)
        self._maybe_prune()

    def open_run(self, run_id: str, writer: str | None = None) -> RunRecord:
        """The run ``run_id``; with ``writer``, that writer holds it from now on (the one before is superseded).
        NotFound if there is none (or it expired)."""
        key = _key(run_id)

        def run(q):
            rows = q("SELECT kind, summary, digest, state, created, updated FROM runs WHERE key = ?", (key,))
            if not rows:
                raise NotFound("This link's run is not in the store: it expired, was removed, or the link is "
                               "mistyped.")
            if writer is not None:
                q("UPDATE runs SET writer = ? WHERE key = ?", (_key(writer), key))
            return rows[0]

        kind, summary, digest, state, created, updated = self._tx(run)
        return RunRecord(kind, json.loads(summary), _checked(state, digest, "run"), float(created), float(updated))

    def claim_run(self, run_id: str, writer: str) -> bool:
        """``writer`` holds the run from now on (the one before is superseded at its next save); False if it is
        gone."""
        return bool(self._tx(lambda q: q("UPDATE runs SET writer = ? WHERE key = ? RETURNING key",
                                         (_key(writer), _key(run_id)))))

    def delete_run(self, run_id: str) -> bool:
        return bool(self._tx(lambda q: q("DELETE FROM runs WHERE key = ? RETURNING key", (_key(run_id),))))

    # ----- model links ----------------------------------------------------------------------------------
    def share(self, run_id: str, kind: str, label: str, state: bytes) -> str:
        """A frozen copy of a run's state under a new id (the link); whoever holds ``run_id`` may withdraw it."""
        state = bytes(state)
        self._check_size(len(state), "model")
        share_id = new_id()
        key, label = _key(share_id), clean_text(label, 120, "label")

        def run(q):
            q("INSERT INTO shares (key, owner, kind, label, created, size, digest, state) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              (key, _key(run_id), kind, label, self.clock(), len(state), _digest(state), state))
            self._make_room(q, key)

        self._tx(run)
        return share_id

    def open_share(self, share_id: str) -> Share:
        rows = self._tx(lambda q: q("SELECT kind, label, digest, state, created FROM shares WHERE key = ?",
                                    (_key(share_id),)))
        if not rows:
            raise NotFound("This model link does not open: its owner withdrew it, it expired, or it is mistyped.")
        kind, label, digest, state, created = rows[0]
        return Share(kind, label, _checked(state, digest, "model"), float(created))

    def withdraw(self, share_id: str, run_id: str) -> bool:
        """Withdraw the link ``share_id``, made from the run ``run_id`` (only its holder can); copies already
        opened stay with whoever opened them."""
        return bool(self._tx(lambda q: q("DELETE FROM shares WHERE key = ? AND owner = ? RETURNING key",
                                         (_key(share_id), _key(run_id)))))

    # ----- classes --------------------------------------------------------------------------------------
    def create_class(self, name: str) -> tuple[str, str]:
        """A new class: returns (its code for students, the instructor's secret)."""
        name = clean_text(name, MAX_CLASS_NAME, "class name")
        secret = new_id()
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                self._tx(lambda q: q("INSERT INTO classes (key, code, name, created) VALUES (?, ?, ?, ?)",
                                     (_key(secret), code, name, self.clock())))
                return code, secret
            except StoreError:
                raise
            except Exception:                                  # the code was taken: draw another
                continue
        raise StoreError("No free class code was found; try again.")

    @staticmethod
    def normal_code(code: str) -> str:
        return "".join(str(code).split()).upper().replace("-", "")[:20]

    def join(self, code: str, nickname: str) -> str:
        """A student joins the class ``code`` as ``nickname``; returns their id (their hand-ins' key)."""
        nickname = clean_text(nickname, MAX_NICKNAME, "nickname")
        member_id = new_id()

        def run(q):
            rows = q("SELECT key FROM classes WHERE code = ?", (self.normal_code(code),))
            if not rows:
                raise NotFound("No class has that code: check it with your instructor.")
            cls = rows[0][0]
            if q("SELECT 1 FROM members WHERE class = ? AND nickname = ?", (cls, nickname)):
                raise Refused(f"Someone in this class is already called {nickname}. If that is you, open the "
                              "address you joined with to come back; else pick another nickname.")
            if int(q("SELECT COUNT(*) FROM members WHERE class = ?", (cls,))[0][0]) >= self.limits.max_class_members:
                raise Refused(f"This class is full ({self.limits.max_class_members} students).")
            q("INSERT INTO members (key, class, nickname, created) VALUES (?, ?, ?, ?)",
              (_key(member_id), cls, nickname, self.clock()))

        self._tx(run)
        return member_id

    def member(self, member_id: str) -> Member:
        rows = self._tx(lambda q: q("SELECT c.name, c.code, m.nickname FROM members m "
                                    "JOIN classes c ON c.key = m.class WHERE m.key = ?", (_key(member_id),)))
        if not rows:
            raise NotFound("This class membership is not in the store: the class expired or the link is mistyped.")
        return Member(*rows[0])

    def hand_in(self, member_id: str, kind: str, summary: dict, data: bytes = b"") -> None:
        """Hand in a run's summary and loss curve (``kind`` "run") or a lesson record ("lessons"), bounded in size
        and rate per student."""
        if kind not in ("run", "lessons"):
            raise ValueError(f"not a kind of hand-in: {kind!r}")
        text, data = json.dumps(summary), bytes(data)
        size = len(text.encode("utf-8")) + len(data)
        self._check_size(size, "hand-in", self.limits.max_handin_bytes)
        now, member = self.clock(), _key(member_id)

        def run(q):
            rows = q("SELECT class FROM members WHERE key = ?", (member,))
            if not rows:
                raise NotFound("This class membership is not in the store: the class expired or the link is "
                               "mistyped.")
            mine = q("SELECT COUNT(*), MAX(created) FROM handins WHERE member = ?", (member,))[0]
            if int(mine[0]) >= self.limits.max_handins_per_member:
                raise Refused(f"You have handed in {self.limits.max_handins_per_member} times, the most a student "
                              "can.")
            if mine[1] is not None and now - float(mine[1]) < self.limits.handin_every:
                wait = self.limits.handin_every - (now - float(mine[1]))
                raise Refused(f"You handed in a moment ago: wait {wait:.0f} s before the next hand-in.")
            key = _key(new_id())
            q("INSERT INTO handins (key, class, member, kind, created, size, summary, digest, data) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (key, rows[0][0], member, kind, now, size, text, _digest(data), data))
            self._make_room(q, key)

        self._tx(run)

    def my_handins(self, member_id: str) -> list[HandIn]:
        """A student's own hand-ins (and nobody else's), oldest first."""
        return self._handins("h.member = ?", _key(member_id))

    def board(self, secret: str) -> Board:
        """The class whose instructor's secret this is: its students and every hand-in. NotFound otherwise."""
        key = _key(secret)
        rows = self._tx(lambda q: q("SELECT name, code, created FROM classes WHERE key = ?", (key,)))
        if not rows:
            raise NotFound("This board link does not open: the class expired or the link is mistyped.")
        members = self._tx(lambda q: q("SELECT nickname, created FROM members WHERE class = ? ORDER BY created, "
                                       "nickname", (key,)))
        name, code, created = rows[0]
        return Board(name, code, float(created), [(n, float(t)) for n, t in members], self._handins("h.class = ?", key))

    def _handins(self, where: str, value: str) -> list[HandIn]:
        rows = self._tx(lambda q: q("SELECT m.nickname, h.kind, h.summary, h.digest, h.data, h.created FROM handins h "
                                    f"JOIN members m ON m.key = h.member WHERE {where} ORDER BY h.created, h.key",
                                    (value,)))
        return [HandIn(n, k, json.loads(s), _checked(d, g, "hand-in"), float(c)) for n, k, s, g, d, c in rows]
