# Thin front for the common paths; everything real is in CMake and the `tnn` CLI.
#   make            configure + build (installs Debian packages first if missing)
#   make test       build + run every test through CTest
#   make reproduce  run what the paper tables need (PROFILE=quick|smoke|paper) and render them
#   make tables     render the tables from the committed results only (seconds)
#   make bench      kernel benchmarks -> results/kernels/<machine>.json + ratio table
#   make data       fetch the official CIFAR-10 binary release (md5-checked) into ./data
PRESET  ?= release
PROFILE ?= quick
JOBS    ?= 2
OUT     ?=
BUILD   := build/$(PRESET)
TNN     := $(BUILD)/bin/tnn
# CIFAR-10: an explicit TNN_DATA_DIR wins; else ./data (make data); else the workplace's proxy copy.
# Absolute, because CTest runs each test in its own build folder.
TNN_DATA_DIR ?= $(abspath $(firstword $(wildcard data/cifar-10-batches-bin ../shared/data/cifar-10-jpeg75-bin)))
export TNN_DATA_DIR
# ImageNet (train/, val/ class folders): TNN_IMAGENET_DIR. Without it the smoke profile trains the
# ImageNet rows on a small JPEG folder made from CIFAR-10 (ci/make-imagefolder.py); other profiles
# leave them "not run here: no ImageNet".
SMOKE_IMAGEFOLDER := $(BUILD)/imagefolder-smoke

.PHONY: all deps configure build test reproduce tables bench data format clean

all: build

deps:
	@./ci/install-deps.sh

configure: deps
	@test -f $(BUILD)/build.ninja || cmake --preset $(PRESET)

build: configure
	cmake --build --preset $(PRESET)

# The data come the way `make reproduce` gets them; offline, the data-dependent tests fail once
# with what to do (CTest fixture data/cifar10) and the others still run.
test: build
	@if [ -z "$(TNN_DATA_DIR)" ]; then ./ci/get-cifar10.sh data || \
	  echo "make test: no CIFAR-10 here and no download (offline?): set TNN_DATA_DIR or run 'make data'; the tests that need it will fail"; fi
	TNN_DATA_DIR="$${TNN_DATA_DIR:-$(CURDIR)/data/cifar-10-batches-bin}" ctest --preset $(PRESET)

reproduce: build data-check
	@if [ "$(PROFILE)" = smoke ] && [ -z "$$TNN_IMAGENET_DIR" ] && [ ! -f $(SMOKE_IMAGEFOLDER)/tnn-imagefolder.json ]; then \
	  /usr/bin/python3 ci/make-imagefolder.py --out $(SMOKE_IMAGEFOLDER) --odd; fi
	$(if $(filter smoke,$(PROFILE)),TNN_IMAGENET_DIR=$${TNN_IMAGENET_DIR:-$(SMOKE_IMAGEFOLDER)}) \
	  $(TNN) reproduce --profile $(PROFILE) --jobs $(JOBS) $(if $(OUT),--out $(OUT))

tables: build
	$(TNN) reproduce --render-only

bench: build
	./ci/bench.sh $(BUILD)

data:
	./ci/get-cifar10.sh data

data-check:
	@if [ -z "$(TNN_DATA_DIR)" ]; then ./ci/get-cifar10.sh data; fi

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh')

clean:
	rm -rf build
