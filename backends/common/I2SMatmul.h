//===- I2SMatmul.h - The loop nest of SIMD I2_S ternary matmuls -*- C++ -*-===//
//
// What the SIMD backends' bitlinear_i2s share: rows are taken `Isa::kRowTile`
// at a time and every token of the call runs against them while they sit in
// L1 (prefill reuses each weight row from cache, decode streams them once),
// `Isa::kTokenTile` tokens at a time so that unpacked codes serve several
// tokens; the exact dot product of trits t = code - 1 with int8 activations
// q is sum(code * q) - sum(q), and y follows KernelAbi.h's formula exactly.
// An Isa supplies
//   static int32_t activationSum(const int8_t *q, int64_t in);
//   template <int Rows, int Tokens> static void codeDots(const uint8_t *w,
//       int64_t rowBytes, const int8_t *q, int64_t in, int64_t blocks,
//       int32_t *dots);
// (dots[r * Tokens + u] = sum(code * q) of row r, rowBytes apart, and token
// u, `in` bytes apart) compiled for its ISA; this header is included by each
// ISA's translation unit.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_I2SMATMUL_H
#define TERNC_BACKENDS_COMMON_I2SMATMUL_H

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace ternc::backends {

/// Trits per I2_S block and the bytes that hold them.
inline constexpr int64_t kI2SBlock = 128;
inline constexpr int64_t kI2SBlockBytes = 32;

/// KernelAbi.h's bitlinear_i2s on `Isa`'s dot products.
template <typename Isa>
void i2sMatmul(const int8_t *q, const float *scales, const uint8_t *weights,
               int64_t tokens, int64_t in, int64_t rows, float weightScale,
               float *y, int64_t yStride) {
  // Activation sums of this many tokens are kept on the stack at once.
  constexpr int64_t kTokenChunk = 64;
  const int64_t rowBytes = in / 4, blocks = in / kI2SBlock;
  auto tile = [&](auto rowsInTile, int64_t row, int64_t t0, int64_t count,
                  const int32_t *sums) {
    constexpr int kRows = decltype(rowsInTile)::value;
    auto run = [&](auto tokensInTile, int64_t t) {
      constexpr int kTokens = decltype(tokensInTile)::value;
      int32_t dots[kRows * kTokens];
      Isa::template codeDots<kRows, kTokens>(weights + row * rowBytes,
                                             rowBytes, q + t * in, in, blocks,
                                             dots);
      for (int r = 0; r < kRows; ++r)
        for (int u = 0; u < kTokens; ++u)
          y[(t + u) * yStride + row + r] =
              static_cast<float>(dots[r * kTokens + u] - sums[t + u - t0]) /
              scales[t + u] * weightScale;
    };
    int64_t t = t0;
    for (; t + Isa::kTokenTile <= t0 + count; t += Isa::kTokenTile)
      run(std::integral_constant<int, Isa::kTokenTile>(), t);
    for (; t < t0 + count; ++t)
      run(std::integral_constant<int, 1>(), t);
  };
  for (int64_t t0 = 0; t0 < tokens; t0 += kTokenChunk) {
    const int64_t count = std::min(kTokenChunk, tokens - t0);
    int32_t sums[kTokenChunk];
    for (int64_t t = 0; t < count; ++t)
      sums[t] = Isa::activationSum(q + (t0 + t) * in, in);
    int64_t row = 0;
    for (; row + Isa::kRowTile <= rows; row += Isa::kRowTile)
      tile(std::integral_constant<int, Isa::kRowTile>(), row, t0, count, sums);
    for (; row < rows; ++row)
      tile(std::integral_constant<int, 1>(), row, t0, count, sums);
  }
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_I2SMATMUL_H
