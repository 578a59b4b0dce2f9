//===- TritDensity.h - A 1.6-bit ternary layout (decode study) --*- C++ -*-===//
//
// The prototype that ternc-trit-density-bench (TritDensityBench.cpp) times
// against the backends' 2-bit I2_S decode: five trits per byte, as llama.cpp's
// TQ1_0 packs them (1.6 bits per weight against 2), to see whether fewer
// bytes per token pay for a costlier decode where decode is bound by memory
// bandwidth.
//
// Layout: a row of `in` trits (a multiple of 320) is blocks of 64 bytes;
// byte j of a block holds the codes c = trit + 1 of its elements j, 64 + j,
// 128 + j, 192 + j and 256 + j as the base-3 number c0 + 3 c1 + 9 c2 + 27 c3
// + 81 c4 (0..242). Decode looks each digit up with AVX-512 VBMI byte
// permutes (two 128-entry tables and a blend on the byte's top bit per
// digit), which gives 64 codes in element order for one vpdpbusd: 4 shuffles
// and 1 multiply-add per 64 trits. (TQ1_0 itself decodes with multiplies on
// a fixed-point base-3 code in 256-element blocks; the arithmetic is the
// same order of work.) Built with AVX-512 F/BW/VNNI/VBMI (TritDensity.cpp):
// call nothing here unless tritDensitySupported().
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BENCH_TRITDENSITY_H
#define TERNC_BENCH_TRITDENSITY_H

#include <cstdint>
#include <vector>

namespace ternc::bench {

/// Trits per block of the five-trit layout (64 bytes).
constexpr int64_t kFiveTritBlock = 320;

/// Whether this CPU runs the five-trit decode (AVX-512 F/BW/VNNI/VBMI).
bool tritDensitySupported();

/// The five-trit bytes of `count` fixed-seed random trits (`count` a multiple
/// of kFiveTritBlock), uniform over -1, 0, +1.
std::vector<uint8_t> randomFiveTritBytes(int64_t count, uint64_t seed);

/// The code (trit + 1) of element k of the five-trit row `row`.
int fiveTritCode(const uint8_t *row, int64_t k);

/// dots[r] = sum over k of code(r, k) * q[k] for the `rows` five-trit rows
/// of `in` trits at `weights` (consecutive, in / 5 bytes each): the integer
/// part of a decode matmul, before the -sum(q) correction and the scales.
void fiveTritDots(const uint8_t *weights, int64_t rows, int64_t in,
                  const int8_t *q, int32_t *dots);

} // namespace ternc::bench

#endif // TERNC_BENCH_TRITDENSITY_H
