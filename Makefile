# Two commands on a fresh machine: `make run` serves the demo shop with its worker, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
FLASK := $(PY) -m flask --app storefront

.PHONY: run test test-fast test-cluster lint install install-test translations db demo serve clean

$(VENV)/.installed: pyproject.toml
	@{ command -v g++ >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 && pkg-config --exists icu-i18n; } || { \
	  echo "Installing Debian libicu-dev, pkg-config and g++ to build PyICU (sorting in each language)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk >/dev/null; }
	@test -x /usr/sbin/nginx || { \
	  echo "Installing Debian nginx for the cluster test (deploy/nginx/storefront.conf)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

translations: install
	$(FLASK) translate compile

db: install translations
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty

# The real thing: gunicorn and one jobs worker (with the periodic timers), started and stopped together.
run: db
	$(VENV)/bin/honcho start --procfile Procfile --port $(PORT)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check storefront search tests benchmarks

test: install-test translations lint
	$(PY) -m pytest

# Unit, search and integration tiers on SQLite only: the quick loop while working.
test-fast: $(VENV)/.installed-test translations
	TEST_DATABASE_URL= $(PY) -m pytest -m "not e2e and not slow" tests/unit tests/search tests/integration

# The production set-up alone (nginx, 2 gunicorn nodes, 2 workers, PostgreSQL, Redis); `make test` runs it too.
# CLUSTER_DATABASE_URL, CLUSTER_REDIS_URL and CLUSTER_PORT_BASE move it off the defaults (tests/cluster/cluster.py).
test-cluster: install-test translations
	$(PY) -m pytest -m cluster tests/cluster

clean:
	rm -rf $(VENV) instance
