#!/usr/bin/env bash
# ternc beside bitnet.cpp on one I2_S model, in one run: the read-bandwidth
# probe, bitnet.cpp's llama-bench with weights loaded (-mmp 0, its fastest
# mode), and compiled ternc binaries — the default (no flags at all), --mmap,
# --lm-head=int8 and --lm-head=q4 — each with prompt processing (ppN) and
# generation (tgN) tokens/s, generation as a share of the roofline (the bytes
# a decoded token reads / the probe's bandwidth), the ratios to bitnet.cpp,
# the first-token latency (process start to the first token's logits, page
# cache warm) and the peak RSS of that run. ROUNDS rounds run every system in
# turn, so that all see the same drift of a shared machine; the table holds
# medians. With DROP=1, every round also runs the default and --mmap binaries
# right after `echo 1 > /proc/sys/vm/drop_caches` (needs root): the default
# must not depend on the page cache.
#
# A benchmark, not a test: nothing here asserts a time, and CI does not run it.
# bitnet.cpp is built outside the repository: bench/README.md, section
# "Peers: building bitnet.cpp and llama.cpp outside the repository".
#
# Usage: bench/vs-bitnet.sh MODEL.gguf
# Environment: LLAMA_BENCH (bitnet.cpp's llama-bench; required), BUILD
# (build), WORK (a directory for the binaries; default $BUILD/vs-bitnet),
# THREADS (2), PROMPT (128), GEN (32), REPS (3 per round), ROUNDS (3),
# DROP (0).
set -euo pipefail

model=${1:?usage: bench/vs-bitnet.sh MODEL.gguf}
llama_bench=${LLAMA_BENCH:?set LLAMA_BENCH to the llama-bench of bitnet.cpp}
build=${BUILD:-build}
work=${WORK:-$build/vs-bitnet}
ternc=$build/bin/ternc
probe=$build/bin/ternc-bandwidth
threads=${THREADS:-2} prompt=${PROMPT:-128} gen=${GEN:-32} reps=${REPS:-3}
rounds=${ROUNDS:-3} drop=${DROP:-0}
mkdir -p "$work"

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
"$ternc" compile "$model" -o "$work/default" 2> "$work/compile.err"
target=$(sed -n 's/^ternc: note: compiling for \([^,]*\),.*/\1/p' "$work/compile.err")
for head in int8 q4; do
  "$ternc" compile "$model" --lm-head=$head -o "$work/$head" 2> /dev/null
done
"$ternc" inspect --json "$model" > "$work/inspect.json"

# Every system, as "name|command": the ternc ones take --bench's flags after.
systems=(
  "bitnet.cpp -mmp 0|$llama_bench -m $model -t $threads -p $prompt -n $gen -r $reps -mmp 0 -o json"
  "ternc default|$work/default"
  "ternc --mmap|$work/default --mmap"
  "ternc --lm-head=int8|$work/int8"
  "ternc --lm-head=q4|$work/q4"
)
if [ "$drop" = 1 ]; then
  systems+=("ternc default, cache dropped|drop $work/default"
            "ternc --mmap, cache dropped|drop $work/default --mmap")
fi

# Empties the page cache before a run of a "cache dropped" system.
drop_caches() {
  if [ "$dropping" = 1 ]; then
    sync
    echo 1 > /proc/sys/vm/drop_caches
  fi
}

results=$work/results.txt
: > "$results"
run_round() {
  echo "probe|$("$probe" --bytes 1073741824 --repetitions 3 |
    awk -v t="$threads" '$1 == t { print $2 }')" >> "$results"
  for system in "${systems[@]}"; do
    name=${system%%|*} command=${system#*|} dropping=0
    if [[ $command == drop\ * ]]; then
      command=${command#drop } dropping=1
    fi
    if [[ $name == bitnet.cpp* ]]; then
      echo "$name|bench|$($command 2>/dev/null | tr -d '\n')" >> "$results"
      continue
    fi
    drop_caches
    # shellcheck disable=SC2086
    first=$( { /usr/bin/time -f '%e %M' $command --tokens 1 \
      --logits-out "$work/first.bin" > /dev/null; } 2>&1 | tail -n 1)
    echo "$name|first|$first" >> "$results"
    drop_caches
    # shellcheck disable=SC2086
    echo "$name|bench|$($command --bench -p "$prompt" -n "$gen" -r "$reps" \
      -t "$threads" | tr '\n' ';')" >> "$results"
  done
}
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  run_round
done

python3 - "$results" "$work/inspect.json" "$prompt" "$gen" "$threads" \
  "$target" "$cpu" <<'PY'
import json, statistics, sys

results, inspect, prompt, gen, threads, target, cpu = sys.argv[1:]
tensors = {t["name"]: t for t in json.load(open(inspect))["tensors"]}
weights = sum(t["bytes"] for t in tensors.values())
head = tensors.get("output.weight", tensors["token_embd.weight"])
columns, rows = head["shape"]
# Bytes a decoded token reads: every weight once (the tied embedding as the
# LM head; the lookup reads one row), the head in its compiled format.
head_bytes = {
    "f16": head["bytes"],
    "int8": rows * columns + 4 * rows,
    "q4": rows * (columns // 2 + columns // 32) + 4 * rows,
}
def bytes_per_token(name):
    kind = "int8" if "int8" in name else "q4" if "q4" in name else "f16"
    return weights - head["bytes"] + head_bytes[kind]

def markdown_rates(text):
    """{test: t/s} from a ternc binary's --bench table (rows split by ';')."""
    rates, header = {}, None
    for line in text.split(";"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if "test" in cells and "t/s" in cells:
            header = cells
        elif header and len(cells) == len(header) and not cells[0].startswith("-"):
            rates[cells[header.index("test")]] = float(
                cells[header.index("t/s")].split("±")[0])
    return rates

def json_rates(text):
    """{test: t/s} from llama-bench -o json."""
    rates = {}
    for run in json.loads(text):
        test = f"pp{run['n_prompt']}" if run["n_gen"] == 0 else f"tg{run['n_gen']}"
        rates[test] = run["avg_ts"]
    return rates

probes, pp, tg, first, rss, order = [], {}, {}, {}, {}, []
for line in open(results):
    fields = line.rstrip("\n").split("|", 2)
    if fields[0] == "probe":
        probes.append(float(fields[1]))
        continue
    name, kind, payload = fields
    if name not in order:
        order.append(name)
    if kind == "first":
        seconds, kb = payload.split()
        first.setdefault(name, []).append(float(seconds))
        rss.setdefault(name, []).append(int(kb) / 1e6)
        continue
    rates = json_rates(payload) if name.startswith("bitnet.cpp") else markdown_rates(payload)
    pp.setdefault(name, []).append(rates.get(f"pp{prompt}", float("nan")))
    tg.setdefault(name, []).append(rates.get(f"tg{gen}", float("nan")))

median = statistics.median
bandwidth = median(probes)
peer = next(n for n in order if n.startswith("bitnet.cpp"))
print(f"\nCPU: {cpu}; {threads} threads; ternc's default target here: {target}")
print(f"probe (read bandwidth, {threads} threads): median {bandwidth:.1f} GB/s "
      f"over {len(probes)} rounds ({min(probes):.1f}-{max(probes):.1f})")
print(f"| system | pp{prompt} t/s | tg{gen} t/s | GB/token | roofline t/s | "
      f"tg/roofline | pp vs bitnet.cpp | tg vs bitnet.cpp | first token s | peak RSS GB |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for name in order:
    size = bytes_per_token(name) / 1e9
    roofline = bandwidth / size
    p, t = median(pp[name]), median(tg[name])
    f = f"{median(first[name]):.2f}" if name in first else "-"
    r = f"{median(rss[name]):.2f}" if name in rss else "-"
    print(f"| {name} | {p:.1f} | {t:.2f} | {size:.3f} | {roofline:.1f} | "
          f"{100 * t / roofline:.0f}% | {p / median(pp[peer]):.2f}x | "
          f"{t / median(tg[peer]):.2f}x | {f} | {r} |")
PY
