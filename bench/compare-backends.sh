#!/usr/bin/env bash
# The end-to-end benchmark of issue 6: makes the BitNet b1.58 2B4T-shaped
# I2_S model, compiles it for each backend, runs each binary's llama-bench
# style --bench, and prints one table with prompt and generation tokens/s,
# the bytes a decoded token reads, and generation as a share of the
# roofline (bytes per token / the read bandwidth measured just before that
# backend's run, with the same thread count).
#
# Usage: bench/compare-backends.sh [BUILD_DIR] [WORK_DIR]
# Environment: TARGETS (default: every backend this CPU runs), LM_HEADS
# (stored; "stored int8" adds --lm-head=int8 builds), THREADS (2), PROMPT
# (128), GEN (32), REPS (3), MMAP (empty, or 1 for --mmap: weights in place).
set -euo pipefail

build=${1:-build}
work=${2:-$build/bench-2b4t}
ternc=$build/bin/ternc
probe=$build/bin/ternc-bandwidth
threads=${THREADS:-2} prompt=${PROMPT:-128} gen=${GEN:-32} reps=${REPS:-3}
heads=${LM_HEADS:-stored}
placement=${MMAP:+--mmap}
mkdir -p "$work"

model=$work/2b4t-i2_s.gguf
[ -f "$model" ] || "$ternc" mkmodel --preset 2b4t --weight-type i2_s -o "$model" > /dev/null
if [ -z "${TARGETS:-}" ]; then
  TARGETS=generic
  for candidate in x86-avx2 x86-avx512; do
    "$ternc" compile --list-targets | grep -q "^  $candidate " && TARGETS="$TARGETS $candidate"
  done
fi

# Every tensor is read once per decoded token (the tied embedding as the LM
# head; the embedding lookup itself reads one row). An int8 LM head is one
# byte per weight plus an f32 scale per row.
bytes_per_token() {
  "$ternc" inspect --json "$model" | python3 -c '
import json, sys
tensors = {t["name"]: t for t in json.load(sys.stdin)["tensors"]}
total = sum(t["bytes"] for t in tensors.values())
if sys.argv[1] == "int8":
    head = tensors.get("output.weight", tensors["token_embd.weight"])
    columns, rows = head["shape"]
    total += rows * columns + 4 * rows - head["bytes"]
print(total)' "$1"
}

# The probe's median GB/s with $threads threads.
bandwidth() {
  "$probe" --bytes 1073741824 --repetitions 3 |
    awk -v t="$threads" '$1 == t { print $2 }'
}
# The mean tokens/s of the row named $2 in bench output $1.
rate() { awk -F'|' -v test="$2" '$5 ~ test { split($6, a, "±"); gsub(/ /, "", a[1]); print a[1] }' <<< "$1"; }

rows=()
for target in $TARGETS; do
for head in $heads; do
  binary=$work/2b4t-$target-$head
  "$ternc" compile "$model" --target="$target" --lm-head="$head" -o "$binary"
  if ! "$binary" --version > /dev/null 2>&1; then
    echo "skipping $target: this CPU cannot run it" >&2
    continue
  fi
  bytes=$(bytes_per_token "$head")
  gbps=$(bandwidth)
  output=$("$binary" --bench -p "$prompt" -n "$gen" -r "$reps" -t "$threads" $placement)
  echo "$output" >&2
  pp=$(rate "$output" "pp$prompt")
  tg=$(rate "$output" "tg$gen")
  rows+=("$(python3 - "$target" "$head" "$pp" "$tg" "$bytes" "$gbps" <<'PY'
import sys
target, head = sys.argv[1], sys.argv[2]
pp, tg, size, gbps = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
roofline = gbps * 1e9 / size
print(f"| {target:<12} | {head:<7} | {pp:>9.2f} | {tg:>9.2f} | {size / 1e9:>8.3f} | {gbps:>9.1f} | {roofline:>9.1f} | {100 * tg / roofline:>6.1f}% |")
PY
)")
done
done

echo
echo "2b4t I2_S, $threads threads, weights ${placement:+mapped}${placement:-resident}; bandwidth measured before each backend"
echo "| target       | LM head | pp$prompt t/s | tg$gen t/s | GB/token | read GB/s | roofline | tg/roofline |"
echo "| ------------ | ------- | --------: | --------: | -------: | --------: | --------: | ------: |"
printf '%s\n' "${rows[@]}"
