//===- TiledMatmul.h - Loop nest of the SIMD int8 matmuls -----*- C++ -*-===//
//
// What the SIMD backends' bitlinear_i2s, linear_i8 and linear_q4 share: rows
// are taken `Kernel::kRowTile` at a time and every token of the call runs
// against them while they sit in L1 (prefill reuses each weight row from
// cache, decode streams them once), `Kernel::kTokenTile` tokens at a time so
// that loaded (or unpacked) weights serve several tokens. A kernel computes
// dot products of its weight encoding with int8 activations up to a
// per-token correction (I2_S codes are trit + 1, so sum(code * q) - sum(q)
// is the trit dot product); y follows KernelAbi.h's formula exactly. A
// Kernel supplies
//   static constexpr int kRowTile, kTokenTile;
//   static int32_t correction(const int8_t *q, int64_t in);
//   template <int Rows, int Tokens> static void dots(const uint8_t *w,
//       int64_t rowBytes, const int8_t *q, int64_t in, int32_t *dots);
// (dots[u * Rows + r] = the biased dot product of row r, rowBytes apart,
// and token u, qStride bytes apart (tiledMatmul's argument, `in` unless the
// kernel's caller appends something to each token's activations); minus
// correction(token u) it is exact; token-major so that each token's rows
// convert as one vector)
// compiled for its ISA; this header is included by each ISA's translation
// unit. A Kernel whose weights are better prepared once per tile of rows
// (e.g. unpacked) for all the tokens that run against them supplies instead
// of dots a row tile, constructed once per tile and token chunk:
//   template <int Rows> struct RowTile {
//     RowTile(const uint8_t *weights, int64_t row, int64_t rowBytes,
//             int64_t in, int64_t tokens);
//     template <int Tokens> void dots(const int8_t *q, int64_t in,
//                                     int32_t *dots);
//   };
// with dots as above (tokens: how many will run against the tile; the tile
// is rows row..row + Rows - 1 of the matrix at `weights`, so that a kernel
// whose rows are not rowBytes apart, such as interleaved I2_S, can find
// them).
// A Kernel may also supply `static constexpr int kDecodeRowTile`, the rows
// of a tile in calls with one token: decode streams each row once, and more
// rows side by side keep more of the stream's loads in flight than the
// tile that suits prefill's reuse.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_TILEDMATMUL_H
#define TERNC_BACKENDS_COMMON_TILEDMATMUL_H

#include "backends/common/Q4Layout.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace ternc::backends {

/// Trits per I2_S block and the bytes that hold them.
inline constexpr int64_t kI2SBlock = 128;
inline constexpr int64_t kI2SBlockBytes = 32;

/// What the decode-shaped kernels whose dot products are exact as computed
/// (int8 and 4-bit weights) share: four rows a tile, one token at a time,
/// no per-token correction.
struct ExactRowDots {
  static constexpr int kRowTile = 4;
  static constexpr int kTokenTile = 1;
  static int32_t correction(const int8_t *, int64_t) { return 0; }
};

/// The row tile of a Kernel without one: its dots read the weights in place.
template <typename Kernel, int Rows> struct InPlaceRowTile {
  const uint8_t *w;
  int64_t rowBytes;
  InPlaceRowTile(const uint8_t *weights, int64_t row, int64_t rowBytes,
                 int64_t, int64_t)
      : w(weights + row * rowBytes), rowBytes(rowBytes) {}
  template <int Tokens>
  void dots(const int8_t *q, int64_t in, int32_t *dots) const {
    Kernel::template dots<Rows, Tokens>(w, rowBytes, q, in, dots);
  }
};

/// Kernel::RowTile<Rows> where the Kernel has one, else InPlaceRowTile.
template <typename Kernel, int Rows, typename = void> struct RowTileOf {
  using type = InPlaceRowTile<Kernel, Rows>;
};
template <typename Kernel, int Rows>
struct RowTileOf<Kernel, Rows,
                 std::void_t<typename Kernel::template RowTile<Rows>>> {
  using type = typename Kernel::template RowTile<Rows>;
};

/// Kernel::kDecodeRowTile where the Kernel has one, else Kernel::kRowTile.
template <typename Kernel, typename = void> struct DecodeRowTileOf {
  static constexpr int value = Kernel::kRowTile;
};
template <typename Kernel>
struct DecodeRowTileOf<Kernel, std::void_t<decltype(Kernel::kDecodeRowTile)>> {
  static constexpr int value = Kernel::kDecodeRowTile;
};

/// Calls `run` with std::integral_constant<int, left> for 0 < left <= Max.
template <int Max, typename Run> void runRemainder(int64_t left, Run run) {
  if constexpr (Max > 0) {
    if (left == Max)
      run(std::integral_constant<int, Max>());
    else
      runRemainder<Max - 1>(left, run);
  }
}

/// y[t * yStride + r] = (float)(exact dot of row r and token t) / scales[t]
/// * rowScale(r) for `rows` rows of `rowBytes` bytes at `weights` and the
/// `in` activations of token t at q + t * qStride, by `Kernel`'s dot
/// products.
template <typename Kernel, typename RowScale>
void tiledMatmul(const int8_t *q, int64_t qStride, const float *scales,
                 const uint8_t *weights, int64_t rowBytes, int64_t tokens,
                 int64_t in, int64_t rows, RowScale rowScale, float *y,
                 int64_t yStride) {
  // Corrections of this many tokens are kept on the stack at once.
  constexpr int64_t kTokenChunk = 128;
  auto tile = [&](auto rowsInTile, int64_t row, int64_t t0, int64_t count,
                  const int32_t *corrections) {
    constexpr int kRows = decltype(rowsInTile)::value;
    float rowScales[kRows];
    for (int r = 0; r < kRows; ++r)
      rowScales[r] = rowScale(row + r);
    typename RowTileOf<Kernel, kRows>::type rowTile(weights, row, rowBytes,
                                                    in, count);
    auto run = [&](auto tokensInTile, int64_t t) {
      constexpr int kTokens = decltype(tokensInTile)::value;
      int32_t dots[kRows * kTokens];
      rowTile.template dots<kTokens>(q + t * qStride, in, dots);
      for (int u = 0; u < kTokens; ++u)
        for (int r = 0; r < kRows; ++r)
          y[(t + u) * yStride + row + r] =
              static_cast<float>(dots[u * kRows + r] -
                                 corrections[t + u - t0]) /
              scales[t + u] * rowScales[r];
    };
    int64_t t = t0;
    for (; t + Kernel::kTokenTile <= t0 + count; t += Kernel::kTokenTile)
      run(std::integral_constant<int, Kernel::kTokenTile>(), t);
    // The last count % kTokenTile tokens as one tile.
    runRemainder<Kernel::kTokenTile - 1>(
        t0 + count - t, [&](auto tokensInTile) { run(tokensInTile, t); });
  };
  for (int64_t t0 = 0; t0 < tokens; t0 += kTokenChunk) {
    const int64_t count = std::min(kTokenChunk, tokens - t0);
    int32_t corrections[kTokenChunk];
    for (int64_t t = 0; t < count; ++t)
      corrections[t] = Kernel::correction(q + (t0 + t) * qStride, in);
    int64_t row = 0;
    auto wholeTiles = [&](auto rowsInTile) {
      constexpr int kRows = decltype(rowsInTile)::value;
      for (; row + kRows <= rows; row += kRows)
        tile(rowsInTile, row, t0, count, corrections);
    };
    if (tokens == 1)
      wholeTiles(std::integral_constant<int, DecodeRowTileOf<Kernel>::value>());
    else
      wholeTiles(std::integral_constant<int, Kernel::kRowTile>());
    for (; row < rows; ++row)
      tile(std::integral_constant<int, 1>(), row, t0, count, corrections);
  }
}

/// KernelAbi.h's bitlinear_i2s on `Kernel`'s I2_S code dot products.
template <typename Kernel>
void i2sMatmul(const int8_t *q, const float *scales, const uint8_t *weights,
               int64_t tokens, int64_t in, int64_t rows, float weightScale,
               float *y, int64_t yStride) {
  tiledMatmul<Kernel>(
      q, in, scales, weights, in / 4, tokens, in, rows,
      [=](int64_t) { return weightScale; }, y, yStride);
}

/// KernelAbi.h's linear_i8 on `Kernel`'s int8 dot products.
template <typename Kernel>
void int8Matmul(const int8_t *q, const float *scales, const int8_t *weights,
                const float *rowScales, int64_t tokens, int64_t in,
                int64_t rows, float *y, int64_t yStride) {
  tiledMatmul<Kernel>(
      q, in, scales, reinterpret_cast<const uint8_t *>(weights), in, tokens, in,
      rows, [=](int64_t row) { return rowScales[row]; }, y, yStride);
}

/// Bytes of one token's record in the activations q4Matmul passes its
/// Kernel: the token's `in` int8 activations, then for each of its in / 32
/// groups g, in order, the int16 8 * (sum of g's activations) (in [-32768,
/// 32512]). A kernel multiplying the unsigned codes w + 8 of
/// backends/common/Q4Layout.h by the activations subtracts s_g times it.
inline constexpr int64_t q4TokenRecordBytes(int64_t in) {
  return in + in / kQ4Group * 2;
}

/// KernelAbi.h's linear_q4 on `Kernel`'s exact 4-bit dot products (rows of
/// q4RowBytes(in) bytes, backends/common/Q4Layout.h) of the tokens' records
/// (q4TokenRecordBytes), made once per call for all the rows.
template <typename Kernel>
void q4Matmul(const int8_t *q, const float *scales, const uint8_t *weights,
              const float *rowScales, int64_t tokens, int64_t in, int64_t rows,
              float *y, int64_t yStride) {
  const int64_t recordBytes = q4TokenRecordBytes(in);
  std::vector<int8_t> records(static_cast<size_t>(tokens * recordBytes));
  for (int64_t t = 0; t < tokens; ++t) {
    int8_t *record = records.data() + t * recordBytes;
    std::copy_n(q + t * in, in, record);
    for (int64_t g = 0; g < in / kQ4Group; ++g) {
      int sum = 0;
      for (int64_t k = g * kQ4Group; k < (g + 1) * kQ4Group; ++k)
        sum += q[t * in + k];
      const auto eightSum = static_cast<int16_t>(8 * sum);
      std::memcpy(record + in + g * 2, &eightSum, 2);
    }
  }
  tiledMatmul<Kernel>(
      records.data(), recordBytes, scales, weights, q4RowBytes(in), tokens, in,
      rows, [=](int64_t row) { return rowScales[row]; }, y, yStride);
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_TILEDMATMUL_H
