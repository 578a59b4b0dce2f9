#!/usr/bin/env bash
# What --lm-head=int8 costs in accuracy and gains in speed on the BitNet
# b1.58 2B4T-shaped I2_S model: compiles it with the stored (f16) LM head
# and with the int8 one, runs both on a fixed token set (a fixed English
# text, bench/accuracy-text.txt, through the model's tokenizer), and prints
# how often the two agree on the top token and the KL divergence of the int8
# head's distribution from the f16 one's (--kl-divergence-base, as
# llama-perplexity --kl-divergence). Then the decode speed of both, each
# right after a bandwidth probe.
#
# mkmodel's weights are random, not trained: the figures measure the
# quantization noise against random logits, not a trained model's loss.
#
# Usage: bench/lm-head-accuracy.sh [BUILD_DIR] [WORK_DIR] [MODEL.gguf]
# Environment: TARGET (native), THREADS (2), GEN (32), REPS (3).
set -euo pipefail

build=${1:-build}
work=${2:-$build/bench-2b4t}
model=${3:-$work/2b4t-i2_s.gguf}
ternc=$build/bin/ternc
probe=$build/bin/ternc-bandwidth
target=${TARGET:-native} threads=${THREADS:-2} gen=${GEN:-32} reps=${REPS:-3}
text=$(dirname "$0")/accuracy-text.txt
mkdir -p "$work"

[ -f "$model" ] || "$ternc" mkmodel --preset 2b4t --weight-type i2_s -o "$model" > /dev/null
tokens=$("$ternc" tokenize "$model" -f "$text" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
count=$(tr ',' '\n' <<< "$tokens" | wc -l)

for head in stored int8; do
  "$ternc" compile "$model" --target="$target" --lm-head=$head -o "$work/2b4t-$target-$head"
done
"$work/2b4t-$target-stored" --tokens "$tokens" --logits-out "$work/stored.logits" -t "$threads" > /dev/null
echo "$count tokens of $(basename "$text"), $target, int8 LM head against the stored one:"
"$work/2b4t-$target-int8" --tokens "$tokens" --kl-divergence-base "$work/stored.logits" -t "$threads"
rm -f "$work/stored.logits"

echo
for head in stored int8; do
  echo "--lm-head=$head, $threads threads; read bandwidth just before:"
  "$probe" --bytes 1073741824 --repetitions 3 | awk -v t="$threads" '$1 == t { print "  " $2 " GB/s" }'
  "$work/2b4t-$target-$head" --bench -p 0 -n "$gen" -r "$reps" -t "$threads"
done
