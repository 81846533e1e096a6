# borderwatch: two commands on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BW := $(VENV)/bin/borderwatch
# One stamp per mode, so switching between compiled and pure Python (BORDERWATCH_COMPILE=0) reinstalls.
STAMP := $(VENV)/.installed-stamp-$(if $(filter 0,$(BORDERWATCH_COMPILE)),pure,compiled)

.PHONY: install demo test lint bench serve clean docs browser

# The hot modules (name engine, PAXLST reader) are compiled by mypyc (setup.py): first everything is
# installed as Python, then the extensions are built in that environment (mypyc type-checks them with
# the project's settings, which needs the dependencies). BORDERWATCH_COMPILE=0 installs pure Python
# and removes old builds, which would otherwise run in place of the sources. Editing a compiled module
# rebuilds it.
COMPILED := $(addprefix src/,$(shell sed -n 's/^ *"\(borderwatch\/.*\.\(py\|c\)\)",$$/\1/p' src/borderwatch/_compiled.py))
# (The shared library lived in domain/names until the PAXLST reader was compiled too: old ones are removed.)
EXTENSIONS = $(wildcard $(addsuffix .cpython-*.so,$(basename $(COMPILED))) src/borderwatch/_native__mypyc.*.so \
	src/borderwatch/domain/names/_native__mypyc.*.so)

$(STAMP): pyproject.toml setup.py src/borderwatch/_compiled.py $(COMPILED)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 'setuptools>=77' wheel
	BORDERWATCH_COMPILE=0 $(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(EXTENSIONS)
	@if [ "$${BORDERWATCH_COMPILE:-1}" != 0 ]; then \
		echo "compiling the hot modules with mypyc (about three minutes)"; \
		$(PY) -m pip install --quiet --no-build-isolation --no-deps -e . ; \
	fi
	$(PY) -c 'from borderwatch._compiled import report; report()'
	rm -f $(VENV)/.installed-stamp*
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BW) demo

test: install browser
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

# The console's browser test drives Debian's Chromium; install it (and a font that joins Arabic letters)
# when it is missing and we may (root). Otherwise the browser test skips with the reason (fails under CI=true).
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-dejavu-core; \
	fi

lint: install
	$(VENV)/bin/ruff check setup.py src tests bench tools
	$(VENV)/bin/ruff format --check setup.py src tests bench tools
	$(VENV)/bin/mypy

bench: install
	BORDERWATCH_COMPILE=0 $(PY) -m pip install --quiet -e '.[bench]'  # keeps the compiled engine in place
	@# Every benchmark runs; those that missed a target (or failed) are named at the end.
	@failed=""; for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "missed a target or failed:$$failed"; exit 1; fi

serve: install
	$(BW) serve

docs: install
	$(PY) -m borderwatch.cli.reference > docs/cli-reference.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache $(EXTENSIONS)
