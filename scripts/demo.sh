#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, make a
# small BitNet b1.58 model, check it, compile it to a native executable and
# run that: mkmodel -> inspect -> check -> compile (showing the kernel-level
# IR of the first layer) -> ./tiny-i2_s -p ... -> benchmark.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${TERNC_BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

ternc="$build/bin/ternc"
model="$build/demo/tiny-i2_s.gguf"
mkdir -p "$build/demo"
"$ternc" mkmodel --arch bitnet-b1.58 --preset tiny --weight-type i2_s \
  --seed 1 -o "$model"
"$ternc" inspect "$model"
"$ternc" check "$model"
"$ternc" compile "$model" --emit=kernel -o "$build/demo/tiny-i2_s.kernel.mlir"
echo "ternc: the model lowered to runtime kernel calls (first lines of decode):"
grep -m 12 -E 'func.func @tern_model_decode|call @tern_exec' \
  "$build/demo/tiny-i2_s.kernel.mlir"
"$ternc" compile "$model" -o "$build/demo/tiny-i2_s"
echo "ternc: compiled $build/demo/tiny-i2_s ($(stat -c %s "$build/demo/tiny-i2_s") bytes); running it:"
"$build/demo/tiny-i2_s" -p "The compiler reads the model" -n 32 --temp 0
"$build/demo/tiny-i2_s" --bench -p 32 -n 16 -r 3
