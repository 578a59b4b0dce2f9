#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, make a
# small BitNet b1.58 model, and run the furthest stage of the pipeline that
# exists today: mkmodel -> inspect -> check -> compile to tern IR -> generate
# text with the reference interpreter.
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
"$ternc" compile "$model" --emit=tern -o "$build/demo/tiny-i2_s.mlir"
echo "ternc: tern IR written to $build/demo/tiny-i2_s.mlir; its first layer:"
sed -n '1,33p' "$build/demo/tiny-i2_s.mlir"
"$ternc" run "$model" -p "The compiler reads the model" -n 32 --temp 0
