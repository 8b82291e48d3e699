# Two commands on a fresh machine: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: serve test install clean bench api-examples

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch==2.13.0 first: it is the local CPU build, so nothing resolves to a CUDA wheel.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/brewslm serve

test: $(STAMP)
	$(PY) -m pytest

# Figures for docs/BENCHMARKS.md; run them on a quiet machine.
bench: $(STAMP)
	$(PY) bench/api_load.py
	$(PY) bench/page_weight.py
	$(PY) bench/slider_latency.py
	$(PY) bench/run_overhead.py
	$(PY) bench/engine_throughput.py
	$(PY) bench/load_while_training.py
	$(PY) bench/run_memory.py
	$(PY) bench/class_fanout.py
	$(PY) bench/class_fanout.py --redis
	$(PY) bench/abuse.py
	$(PY) bench/explorer_ready.py
	# Lighthouse needs Node.js and npm (it installs lighthouse@12 into bench/.lighthouse/ once):
	# $(PY) bench/lighthouse.py

# The request and response examples /docs shows, recorded from the real API (app/web/api_examples.py).
api-examples: $(STAMP)
	$(PY) -m app.web.api_examples

clean:
	rm -rf $(VENV) .pytest_cache
