# LaneSight — `make demo` and `make test` work on a fresh Debian 12 machine:
# they install the system libraries they need (FFmpeg, OpenCV) with apt-get.
SHELL := /bin/bash
SWIFT ?= swift
DEMO_DIR ?= demo
SEED ?= 7
MINUTES ?= 3
APT_PACKAGES := pkg-config ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
                libopencv-dev opencv-data python3-numpy
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test demo bench clean

# Install what is missing; nothing is downloaded at run time afterwards.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product lanesight

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Simulate a lane, analyze it, show the incidents and where their evidence is.
demo: build
	@bin=$$($(SWIFT) build -c release --show-bin-path)/lanesight; \
	rm -rf $(DEMO_DIR); \
	$$bin simulate --out $(DEMO_DIR)/session --seed $(SEED) --minutes $(MINUTES) && \
	$$bin analyze --lane $(DEMO_DIR)/session/lane.json --video $(DEMO_DIR)/session/video.mp4 \
	    --pos $(DEMO_DIR)/session/pos.jsonl --catalog $(DEMO_DIR)/session/catalog.json \
	    --out $(DEMO_DIR)/out --state $(DEMO_DIR)/state && \
	echo && echo "how it did against the simulator's truth:" && \
	$$bin evaluate --truth $(DEMO_DIR)/session/truth.json --incidents $(DEMO_DIR)/out/incidents.json

# Speed and memory: our analysis frames/s vs FFmpeg decode-only on the same file.
bench: deps
	cd Benchmarks && $(SWIFT) run -c release lanesight-bench

clean:
	rm -rf .build Benchmarks/.build $(DEMO_DIR)
