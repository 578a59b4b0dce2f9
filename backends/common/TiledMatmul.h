//===- TiledMatmul.h - Loop nest of the SIMD int8 matmuls -----*- C++ -*-===//
//
// What the SIMD backends' bitlinear_i2s and linear_i8 share: rows are taken
// `Kernel::kRowTile` at a time and every token of the call runs against them
// while they sit in L1 (prefill reuses each weight row from cache, decode
// streams them once), `Kernel::kTokenTile` tokens at a time so that loaded
// (or unpacked) weights serve several tokens. A kernel computes dot products
// of its weight encoding with int8 activations up to a per-token correction
// (I2_S codes are trit + 1, so sum(code * q) - sum(q) is the trit dot
// product); y follows KernelAbi.h's formula exactly. A Kernel supplies
//   static constexpr int kRowTile, kTokenTile;
//   static int32_t correction(const int8_t *q, int64_t in);
//   template <int Rows, int Tokens> static void dots(const uint8_t *w,
//       int64_t rowBytes, const int8_t *q, int64_t in, int32_t *dots);
// (dots[r * Tokens + u] = the biased dot product of row r, rowBytes apart,
// and token u, `in` bytes apart; minus correction(token u) it is exact)
// compiled for its ISA; this header is included by each ISA's translation
// unit.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_TILEDMATMUL_H
#define TERNC_BACKENDS_COMMON_TILEDMATMUL_H

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace ternc::backends {

/// Trits per I2_S block and the bytes that hold them.
inline constexpr int64_t kI2SBlock = 128;
inline constexpr int64_t kI2SBlockBytes = 32;

/// y[t * yStride + r] = (float)(exact dot of row r and token t) / scales[t]
/// * rowScale(r) for `rows` rows of `rowBytes` bytes at `weights`, by
/// `Kernel`'s dot products.
template <typename Kernel, typename RowScale>
void tiledMatmul(const int8_t *q, const float *scales, const uint8_t *weights,
                 int64_t rowBytes, int64_t tokens, int64_t in, int64_t rows,
                 RowScale rowScale, float *y, int64_t yStride) {
  // Corrections of this many tokens are kept on the stack at once.
  constexpr int64_t kTokenChunk = 64;
  auto tile = [&](auto rowsInTile, int64_t row, int64_t t0, int64_t count,
                  const int32_t *corrections) {
    constexpr int kRows = decltype(rowsInTile)::value;
    float rowScales[kRows];
    for (int r = 0; r < kRows; ++r)
      rowScales[r] = rowScale(row + r);
    auto run = [&](auto tokensInTile, int64_t t) {
      constexpr int kTokens = decltype(tokensInTile)::value;
      int32_t dots[kRows * kTokens];
      Kernel::template dots<kRows, kTokens>(weights + row * rowBytes, rowBytes,
                                            q + t * in, in, dots);
      for (int r = 0; r < kRows; ++r)
        for (int u = 0; u < kTokens; ++u)
          y[(t + u) * yStride + row + r] =
              static_cast<float>(dots[r * kTokens + u] -
                                 corrections[t + u - t0]) /
              scales[t + u] * rowScales[r];
    };
    int64_t t = t0;
    for (; t + Kernel::kTokenTile <= t0 + count; t += Kernel::kTokenTile)
      run(std::integral_constant<int, Kernel::kTokenTile>(), t);
    for (; t < t0 + count; ++t)
      run(std::integral_constant<int, 1>(), t);
  };
  for (int64_t t0 = 0; t0 < tokens; t0 += kTokenChunk) {
    const int64_t count = std::min(kTokenChunk, tokens - t0);
    int32_t corrections[kTokenChunk];
    for (int64_t t = 0; t < count; ++t)
      corrections[t] = Kernel::correction(q + (t0 + t) * in, in);
    int64_t row = 0;
    for (; row + Kernel::kRowTile <= rows; row += Kernel::kRowTile)
      tile(std::integral_constant<int, Kernel::kRowTile>(), row, t0, count,
           corrections);
    for (; row < rows; ++row)
      tile(std::integral_constant<int, 1>(), row, t0, count, corrections);
  }
}

/// KernelAbi.h's bitlinear_i2s on `Kernel`'s I2_S code dot products.
template <typename Kernel>
void i2sMatmul(const int8_t *q, const float *scales, const uint8_t *weights,
               int64_t tokens, int64_t in, int64_t rows, float weightScale,
               float *y, int64_t yStride) {
  tiledMatmul<Kernel>(q, scales, weights, in / 4, tokens, in, rows,
                      [=](int64_t) { return weightScale; }, y, yStride);
}

/// KernelAbi.h's linear_i8 on `Kernel`'s int8 dot products.
template <typename Kernel>
void int8Matmul(const int8_t *q, const float *scales, const int8_t *weights,
                const float *rowScales, int64_t tokens, int64_t in,
                int64_t rows, float *y, int64_t yStride) {
  tiledMatmul<Kernel>(q, scales, reinterpret_cast<const uint8_t *>(weights),
                      in, tokens, in, rows,
                      [=](int64_t row) { return rowScales[row]; }, y, yStride);
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_TILEDMATMUL_H
