# Thin wrapper: CMake does the building, ctest the testing.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTAKE_WERROR=ON

.PHONY: all deps build test unit-test asan-test format format-check demo clean

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Every test: format, unit, integration (real Dovecot and SMTP server) and
# end-to-end, then the same suite again under ASan + UBSan.
test: build format-check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) asan-test

asan-test: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DINTAKE_WERROR=ON -DINTAKE_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -L unit -j$(JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check: deps
	clang-format --dry-run -Werror $$(git ls-files '*.cpp' '*.h')

# A throw-away Dovecot and SMTP server on loopback, sample applications, one pass.
demo: build
	python3 scripts/demo.py --binary $(BUILD)/src/intake

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
