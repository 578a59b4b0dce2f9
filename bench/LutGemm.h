//===- LutGemm.h - A lookup-table ternary GEMM (prefill study) --*- C++ -*-===//
//
// The prototype that ternc-lut-gemm-bench (LutGemmBench.cpp) compares with
// the backends' multiply-add bitlinear_i2s: the same result (KernelAbi.h's
// formula, the dot products exact in int32) from weights repacked for
// lookups, and register-only ceiling loops of each instruction mix. Built
// with AVX-512 F/BW/VL/VNNI and AMX (LutGemm.cpp); call nothing here unless
// lutGemmSupported(), and the AMX ceiling only if amxUsable() too.
//
// Layout: the trits of a row are taken three at a time (a group; a row's last
// group is padded with zero trits) and a group becomes an index 0..26 = 9 c0
// + 3 c1 + c2 of its codes c = trit + 1. Rows are packed in blocks of 32; a
// block stores, per pair of groups (2p, 2p + 1), 64 bytes: byte 2w + h is
// the index of row w of the block, group 2p + h. So a 64-byte load is 32
// 16-bit lanes, one per row, whose low 5 bits index group 2p and whose high
// byte indexes group 2p + 1: 1 byte per 3 trits (2.67 bits per weight).
//
// Per call and token, each group of three activations becomes a table of its
// 27 partial sums (trits . activations, int16, one zmm of 32 words). One
// vpermw then looks up a group's partial sums for 32 rows at once: 96
// multiply-adds for one shuffle and one 16-bit add, against 64 for one
// vpdpbusd. See LutGemm.cpp for the loop nest and the exactness argument.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BENCH_LUTGEMM_H
#define TERNC_BENCH_LUTGEMM_H

#include <cstdint>

namespace ternc::bench {

/// Rows per packed block: one 16-bit lane of a zmm each.
inline constexpr int64_t kLutBlockRows = 32;

/// Whether this CPU runs the LUT kernel (AVX-512 F/BW/VL/VNNI).
bool lutGemmSupported();

/// Bytes of `rows` (a multiple of kLutBlockRows) by `in` weights packed.
int64_t lutPackedBytes(int64_t rows, int64_t in);

/// Repacks `rows` I2_S rows of `in` trits (KernelAbi.h's layout) into
/// `packed` (lutPackedBytes of them) — what ternc would do at compile time.
void lutPack(const uint8_t *i2s, int64_t rows, int64_t in, uint8_t *packed);

/// Bytes of scratch a call with `in` inputs needs (the tables of a tile of
/// tokens).
int64_t lutScratchBytes(int64_t in);

/// KernelAbi.h's bitlinear_i2s on weights packed by lutPack (rows a multiple
/// of kLutBlockRows); `scratch` (lutScratchBytes(in), 64-byte aligned) is
/// overwritten.
void lutBitLinear(const int8_t *q, const float *scales, const uint8_t *packed,
                  int64_t tokens, int64_t in, int64_t rows, float weightScale,
                  float *y, int64_t yStride, void *scratch);

/// Register-only throughput loops: the ceiling of each way to do ternary
/// multiply-adds on this core, free of loads and loop nests. Each runs
/// `steps` steps of independent chains and returns a value that depends on
/// all of them; a step stands for kCeilingMacsPerStep multiply-adds of its
/// kind.
enum class Ceiling {
  /// 12 vpdpbusd zmm: 64 int8 multiply-adds each (the backends' kernel).
  MultiplyAdd,
  /// 12 vpermw + vpaddw zmm: 32 lookups of 3 trits each (lutBitLinear).
  Lookup,
  /// 4 AMX tdpbusd of 16x64 by 64x16 int8 tiles (needs amxUsable()).
  AmxTile,
};
inline constexpr int64_t kCeilingMacsPerStep[] = {12 * 64, 12 * 32 * 3,
                                                  4 * 16 * 16 * 64};
int64_t runCeiling(Ceiling ceiling, int64_t steps);

/// Whether this CPU has AMX-INT8 and the OS lets this process use the tile
/// registers (Linux grants them on request; the request is made here).
bool amxUsable();

} // namespace ternc::bench

#endif // TERNC_BENCH_LUTGEMM_H
