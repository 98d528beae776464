# Two commands for a fresh Debian machine with Python 3.11:
#   make run    set up .venv and open the app
#   make test   set up .venv (with test tools and Chromium) and run every test, browser tests included
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test chromium nginx lint demo-model lab-sweeps bench gradcheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

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

lint: $(VENV)/.dev
	$(BIN)/ruff check .

test: $(VENV)/.dev chromium nginx lint
	$(BIN)/python -m pytest

gradcheck: $(VENV)/.runtime
	$(BIN)/python -m rnn_core gradcheck

# the pretrained demo models the app shows at start (deterministic: same command, same weights;
# the sonnets model reads characters, for Generate);
# one after another: parallel runs fight over the 2 cores' BLAS threads
demo-model: $(VENV)/.runtime
	for cell in rnn lstm gru; do \
		$(BIN)/python -m rnn_core train --corpus assets/corpora/cuisine.txt --cell $$cell --steps 3000 \
			--out assets/models/demo_$$cell.npz --quiet || exit 1; \
	done
	$(BIN)/python -m rnn_core train --corpus assets/corpora/sonnets.txt --level char --cell lstm --hidden 128 \
		--steps 3000 --lr 0.005 --out assets/models/demo_sonnets.npz --quiet

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

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
