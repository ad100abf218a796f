# Thin wrapper: CMake does the building, ctest the testing.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTAKE_WERROR=ON

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_JOBS ?= $(JOBS)

.PHONY: all deps build test unit-test asan-test fuzz format format-check demo bench-micro package fresh-check clean

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Every test: format, unit, integration (real Dovecot and SMTP server),
# end-to-end and the service under a booted systemd, then the same suite again
# under ASan + UBSan (less the systemd test, which runs the packaged build).
test: build format-check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) asan-test

asan-test: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DINTAKE_WERROR=ON -DINTAKE_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS) -LE systemd

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -L unit -j$(JOBS)

# The libFuzzer targets of tests/fuzz/ (clang, ASan + UBSan), each for FUZZ_SECONDS,
# FUZZ_JOBS at a time; the grown corpora stay in $(FUZZ_BUILD)/corpus, findings go to
# $(FUZZ_BUILD)/artifacts. Not part of `make test`: its replay of past findings is.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTAKE_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target intake_fuzzers
	python3 tests/fuzz/run_fuzzers.py --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check: deps
	clang-format --dry-run -Werror $$(git ls-files '*.cpp' '*.h')

# A throw-away Dovecot and SMTP server on loopback, sample applications, one pass.
demo: build
	python3 scripts/demo.py --binary $(BUILD)/src/intake

# The micro-benchmark of parse -> route -> classify (bench/micro): makes the corpus
# (bench/corpus.py, 200 applications, 44 MB; kept between runs) and runs it
# on one core. BENCH_FLAGS go to Google Benchmark, e.g. --benchmark_filter=text:0.
BENCH_CORPUS ?= $(BUILD)/bench-corpus
BENCH_MESSAGES ?= 200
bench-micro: build
	python3 bench/micro/make_corpus.py --out $(BENCH_CORPUS) --messages $(BENCH_MESSAGES)
	$(BUILD)/bench/micro/intake_bench_micro $(BENCH_FLAGS) $(BENCH_CORPUS)

# The Debian package (build/intake_<version>_<arch>.deb): apt install ./build/intake_*.deb
package: build
	cd $(BUILD) && cpack -G DEB

# make test and make demo from a clean clone of HEAD in a fresh Debian 12 container.
fresh-check:
	scripts/fresh-check

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
