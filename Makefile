# Two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
UV := .tools/bin/uv
UV_VERSION := 0.13.8
PG_URL ?= postgres://postgres@127.0.0.1:5432/helpwell
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test setup chromium dovecot services lint test-sqlite test-postgres bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

setup: $(VENV)/.synced

# Migrates, loads the demo into an empty database, then runs web + worker + mail catcher until Ctrl-C.
# HELPWELL_PORT=8001 make run to use another port.
run: setup
	$(VENV)/bin/helpwell run

chromium:
	@test -x /usr/bin/chromium -a -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null)

# The IMAP tests start a private Dovecot (its own config and port in a temp dir); the system one stays off.
dovecot:
	@test -x /usr/sbin/dovecot || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null)

services:
	@bash scripts/services.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy helpwell

# The RQ worker test talks to the real Redis, so the SQLite run needs the services too.
test-sqlite: setup chromium dovecot services
	$(VENV)/bin/pytest -n 2 -q

test-postgres: setup dovecot services
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -n 2 -q -m "not browser"

test: lint test-sqlite test-postgres

# 1,000,000 tickets on SQLite and PostgreSQL, then the figures in docs/benchmarks.md (takes ~10 min).
bench: setup services
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(VENV)/bin/python bench/seed.py --db both
	$(VENV)/bin/python bench/run.py --db both --update-docs
