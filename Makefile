# Thin front door over CMake: `make demo` and `make check` are the two
# commands a newcomer needs (README, Quick start).
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build asan check check-fast demo bench format clean install

all: build

build:
	@scripts/deps.sh build
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan:
	@scripts/deps.sh test
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DDBW_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS)

# Every test, twice: the release build and the ASan+UBSan build, each under a
# throwaway PostgreSQL cluster (scripts/with-postgres.sh).
check: build asan
	@scripts/with-postgres.sh scripts/run-tests.sh $(BUILD) $(BUILD_ASAN)

# The release build only: quicker while working.
check-fast: build
	@scripts/deps.sh test
	@scripts/with-postgres.sh scripts/run-tests.sh $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/dbward

bench: build
	@scripts/deps.sh bench
	@scripts/with-postgres.sh bench/run.sh $(BUILD)/dbward

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
