# CityEye — `make run` starts the server, `make test` runs every check.
# Both install what they need first; a second run with nothing changed skips the installs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# `make run DEMO=../shared/media` (or CITYEYE_MEDIA_DIR) starts one looping camera per clip.
DEMO   ?=
APT_PACKAGES := ffmpeg chromium chromium-driver fonts-noto-cjk nginx-light libnginx-mod-rtmp \
                python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base \
                gstreamer1.0-plugins-good gstreamer1.0-plugins-bad

PY_STAMP  := $(VENV)/.installed
UI_DEPS   := webui/node_modules/.installed
UI_BUILD  := webui/dist/index.html
UI_SRC    := $(shell find webui/src webui/public -type f 2>/dev/null) webui/index.html \
             webui/vite.config.ts webui/tsconfig.json

export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: run test install webui system-deps lint typecheck pytest webui-test e2e bench clean

run: install webui
	$(BIN)/cityeye serve --host $(HOST) --port $(PORT) $(if $(DEMO),--demo $(DEMO))

test: system-deps install webui lint typecheck pytest webui-test e2e

install: $(PY_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# constraints.txt is the lock: exact versions of every package, torch from the registry
# (never the local CPU wheel, whose torchvision does not exist).
$(PY_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[vision,webrtc,flow,board,dev]'
	@touch $@

webui: $(UI_BUILD)

$(UI_DEPS): webui/package.json webui/package-lock.json
	cd webui && npm ci --no-audit --no-fund
	@touch $@

$(UI_BUILD): $(UI_DEPS) $(UI_SRC)
	cd webui && npm run build

# System packages: FFmpeg, Chromium for the browser tests, CJK fonts for screenshots, and the real
# streaming servers the ingest tests run on loopback (GStreamer RTSP server, nginx RTMP).
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done | tr '\n' ' '); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing system packages; run: sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest -m "not e2e"

webui-test: $(UI_DEPS)
	cd webui && npm test

e2e: webui
	$(BIN)/pytest -m e2e

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf webui/dist $(PY_STAMP) $(UI_DEPS)
