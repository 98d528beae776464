"""The project installs as a package: `pip install -e .` in a fresh venv gives the `rnn-core` command."""
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import rnn_core

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    env = tmp_path_factory.mktemp("pkg") / "venv"
    venv.create(env, with_pip=True)
    r = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-e", str(ROOT)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return env


def test_rnn_core_command_and_version(fresh_venv, tmp_path):
    r = subprocess.run([str(fresh_venv / "bin" / "rnn-core"), "--version"], capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"rnn-core {rnn_core.__version__}"


def test_the_command_equals_python_m_rnn_core(fresh_venv, tmp_path):
    ours = subprocess.run([str(fresh_venv / "bin" / "rnn-core"), "train", "--help"], capture_output=True, text=True,
                          cwd=tmp_path)
    module = subprocess.run([sys.executable, "-m", "rnn_core", "train", "--help"], capture_output=True, text=True,
                            cwd=ROOT)
    assert ours.returncode == module.returncode == 0
    assert ours.stdout == module.stdout
    assert "(default: 2000)" in ours.stdout and "(default: rnn)" in ours.stdout     # --help shows the defaults


def test_the_installed_package_is_the_checkout(fresh_venv, tmp_path):
    r = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", "import rnn_core; print(rnn_core.__file__)"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert Path(r.stdout.strip()).resolve() == (ROOT / "rnn_core" / "__init__.py").resolve()
