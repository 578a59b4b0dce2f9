#!/usr/bin/env bash
# Compiles one generated model to a native executable and checks it against
# the reference interpreter on the same file:
#  - logits of a 20-token sequence, all at once (a decode-free path through
#    three 8-token prefill chunks, the last padded) and 3 tokens per call
#    (prefill chunks and single-token decodes), are byte-identical to
#    `ternc eval`: every backend's kernels reproduce the reference bit for
#    bit (the conformance suite) and the compiled code calls them in the
#    interpreter's order, so the bound is exact equality;
#  - 64 greedily generated tokens give the same text as `ternc run`.
#
# MODEL_FLAG (e.g. --lm-head=int8) goes to compile, eval and run alike.
# TERNC_RUNNER, when set, is the command the executable runs under (e.g.
# "qemu-aarch64 -cpu cortex-a53 -L /usr/aarch64-linux-gnu" for arm-*).
#
# Usage: compiled-matches-reference.sh WORKDIR ARCH WEIGHT_TYPE [EMBED_TYPE [TARGET [MODEL_FLAG]]]
set -euo pipefail

dir=$1 arch=$2 weights=$3 embedding=${4:-f16} target=${5:-generic} flag=${6:-}
model=$dir/$arch-$weights-$embedding-$target${flag//[^a-z0-9]/}
shape=(--prefill-chunk 8 --ctx 96 ${flag:+"$flag"})
tokens=5,17,300,2,999,64,128,1000,7,7,7,42,511,256,3,900,12,640,77,1
prompt="The compiler reads the model and writes"

ternc mkmodel --arch "$arch" --weight-type "$weights" --embed-type "$embedding" \
  --seed 5 -o "$model.gguf" > /dev/null
ternc compile "$model.gguf" "${shape[@]}" --target="$target" -o "$model.exe"

ternc eval "$model.gguf" "${shape[@]}" --tokens $tokens \
  --logits-out "$model.ref" > /dev/null
runner=(${TERNC_RUNNER:-})
"${runner[@]}" "$model.exe" --tokens $tokens --logits-out "$model.all" > /dev/null
"${runner[@]}" "$model.exe" --tokens $tokens --step 3 --logits-out "$model.step" > /dev/null
cmp "$model.ref" "$model.all"
cmp "$model.ref" "$model.step"

ternc run "$model.gguf" "${shape[@]}" -p "$prompt" -n 64 --temp 0 \
  > "$model.ref.txt" 2> /dev/null
"${runner[@]}" "$model.exe" -p "$prompt" -n 64 --temp 0 > "$model.exe.txt" 2> /dev/null
cmp "$model.ref.txt" "$model.exe.txt"
test -s "$model.exe.txt"
echo "$arch $weights $embedding $target${flag:+ $flag}: compiled == reference"
