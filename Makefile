# SPDX-License-Identifier: MIT
# `make demo` and `make test` install what is missing (Debian 12), build,
# and run. The build itself is Meson + Ninja; this file only drives it.

BUILD := build
ASAN_BUILD := build-asan
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all setup demo test test-normal test-asan fuzz bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

setup:
	sh tools/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

$(ASAN_BUILD)/build.ninja:
	CC=clang meson setup $(ASAN_BUILD) --buildtype=debug \
	    -Db_sanitize=address,undefined -Db_lundef=false

demo: setup all
	cd examples && ../$(BUILD)/nhi check . && { ../$(BUILD)/nhi audit .; test $$? -le 1; }

test: setup test-normal test-asan

test-normal: $(BUILD)/build.ninja
	ninja -C $(BUILD)
	meson test -C $(BUILD) --print-errorlogs

test-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=detect_leaks=1 \
	    meson test -C $(ASAN_BUILD) --print-errorlogs

# libFuzzer harnesses, built with clang in their own build folder, each
# fuzzed for FUZZ_SECONDS.
FUZZ_HARNESSES := yaml authz credreport condition github gitlab k8s eks

fuzz:
	for harness in $(FUZZ_HARNESSES); do \
	    sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $$harness || exit 1; \
	done

bench: all
	sh bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
