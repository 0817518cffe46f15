# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS_VENV ?= .venv-jobs
JOBS_STAMP := $(JOBS_VENV)/.installed
export DSRUNNER_JOB_PYTHON := $(abspath $(JOBS_VENV))/bin/python

.PHONY: demo test bench lint releasenotes clean

$(STAMP): setup.cfg setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[hub,test]'
	touch $(STAMP)

# The Python that jobs on process runners get: with the dotscience library.
$(JOBS_STAMP): job-requirements.txt
	$(PYTHON) -m venv $(JOBS_VENV)
	$(JOBS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(JOBS_VENV)/bin/python -m pip install --quiet -r job-requirements.txt
	touch $(JOBS_STAMP)

demo: $(STAMP) $(JOBS_STAMP)
	PATH="$(abspath $(VENV))/bin:$$PATH" bash examples/demo.sh

test: $(STAMP) $(JOBS_STAMP)
	$(PY) -m pytest tests

bench: $(STAMP) $(JOBS_STAMP)
	$(PY) bench/startup.py
	$(PY) bench/jobs.py
	$(PY) bench/upload.py
	$(PY) bench/runs.py
	$(PY) bench/datasets.py

lint: $(STAMP)
	$(VENV)/bin/ruff check dscli dscli_plugins dshub dsrunner tests bench examples

releasenotes: $(STAMP)
	$(VENV)/bin/reno lint

clean:
	rm -rf $(VENV) $(JOBS_VENV) build *.egg-info .pytest_cache
