# LaneSight — `make test` and `make demo` work on a fresh Debian 12 machine that has
# the Swift 6 toolchain: they first install the system packages they need with apt-get.
SHELL := /bin/bash
SWIFT ?= swift
# Extra flags for every swift build/test, e.g. SWIFTFLAGS="--scratch-path .build-me".
SWIFTFLAGS ?=
DEMO_DIR ?= demo
SEED ?= 7
MINUTES ?= 3
BENCH_ARGS ?=
# FFmpeg and OpenCV to build against; the ffmpeg CLI and python3-numpy for test
# fixtures and tools/foreign_lane; GStreamer's RTSP server, driven from
# /usr/bin/python3, for the MediaIO RTSP test.
APT_PACKAGES := pkg-config ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
                libopencv-dev opencv-data python3 python3-numpy \
                gstreamer1.0-rtsp python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good \
                gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN = "$$($(SWIFT) build -c release $(SWIFTFLAGS) --show-bin-path)/lanesight"

.PHONY: deps build test demo bench clean

# Install what is missing; nothing is downloaded at run time afterwards.
deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: '$(SWIFT)' not found: install the Swift 6 toolchain first" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null; then \
	    echo "error: not root and no sudo; install these first:$$missing" >&2; exit 1; \
	  fi; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release $(SWIFTFLAGS) --product lanesight

# Unit tests run in a debug build. The end-to-end tests simulate and analyze about
# 25 minutes of video, which a debug build does 6-7x slower, so they run the release
# binary as a subprocess (LANESIGHT_BIN) and only score in process.
test: build
	$(SWIFT) build $(SWIFTFLAGS) --build-tests
	LANESIGHT_BIN=$(RELEASE_BIN) $(SWIFT) test $(SWIFTFLAGS) --skip-build

# Simulate a lane, analyze it, show the incidents and their evidence, score it.
demo: build
	@set -e; bin=$(RELEASE_BIN); \
	rm -rf $(DEMO_DIR); \
	$$bin simulate --out $(DEMO_DIR)/session --seed $(SEED) --minutes $(MINUTES); \
	echo; \
	$$bin analyze --lane $(DEMO_DIR)/session/lane.json --video $(DEMO_DIR)/session/video.mp4 \
	    --pos $(DEMO_DIR)/session/pos.jsonl --catalog $(DEMO_DIR)/session/catalog.json \
	    --out $(DEMO_DIR)/out --state $(DEMO_DIR)/state --quiet; \
	echo; echo "evidence (key frames and clips):"; \
	find $(DEMO_DIR)/out/evidence -type f 2>/dev/null | sort | sed 's/^/  /'; \
	echo; echo "how it did against the simulator's truth:"; \
	$$bin evaluate --truth $(DEMO_DIR)/session/truth.json --incidents $(DEMO_DIR)/out/incidents.json

# Speed and memory: our analysis frames/s vs FFmpeg decode-only on the same file.
# SwiftPM does not notice files added to LaneSight through the path dependency (the
# build fails on a missing type): start the benchmark's build afresh when the list changes.
bench: deps
	@list=$$(cd Sources && find . -type f | sort | cksum); \
	if [ "$$(cat Benchmarks/.build/lanesight-sources 2>/dev/null)" != "$$list" ]; then rm -rf Benchmarks/.build; fi; \
	mkdir -p Benchmarks/.build && echo "$$list" > Benchmarks/.build/lanesight-sources
	cd Benchmarks && $(SWIFT) run -c release lanesight-bench $(BENCH_ARGS)

clean:
	rm -rf .build Benchmarks/.build $(DEMO_DIR)
