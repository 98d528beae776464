"""Reproducible installs: requirements.lock pins the whole runtime closure with hashes, requirements-dev.lock the
test tools on top of the same versions, and make, the Dockerfile and CI install from them."""
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _lock(name: str) -> dict[str, tuple[str, int]]:
    """A lock's packages: name -> (version, number of hashes)."""
    out = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", (ROOT / name).read_text().split("\n", 2)[2]):
        m = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", entry)
        if m:
            out[canonicalize_name(m[1])] = (m[2], len(re.findall(r"--hash=sha256:[0-9a-f]{64}", entry)))
    return out


def _pins(name: str) -> dict[str, str]:
    return {canonicalize_name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", (ROOT / name).read_text(),
                                                                re.M)}


def test_every_locked_package_is_pinned_and_hashed():
    for name in ("requirements.lock", "requirements-dev.lock"):
        lock = _lock(name)
        assert len(lock) > 20
        assert all(n >= 1 for _, n in lock.values()), [k for k, (_, n) in lock.items() if n == 0]


def test_the_locks_hold_the_direct_pins_and_agree_with_each_other():
    run, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    for pkg, version in _pins("requirements.txt").items():
        assert run[pkg][0] == version, pkg
    for pkg, version in _pins("requirements-dev.txt").items():
        assert dev[pkg][0] == version, pkg
    assert {k: v for k, (v, _) in run.items()} == {k: dev[k][0] for k in run}      # the same runtime versions


def test_the_runtime_lock_covers_every_dependency_of_the_runtime_set():
    """Walk the installed runtime packages' own requirements (for this platform and Python): each is locked."""
    lock = _lock("requirements.lock")
    env = default_environment()
    todo, seen = list(_pins("requirements.txt")), set()
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        assert pkg in lock, f"{pkg} is needed at run time but not in requirements.lock"
        try:
            requires = distribution(pkg).requires or []
        except PackageNotFoundError:
            continue
        for spec in map(Requirement, requires):
            if spec.marker is None or spec.marker.evaluate({**env, "extra": ""}):
                todo.append(canonicalize_name(spec.name))
    assert len(seen) > 20


def test_make_the_dockerfile_and_ci_install_from_the_locks():
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^PIP_INSTALL := .*--require-hashes", make, re.M)
    assert "$(PIP_INSTALL) -r requirements.lock" in make and "$(PIP_INSTALL) -r requirements-dev.lock" in make
    assert re.search(r"^test: \$\(VENV\)/\.dev", make, re.M) and re.search(r"^run: \$\(VENV\)/\.runtime", make, re.M)
    docker = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in docker
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "-r requirements-dev.lock" in (ROOT / "tox.ini").read_text()
