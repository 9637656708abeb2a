# giaoban: `make demo` to try it, `make test` to check it, `make bench` to measure it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
JANUS_PORT ?= 8189
JANUS_DIR ?= var/janus
JANUS_PACKAGES := janus janus-tools libjs-janus-gateway libjs-webrtc-adapter
# The documents' PDFs: LibreOffice headless and Times New Roman's metric twin (giaoban/documents/pdf.py).
DOCUMENT_PACKAGES := libreoffice-writer-nogui fonts-liberation2 fonts-liberation

.PHONY: install demo serve services test test-sqlite test-postgres lint bench messages clean tour

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	@bash scripts/debian-packages.sh $(DOCUMENT_PACKAGES) || { \
	  echo "Cho đến khi cài, văn bản chỉ phát hành dạng .docx; bản PDF chờ tạo sau."; \
	  echo "Until then, documents are issued as .docx only; their PDFs wait."; }
	$(BIN)/giaoban migrate --noinput -v 0
	$(BIN)/giaoban demo
	@if bash scripts/debian-packages.sh $(JANUS_PACKAGES); then \
	  $(BIN)/giaoban janus_config $(JANUS_DIR) --ws-port $(JANUS_PORT) \
	    --events-url http://127.0.0.1:$(PORT)/media/janus/events/ >/dev/null || exit 1; \
	  /usr/bin/janus -C $(JANUS_DIR)/janus.jcfg -F $(JANUS_DIR) >$(JANUS_DIR)/janus.log 2>&1 & \
	  janus_pid=$$!; trap 'kill $$janus_pid 2>/dev/null' EXIT INT TERM; \
	  echo "Âm thanh, hình ảnh: Janus ws://127.0.0.1:$(JANUS_PORT) (nhật ký $(JANUS_DIR)/janus.log)"; \
	  echo "Audio and video: Janus at ws://127.0.0.1:$(JANUS_PORT) (log in $(JANUS_DIR)/janus.log)"; \
	  JANUS_URL=ws://127.0.0.1:$(JANUS_PORT) PORT=$(PORT) $(BIN)/giaoban serve; \
	else \
	  echo "Cho đến khi cài, hội nghị chạy không có âm thanh, hình ảnh."; \
	  echo "Until then, conferences run without audio and video."; \
	  PORT=$(PORT) $(BIN)/giaoban serve; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/giaoban makemigrations --check --dry-run -v 0

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) bash scripts/with-postgres.sh $(BIN)/pytest -m "not once"

services:
	bash scripts/ensure-services.sh
	bash scripts/debian-packages.sh $(DOCUMENT_PACKAGES) || [ "$$CI" != true ]

test: services lint test-sqlite test-postgres

tour: install
	$(BIN)/giaoban tour docs/tour

bench: install
	$(BIN)/python -m bench

messages: install
	cd giaoban && ../$(BIN)/giaoban makemessages -l vi -l en --no-obsolete && ../$(BIN)/giaoban compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
