# Servicepunkter: `make run` serves the demo, `make test` runs the whole suite.
# Both set everything up first: virtualenv, dependencies, database, translations.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Debian packages the test suite needs: a browser for the browser tests, poppler for
# PDF checks, gettext for the translation-sync test, Pango for WeasyPrint's PDFs, and
# nginx for the two-server run (make two-servers) and the national load test (make bench).
SYSTEM_PACKAGES := chromium poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0 nginx
SYSTEM_COMMANDS := chromium pdftoppm pdfsig xgettext

.PHONY: demo-code run test setup serve bench lint format messages translations db-stop clean system-packages two-servers

# A background worker (README: Background work) runs beside the development server
# and stops with it.
run: setup
	$(MANAGE) seed_demo
	@echo
	@echo "Servicepunkter: http://127.0.0.1:8000/  (stop with Ctrl+C)"
	$(MANAGE) procrastinate worker & worker=$$!; \
	trap 'kill $$worker 2> /dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

# The demo's current two-factor code (system owner and administrator).
demo-code:
	@$(MANAGE) demo_code

# The suite on every core (at most four workers), on test databases made afresh.
# Locally, `.venv/bin/pytest -n 2 --reuse-db` keeps them between runs.
test: setup system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n logical --maxprocesses 4 --create-db

# Two gunicorn servers behind nginx (round-robin) on one PostgreSQL database and one
# S3-compatible server, with a worker beside each (servicepunkter/tests/
# test_two_servers.py, README: Several servers). It creates and drops its own
# database on DATABASE_URL's server, else on 127.0.0.1:5432 as postgres. One process
# (-n 0: pytest.ini's xdist options stay valid); -m overrides the ini's deselection.
two-servers: setup system-packages
	$(BIN)/pytest -n 0 -m two_servers servicepunkter/tests/test_two_servers.py

setup: $(VENV)/.installed .env translations
	$(MANAGE) migrate --no-input

# What a server runs on (production: release, serve, backup, restore) ...
$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# ... and the tests and tools on top of it (development: run, test, lint).
$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Local development runs with DEBUG on; production sets its own environment.
.env:
	cp .env.example .env

translations: $(VENV)/.runtime
	$(BIN)/pybabel --quiet compile --domain django --directory locale

messages: $(VENV)/.installed
	$(MANAGE) makemessages --locale sv --locale en --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python -m servicepunkter.translations fill-english
	$(BIN)/python -m servicepunkter.translations fill-swedish

system-packages:
	@missing=""; \
	for command in $(SYSTEM_COMMANDS); do command -v $$command > /dev/null || missing="$$missing $$command"; done; \
	test -x /usr/sbin/nginx || command -v nginx > /dev/null || missing="$$missing nginx"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango (WeasyPrint)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	    echo "Installing system packages: $(SYSTEM_PACKAGES)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) > /dev/null; \
	  else \
	    echo "The test suite needs these system packages: $(SYSTEM_PACKAGES) (missing:$$missing)."; \
	    echo "Install them, e.g. sudo apt-get install $(SYSTEM_PACKAGES), and run make test again."; \
	    exit 1; \
	  fi; \
	fi

# Production (README: Production): set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
# MIGRATION_DATABASE_URL in the environment first. `make release` once per release,
# from one machine, before any server starts: the migrations (as the owner role), the
# cache table, and this checkout's static files and translations. `make serve` on
# each server migrates nothing: it refuses to start while a migration is unapplied,
# gathers its own static files and starts gunicorn (BIND, WORKERS, THREADS).
.PHONY: release
release: $(VENV)/.runtime translations
	$(MANAGE) check --deploy --fail-level WARNING
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable
	$(MANAGE) collectstatic --no-input
	$(MANAGE) check_release

serve: $(VENV)/.runtime translations
	$(MANAGE) check --deploy --fail-level WARNING
	$(MANAGE) check_release
	$(MANAGE) collectstatic --no-input
	$(BIN)/gunicorn servicepunkter.wsgi --bind $${BIND:-127.0.0.1:8000} \
	  --workers $${WORKERS:-3} --threads $${THREADS:-1}

bench: setup system-packages
	$(BIN)/python bench/import_outlets.py
	$(BIN)/python bench/agreement_pdf.py
	$(BIN)/python bench/service_analysis.py
	$(BIN)/python bench/road_network.py
	$(BIN)/python bench/public_pages.py
	$(BIN)/python bench/national_load.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Backups of the database and the stored files (README: Backups). `make backup` writes
# one to var/backups/<UTC time>, or to DIR=…; `make restore DIR=…` restores one into an
# empty database and file storage (FORCE=1 to replace what is there) and verifies it.
.PHONY: backup restore
backup: $(VENV)/.runtime
	$(MANAGE) backup $(or $(DIR),var/backups/$(shell date -u +%Y%m%dT%H%M%SZ))

restore: $(VENV)/.runtime translations
	@test -n "$(DIR)" || { echo "usage: make restore DIR=var/backups/<time> [FORCE=1]"; exit 2; }
	$(MANAGE) restore $(DIR) $(if $(FORCE),--force)

# The embedded PostgreSQL keeps running between commands until stopped here.
db-stop:
	$(BIN)/python -m servicepunkter.embedded_db stop var/pgdata

clean:
	rm -rf $(VENV) staticfiles
