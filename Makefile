# Relais — one command to run the demo, one to run every test, on a fresh machine.
#   make demo    install everything, load demo data, run console + CTI bridge + demo PBX
#   make test    install everything, start the services the tests use, run the whole suite
#   make bench   run the benchmarks (JSON lines on stdout)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench services browser clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(STAMP)

services:
	bash .ci/ensure-services.sh

browser:
	bash .ci/ensure-chromium.sh

demo: install
	$(BIN)/python -m relais demo

test: install services browser
	$(BIN)/python -m pytest -q

bench: install services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache test-artifacts
