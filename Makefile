# kiln — `make setup`, `make demo`, `make test`, `make check`.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
VENV := .venv
PY := $(VENV)/bin/python
DEMO_REGISTRY ?= 127.0.0.1:5000

.PHONY: setup system venv demo test test-all check snapshots bench clean proto screenshots

setup: system venv

system:
	bash scripts/install-system.sh

venv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv
	$(UV) sync --frozen

demo: setup
	bash scripts/demo.sh $(DEMO_REGISTRY)

test: setup
	$(VENV)/bin/pytest

check: venv
	$(VENV)/bin/ruff check kiln tests bench scripts
	$(VENV)/bin/ruff format --check kiln tests bench scripts
	$(VENV)/bin/mypy kiln
	$(PY) scripts/check_structure.py

proto: venv
	$(PY) -m grpc_tools.protoc -Ikiln/grpc/generated=proto/kiln/build/v1 \
		--python_out=. --grpc_python_out=. --pyi_out=. kiln/grpc/generated/build.proto

snapshots: venv
	$(PY) -m tests.snapshots.regenerate

screenshots: setup
	$(PY) -m scripts.screenshots

bench: setup
	bash scripts/registry.sh $(DEMO_REGISTRY) .kiln/registry
	KILN_DATA_DIR=$(CURDIR)/.kiln/data $(VENV)/bin/kiln bases bootstrap --registry $(DEMO_REGISTRY)/kiln
	KILN_DATA_DIR=$(CURDIR)/.kiln/data $(PY) bench/build_bench.py
	KILN_DATA_DIR=$(CURDIR)/.kiln/data $(PY) bench/engine_bench.py
	KILN_DATA_DIR=$(CURDIR)/.kiln/data $(PY) bench/service_bench.py
	KILN_DATA_DIR=$(CURDIR)/.kiln/data $(PY) bench/throughput_bench.py
	$(PY) bench/quota_bench.py
	$(PY) bench/detect_bench.py

clean:
	rm -rf .kiln
