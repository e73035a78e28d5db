# Recordwarden: `make demo` to try it, `make test` to run every test, `make bench` for figures.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEMO_WORKERS ?= 5000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-fast lint bench assets install install-dev serve clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# USWDS, htmx and axe-core are installed by npm and copied into a git-ignored folder.
static/vendor/.copied: node_modules/.package-lock.json
	rm -rf static/vendor
	mkdir -p static/vendor/uswds static/vendor/htmx static/vendor/axe
	cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/fonts static/vendor/uswds/
	mkdir -p static/vendor/uswds/img static/vendor/uswds/js
	cp node_modules/@uswds/uswds/dist/img/*.svg node_modules/@uswds/uswds/dist/img/*.png static/vendor/uswds/img/ 2>/dev/null || true
	cp -r node_modules/@uswds/uswds/dist/img/usa-icons static/vendor/uswds/img/ 2>/dev/null || true
	cp node_modules/@uswds/uswds/dist/js/uswds.min.js node_modules/@uswds/uswds/dist/js/uswds-init.min.js static/vendor/uswds/js/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/axe-core/axe.min.js static/vendor/axe/
	touch $@

assets: static/vendor/.copied

demo: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --workers $(DEMO_WORKERS)
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r recordwarden

# The whole suite: lint, bandit, unit and integration tests on the database DATABASE_URL
# names (SQLite by default), and browser tests when /usr/bin/chromium exists.
test: install-dev assets lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -p no:cacheprovider -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install-dev assets
	$(PY) -m pytest -p no:cacheprovider -x -q -m "not browser" $(PYTEST_ARGS)

bench: install-dev
	$(PY) bench/run_all.py $(BENCH_ARGS)

serve: install assets
	$(PY) manage.py runserver $(HOST):$(PORT)

clean:
	rm -rf $(VENV) node_modules static/vendor var
