#!/bin/sh
#===- fake-model-test.sh - Link and run a compiled model binary ------------===#
#
# Usage: fake-model-test.sh CXX WORKDIR LINK_FLAGS OBJECT LIB...
#
# Links OBJECT (a stand-in for what `ternc compile` emits) with the runtime's
# static libraries exactly in the order given, as the compiler driver will,
# then runs the program in every mode and checks its output and exit codes.
# LINK_FLAGS (one word-split argument, possibly empty) are the build's own,
# e.g. the sanitizers'.
#
#===------------------------------------------------------------------------===#

set -eu
cxx=$1 work=$2 flags=$3
shift 3
mkdir -p "$work"
bin=$work/fake-model
# The flags of ternc compile's link step (compiler/codegen/Link.cpp).
# shellcheck disable=SC2086
"$cxx" -o "$bin" "$@" $flags -static-libstdc++ -static-libgcc -pthread -lm

fail() { echo "FAIL: $*" >&2; exit 1; }

# Eval: ternc eval's line and file size (3 tokens x 1024 logits x 4 bytes).
"$bin" --tokens 1,2,3 --step 2 --logits-out "$work/l.bin" > "$work/out" ||
  fail "eval exited with $?"
grep -qx "wrote 3 x 1024 f32 logits to $work/l.bin" "$work/out" ||
  fail "eval printed: $(cat "$work/out")"
[ "$(wc -c < "$work/l.bin")" -eq 12288 ] || fail "logits file size"
# Weights in place (--mmap, locked or not) give the same bytes as the
# resident copy.
for flags in --mmap "--mmap --mlock" --mlock; do
  # shellcheck disable=SC2086
  "$bin" $flags --tokens 1,2,3 --logits-out "$work/l2.bin" > /dev/null ||
    fail "$flags exited with $?"
  cmp -s "$work/l.bin" "$work/l2.bin" || fail "$flags changed the logits"
done

# Generation: text on stdout, the statistics line on stderr.
"$bin" -p "Hello" -n 4 --temp 0 -t 2 > "$work/text" 2> "$work/err" ||
  fail "generation exited with $?"
grep -q "^fake-model: info: .* prompt tokens in .* (generic backend, 2 threads), seed " \
  "$work/err" || fail "generation stats: $(cat "$work/err")"

# Bench: a markdown table with both tests.
"$bin" --bench -p 16 -n 4 -r 1 -t 1 > "$work/bench" || fail "bench failed"
grep -q "| *pp16 |" "$work/bench" || fail "no pp16 row: $(cat "$work/bench")"
grep -q "| *tg4 |" "$work/bench" || fail "no tg4 row: $(cat "$work/bench")"

# A bad flag: one line on stderr, nothing on stdout, exit code 1.
set +e
"$bin" --frobnicate > "$work/out" 2> "$work/err"
code=$?
set -e
[ "$code" -eq 1 ] || fail "bad flag exit code $code"
[ ! -s "$work/out" ] || fail "bad flag wrote to stdout"
grep -qx "fake-model: error: unknown flag '--frobnicate' (see --help)" \
  "$work/err" || fail "bad flag message: $(cat "$work/err")"
echo "fake compiled model: OK"
