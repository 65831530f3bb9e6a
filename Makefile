# kzlib — run `make help` for the list of targets.
# Everything installs into ./.venv from pyproject.toml; nothing outside this folder is touched.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
PYTHON       ?= $(shell command -v python3.11 || command -v python3)
VENV         ?= .venv
EXTRAS       ?= dev,dask
CORPUS       ?= data/corpus.csv
OUT          ?= reports
LEDGER       ?=
TIMEOUT      ?= 900
JOBS         ?=
SIZES        ?=
VPY          := $(VENV)/bin/python
comma        := ,
STAMP        := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.DEFAULT_GOAL := help
.PHONY: help install report test test-fast extract evaluate lab sync-notebooks bench bench-report bench-compiled bench-robustness clean

help: ## show this list
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'
	@echo "  variables: CORPUS=$(CORPUS) OUT=$(OUT) LEDGER=$(LEDGER) JOBS=$(JOBS) EXTRAS=$(EXTRAS) TIMEOUT=$(TIMEOUT)"

$(STAMP): pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $@

install: $(STAMP) ## create ./.venv and install kzlib with EXTRAS (default dev,dask)

report: $(STAMP) ## run every notebook on CORPUS (or an extracted LEDGER) and export HTML reports to OUT
	$(VPY) -m kzlib.cli report --corpus "$(CORPUS)" --out "$(OUT)" --timeout $(TIMEOUT) $(if $(LEDGER),--param "ledger=$(LEDGER)") $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP) ## run the test suite (unit, gold-set evaluation, end-to-end report on the seeds)
	@status=0; $(VPY) -m kzlib.cli evaluate || status=$$?; $(VPY) -m pytest || status=$$?; exit $$status

test-fast: $(STAMP) ## the unit tests alone (no notebooks, report, browser or cluster: tests/conftest.py SLOW_FILES)
	$(VPY) -m pytest -q -m "not slow"

extract: $(STAMP) ## print the claims ledger of CORPUS as JSON lines
	$(VPY) -m kzlib.cli extract "$(CORPUS)" --format jsonl

evaluate: $(STAMP) ## score the extractor against the hand-made gold set in data/annotations/
	$(VPY) -m kzlib.cli evaluate

lab: $(STAMP) ## open the notebooks in JupyterLab
	$(VENV)/bin/jupyter lab notebooks/

sync-notebooks: $(STAMP) ## after editing: sync notebooks/*.ipynb with their paired notebooks/*.py (jupytext)
	$(VENV)/bin/jupytext --sync notebooks/*.ipynb

bench: $(STAMP) ## run the throughput/memory benchmarks (prints figures)
	$(VPY) benchmarks/bench_extract.py

bench-report: $(STAMP) ## time `kz report` on the seeds and 2k/10k/100k synthetic articles (SIZES=seeds,2000 to limit)
	$(VPY) benchmarks/bench_report.py $(if $(SIZES),--sizes "$(SIZES)") $(if $(JOBS),--jobs $(JOBS))

bench-robustness: $(STAMP) ## time one unpunctuated sentence (10 KB, 100 KB, 1 MB) and peak memory on one 50 MB article
	$(VPY) benchmarks/bench_robustness.py

bench-compiled: $(STAMP) ## time extraction with its modules compiled by Cython against the source (installs Cython)
	$(VPY) -m pip install --quiet cython
	$(VPY) benchmarks/bench_compiled.py

clean: ## remove generated outputs (keeps .venv and data/raw)
	rm -rf $(OUT) data/interim data/processed benchmarks/results
