# Two commands for a fresh Debian machine with Python 3.11:
#   make run    set up .venv from requirements.lock and open the app
#   make test   set up .venv from requirements-dev.lock (with test tools, Chromium, nginx and PostgreSQL) and run
#               every test, browser tests included
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test chromium nginx postgresql lint translations language demo-model lab-sweeps bench gradcheck lock tox clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# every package from the locks: exact versions, each file checked against its hash (pip's hash-checking mode),
# so a reinstall next term gets the same set the tests ran with
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes

$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(PIP_INSTALL) -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

# rewrite the locks from requirements*.txt (the direct pins): uv resolves for every platform and Python >= 3.11,
# keeping the versions already locked unless a pin asks for another
UV := uv==0.13.9
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(UV)
	$(BIN)/python -m uv pip compile requirements.txt --universal --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/python -m uv pip compile requirements-dev.txt --universal --python-version 3.11 --generate-hashes \
		-c requirements.lock -o requirements-dev.lock

# the suite on Python 3.11, 3.12 and 3.13 (tox.ini; each interpreter must be on PATH, e.g. from pyenv)
tox: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check tox==4.67.15
	$(BIN)/tox

run: $(VENV)/.runtime
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here)
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's nginx serves the classroom set-up's test (two app processes behind deploy/nginx.conf)
nginx:
	@if [ ! -x $(NGINX) ]; then \
		echo "installing Debian's nginx-light for the proxy test"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	fi

# Debian's PostgreSQL: the run store's tests run against it as against SQLite (the tests start a throwaway server
# of their own, tests/pg_server.py; the package's own cluster is not used)
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing Debian's postgresql for the run store's tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .

test: $(VENV)/.dev chromium nginx postgresql lint
	$(BIN)/python -m pytest

gradcheck: $(VENV)/.runtime
	$(BIN)/python -m rnn_core gradcheck

# the pretrained demo models the app shows at start (deterministic: same command, same weights;
# the sonnets model reads characters, for Generate);
# one after another: parallel runs fight over the 2 cores' BLAS threads.
# Fewer steps than before, so fewer hidden values sit in tanh's flat region and fewer steps are predicted at 0.99
# or more (the README's table, measured on the sushi sentence). The RNN stops at 2000: at 3000 it had 56% of its
# values at |h| > 0.95 and 10 of 12 steps at 0.99 or more, at 2000 46% and 9, all 60 dishes still right; at 1000
# or 1500 it lost dishes (1000 steps on 2 threads: sushi -> russian), and weight decay 0.1 to 3 lost the dish too.
# The GRU stops at 1000 (27% and 9, all 60 dishes). The LSTM learns to carry the dish later (after 1000 steps it
# said italian after sushi) and keeps 3000.
# the messages of every page (ui/common/i18n.py) -> ui/locales/messages.pot -> each language's catalogue, compiled
translations: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o ui/locales/messages.pot . \
		>/dev/null
	$(BIN)/pybabel update -i ui/locales/messages.pot -d ui/locales --no-fuzzy-matching --ignore-obsolete >/dev/null
	@# compiled with Babel's writer, not `pybabel compile`, whose %-format check takes "1% of" for a placeholder:
	@# every template here is str.format's ({name}), which tests/test_translations.py checks in every catalogue
	$(BIN)/python -c "import glob; from babel.messages.pofile import read_po; from babel.messages.mofile import \
		write_mo; [write_mo(open(p[:-2] + 'mo', 'wb'), read_po(open(p, 'rb'))) for p in \
		sorted(glob.glob('ui/locales/*/LC_MESSAGES/messages.po'))]"

# a new language's catalogue, e.g. `make language CODE=pt` (then translate ui/locales/pt/LC_MESSAGES/messages.po)
language: $(VENV)/.dev
	@test -n "$(CODE)" || { echo "usage: make language CODE=pt"; exit 2; }
	$(BIN)/pybabel init -i ui/locales/messages.pot -d ui/locales -l $(CODE)

demo-model: $(VENV)/.runtime
	$(BIN)/python -m rnn_core train --corpus assets/corpora/cuisine.txt --cell rnn --steps 2000 \
		--out assets/models/demo_rnn.npz --quiet
	$(BIN)/python -m rnn_core train --corpus assets/corpora/cuisine.txt --cell gru --steps 1000 \
		--out assets/models/demo_gru.npz --quiet
	$(BIN)/python -m rnn_core train --corpus assets/corpora/cuisine.txt --cell lstm --steps 3000 \
		--out assets/models/demo_lstm.npz --quiet
	$(BIN)/python -m rnn_core train --corpus assets/corpora/sonnets.txt --level char --cell lstm --hidden 128 \
		--steps 3000 --lr 0.005 --out assets/models/demo_sonnets.npz --quiet
	for lang in da de fr ru zh; do \
		$(BIN)/python -m rnn_core train --corpus assets/corpora/cuisine_$$lang.txt --cell rnn --steps 2000 \
			--out assets/models/demo_rnn_$$lang.npz --quiet || exit 1; \
	done

# the Gradient lab's stored lag sweeps (each task's default settings, seed 0), shown at once when the page opens,
# and the sushi task's longest gap for seeds 1-4 (the README's table); one run after another, as above
LAB := assets/lab
lab-sweeps: $(VENV)/.runtime
	mkdir -p $(LAB)/seeds
	$(BIN)/python -m rnn_core memory --task cuisine --gaps 0,5,10,20,30 --out $(LAB)/lag_sweep_cuisine.json
	$(BIN)/python -m rnn_core memory --task delay --gaps 5,10,20,40 --out $(LAB)/lag_sweep_delay.json
	$(BIN)/python -m rnn_core memory --task adding --gaps 5,10,20,40 --out $(LAB)/lag_sweep_adding.json
	for seed in 1 2 3 4; do \
		$(BIN)/python -m rnn_core memory --task cuisine --gaps 30 --seed $$seed \
			--out $(LAB)/seeds/cuisine_gap30_seed$$seed.json || exit 1; \
	done

# benchmarks print their figures; PyTorch columns appear only where torch is installed
bench: $(VENV)/.dev
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/bptt_vs_pytorch.py
	$(BIN)/python bench/minchar_vs_batched.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/ui_latency.py
	$(BIN)/python bench/series.py
	$(BIN)/python bench/store.py

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
