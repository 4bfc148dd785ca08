# sockfault: `make run` sets everything up and runs the scenario catalogue (HTML report in reports/);
# `make test` sets everything up and runs the whole test suite. Second runs reinstall nothing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_DIR := harness/peers/node
LEGACY := .venv-sio4
APT_PACKAGES := chromium nginx haproxy redis-server
JOBS ?= 2
JAVA_DIR := harness/peers/java
JAVA_STAMP := $(JAVA_DIR)/target/.built
# ordinary apps the tests use as users' apps (and vendored third-party examples): each its own npm ci
APP_STAMPS := $(patsubst %/package-lock.json,%/node_modules/.installed,$(wildcard tests/apps/*/package-lock.json tests/apps/*/*/package-lock.json))

.PHONY: setup run test unit e2e bench apt clean

setup: $(BIN)/.installed $(NODE_DIR)/node_modules/.installed $(APP_STAMPS) $(JAVA_STAMP) $(LEGACY)/.installed apt

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# python-socketio 4.x (Engine.IO 3), client and server peers python@4.6.1, in a virtualenv of its own
$(LEGACY)/.installed:
	$(PYTHON) -m venv $(LEGACY)
	$(LEGACY)/bin/pip install -q "python-socketio[asyncio_client]==4.6.1" "python-engineio==3.14.2" "aiohttp>=3.9"
	touch $@

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund
	touch $@

tests/apps/%/node_modules/.installed: tests/apps/%/package-lock.json
	cd tests/apps/$* && npm ci --no-audit --no-fund
	touch $@

# the Java client peers: one jar per socket.io-client-java version (each sioc-* profile of the pom) in
# target/<version>/; offline first (~/.m2 has it all after one build). No JDK/Maven: the java@ peers skip.
$(JAVA_STAMP): $(JAVA_DIR)/pom.xml $(wildcard $(JAVA_DIR)/src/main/java/sockfault/peer/*.java)
	@if command -v java >/dev/null && command -v mvn >/dev/null; then \
	  for p in $$(sed -n 's:.*<id>\(sioc-[^<]*\)</id>.*:\1:p' $(JAVA_DIR)/pom.xml); do \
	    echo "mvn package -P $$p ($(JAVA_DIR))"; \
	    mvn -B -q -o -Dstyle.color=never -f $(JAVA_DIR)/pom.xml -P $$p package >/dev/null 2>&1 || \
	      mvn -B -q -Dstyle.color=never -f $(JAVA_DIR)/pom.xml -P $$p package || exit 1; \
	  done && touch $@; \
	else echo "no JDK/Maven (java, mvn not on PATH): the java@ client peers will be skipped"; fi

apt:
	@bash tools/install-apt.sh $(APT_PACKAGES)

run: setup
	$(BIN)/sockfault run scenarios --json reports/latest.json --html reports/latest.html

test: setup
	$(BIN)/python -m pytest -n $(JOBS) tests scenarios

unit: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not e2e" tests

e2e: setup
	$(BIN)/python -m pytest -n $(JOBS) -m e2e tests

bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(LEGACY) $(NODE_DIR)/node_modules tests/apps/*/node_modules tests/apps/*/*/node_modules reports/*.html reports/*.json
