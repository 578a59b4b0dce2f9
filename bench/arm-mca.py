#!/usr/bin/env python3
"""Estimates, without ARM hardware, how fast the AArch64 backends' decode
inner loops consume weights, with llvm-mca-19 (static pipeline models of
each core, not measurements).

Each kernel source is compiled for aarch64 with its target's flags; the
largest single-block loop of the kernel function (its innermost hot loop) is
cut out of the assembly and given to llvm-mca for each CPU. The table prints
cycles per iteration, the weight bytes one iteration reads, and so the bytes
per cycle one core can consume (for arm-i8mm, per two tokens of a
prompt: it serves prefill), beside the bytes per cycle each core must
consume for the chip's memory bandwidth to be the limit with all cores busy
(bandwidth / cores / clock; docs/adding-a-backend.md gives the chips).

Usage: bench/arm-mca.py [--verbose]
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (kernel, source, compile flags, function, weight bytes per loop iteration,
#  the CPU features it needs)
KERNELS = [
    ("arm-neon bitlinear_i2s", "backends/arm-neon/NeonMatmuls.cpp",
     ["-march=armv8-a"], "neon_bitlinear_i2s", 32, set()),
    ("arm-dotprod bitlinear_i2s (2 rows)",
     "backends/arm-dotprod/DotprodMatmuls.cpp",
     ["-march=armv8.2-a+dotprod"], "dotprod_bitlinear_i2s", 64, {"dotprod"}),
    ("arm-i8mm bitlinear_i2s (2 rows x 2 tokens)",
     "backends/arm-i8mm/I8mmBitLinear.cpp",
     ["-march=armv8.6-a+i8mm+dotprod"], "i8mm_bitlinear_i2s", 64,
     {"dotprod", "i8mm"}),
    ("arm-neon linear_f16 (4 rows)", "backends/arm-neon/NeonMatmuls.cpp",
     ["-march=armv8-a"], "neon_linear_f16", 8, set()),
]

# (llvm -mcpu, chip, GB/s, cores, GHz, features): where decode runs on these
# cores.
CHIPS = [
    ("cortex-a76", "Raspberry Pi 5", 17.0, 4, 2.4, {"dotprod"}),
    ("neoverse-n1", "Graviton2", 204.8, 64, 2.5, {"dotprod"}),
    ("neoverse-v1", "Graviton3", 307.2, 64, 2.6, {"dotprod", "i8mm"}),
]


def hot_loop(assembly, function):
    """The instructions of the largest block of `function` that branches
    back to its own label."""
    start = re.search(r"^(_Z\d+%s\w*|%s):" % (function, function), assembly,
                      re.M)
    if not start:
        sys.exit(f"{function}: not found in the assembly")
    end = assembly.find(".Lfunc_end", start.end())
    body = assembly[start.end():end].splitlines()
    best, label, block = [], None, []
    for line in body:
        match = re.match(r"^(\.LBB\w+):", line)
        if match:
            label, block = match.group(1), []
            continue
        text = line.split("//")[0].strip()
        if not text or text.startswith("."):
            continue
        block.append(text)
        if label and re.match(r"^(b\.\w+|cbnz|cbz|tbnz|tbz)\s+(.*,\s*)?%s$" %
                              re.escape(label), text):
            if len(block) > len(best):
                best = list(block)
            label = None
    if not best:
        sys.exit(f"{function}: no single-block loop found")
    return best


def cycles_per_iteration(loop, cpu):
    with tempfile.NamedTemporaryFile("w", suffix=".s", delete=False) as f:
        f.write("\n".join(loop) + "\n")
        path = f.name
    try:
        report = subprocess.run(
            ["llvm-mca-19", "-mtriple=aarch64", f"-mcpu={cpu}",
             "-iterations=200", path],
            check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    iterations = int(re.search(r"Iterations:\s+(\d+)", report).group(1))
    cycles = int(re.search(r"Total Cycles:\s+(\d+)", report).group(1))
    return cycles / iterations


def main():
    verbose = "--verbose" in sys.argv
    print("llvm-mca-19 estimates (static models, not measurements)")
    print(f"{'kernel':42} {'cpu':12} {'cycles/iter':>11} {'bytes/iter':>10} "
          f"{'bytes/cycle':>11} {'needed':>7}  chip")
    for name, source, flags, function, bytes_per_iteration, needs in KERNELS:
        assembly = subprocess.run(
            ["clang++-19", "--target=aarch64-linux-gnu", "-O3", "-std=c++17",
             "-ffp-contract=off", f"-I{ROOT}", "-S", "-o", "-",
             os.path.join(ROOT, source)] + flags,
            check=True, capture_output=True, text=True).stdout
        loop = hot_loop(assembly, function)
        if verbose:
            print(f"--- {name}: {len(loop)} instructions\n" + "\n".join(loop))
        for cpu, chip, bandwidth, cores, ghz, features in CHIPS:
            if not needs <= features:
                continue
            cycles = cycles_per_iteration(loop, cpu)
            needed = bandwidth / cores / ghz
            print(f"{name:42} {cpu:12} {cycles:11.2f} {bytes_per_iteration:10d} "
                  f"{bytes_per_iteration / cycles:11.2f} {needed:7.2f}  "
                  f"{chip} ({bandwidth:g} GB/s, {cores} cores, {ghz:g} GHz)")


if __name__ == "__main__":
    main()
