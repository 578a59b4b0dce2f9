#!/usr/bin/env bash
# What a quantized LM head (--lm-head=int8, q4) costs in accuracy and gains
# in speed on the BitNet b1.58 2B4T-shaped I2_S model: compiles it with the
# stored (f16) LM head and with each of HEADS, runs them on a fixed token set
# (a fixed English text, bench/accuracy-text.txt, through the model's
# tokenizer), and prints how often each agrees with the f16 head on the top
# token and the KL divergence of its distribution from the f16 one's
# (--kl-divergence-base, as llama-perplexity --kl-divergence; it also prints
# the f16 head's mean entropy). Then the decode speed of all, each right
# after a bandwidth probe.
#
# mkmodel's weights are random, not trained, and their next-token
# distributions nearly flat (entropy about ln(128256) = 11.8 nats), which
# makes KL divergence and top-token agreement say little; GAIN, passed to
# mkmodel --output-norm-gain, peaks them as a trained model's are (2-4
# nats; 2B4T shapes with seed 1 at GAIN=50: 3.06 nats for arch llama).
# The model made here is arch llama (ARCH), whose LM head is its own
# tensor: with a tied head (bitnet-b1.58) quantizing it also changes the
# embedding rows the first layer reads, and a random 30-layer network
# amplifies any change of its input until top tokens agree by chance (an
# f32 instead of f16 embedding alone gave 0 of 476), so only an untied head
# measures the head. The figures still measure the quantization noise
# against random weights, not a trained model's loss.
#
# Usage: bench/lm-head-accuracy.sh [BUILD_DIR] [WORK_DIR] [MODEL.gguf]
# Environment: TARGET (native), THREADS (2), GEN (32), REPS (3),
# HEADS ("int8"; e.g. "int8 q4"), ARCH (llama) and GAIN (50) for a model
# made here, SPEED (1; 0 skips the decode speed runs).
set -euo pipefail

build=${1:-build}
work=${2:-$build/bench-2b4t}
model=${3:-$work/2b4t-${ARCH:-llama}-gain${GAIN:-50}-i2_s.gguf}
ternc=$build/bin/ternc
probe=$build/bin/ternc-bandwidth
target=${TARGET:-native} threads=${THREADS:-2} gen=${GEN:-32} reps=${REPS:-3}
heads=${HEADS:-int8} arch=${ARCH:-llama} gain=${GAIN:-50} speed=${SPEED:-1}
text=$(dirname "$0")/accuracy-text.txt
mkdir -p "$work"

[ -f "$model" ] || "$ternc" mkmodel --arch "$arch" --preset 2b4t \
  --weight-type i2_s --output-norm-gain "$gain" -o "$model" > /dev/null
tokens=$("$ternc" tokenize "$model" -f "$text" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
count=$(tr ',' '\n' <<< "$tokens" | wc -l)

for head in stored $heads; do
  "$ternc" compile "$model" --target="$target" --lm-head=$head -o "$work/2b4t-$target-$head"
done
"$work/2b4t-$target-stored" --tokens "$tokens" --logits-out "$work/stored.logits" -t "$threads" > /dev/null
for head in $heads; do
  echo "$count tokens of $(basename "$text"), $target, $head LM head against the stored one:"
  "$work/2b4t-$target-$head" --tokens "$tokens" --kl-divergence-base "$work/stored.logits" -t "$threads"
done
rm -f "$work/stored.logits"

[ "$speed" = 1 ] || exit 0
echo
for head in stored $heads; do
  echo "--lm-head=$head, $threads threads; read bandwidth just before:"
  "$probe" --bytes 1073741824 --repetitions 3 | awk -v t="$threads" '$1 == t { print "  " $2 " GB/s" }'
  "$work/2b4t-$target-$head" --bench -p 0 -n "$gen" -r "$reps" -t "$threads"
done
