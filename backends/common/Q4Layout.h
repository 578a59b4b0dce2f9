//===- Q4Layout.h - Packed rows of the 4-bit LM head -----------*- C++ -*-===//
//
// The bytes of linear_q4's and embed_q4's weights (KernelAbi.h), written by
// the packer and read by every backend. A row of `in` columns (a multiple of
// kQ4Group) holds `in / 32` groups of 32 consecutive columns; weight (r, k)
// stands for row_scale[r] * s_g * w_k with w_k a signed 4-bit integer in
// [-8, 7] and s_g an unsigned 8-bit sub-scale of the group g = k / 32.
// A packed row is q4RowBytes(in) = in / 2 + in / 32 bytes (4.25 bits a
// weight), rows consecutive:
//  - first in / 2 bytes of nibbles, in blocks of 64 columns (two groups)
//    in 32 bytes: byte i of a block holds w + 8 of the block's column i in
//    bits 3:0 and of column 32 + i in bits 7:4. When the group count is odd
//    the last block is one group in 16 bytes, byte i holding columns i and
//    16 + i. (A block of n columns: byte i holds columns i and n / 2 + i.)
//    So one 32-byte load, masked and shifted, gives two whole groups in
//    column order, ready for byte dot products against int8 activations;
//  - then the in / 32 sub-scales s_g, one byte each, in group order.
//
// Exactness: with |w| <= 8, |q| <= 128 and s_g <= 255, a row's dot product
// sum_g s_g * sum_{k in g} w_k * q_k is at most in * 8 * 128 * 255 in
// magnitude, which fits in int32 for in <= 8224; the ABI allows in <=
// kQ4MaxIn = 8192 (2139095040 < 2^31 - 1 = 2147483647).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_Q4LAYOUT_H
#define TERNC_BACKENDS_COMMON_Q4LAYOUT_H

#include <algorithm>
#include <cstdint>
#include <limits>

namespace ternc::backends {

/// Columns sharing one 8-bit sub-scale.
inline constexpr int64_t kQ4Group = 32;
/// Columns of one block of nibbles (two groups in 32 bytes).
inline constexpr int64_t kQ4Block = 64;
/// The longest row whose dot products are exact in int32.
inline constexpr int64_t kQ4MaxIn = 8192;
static_assert(kQ4MaxIn * 8 * 128 * 255 <= std::numeric_limits<int32_t>::max(),
              "a q4 dot product must fit in int32");

/// Bytes of one packed row of `in` columns (a multiple of kQ4Group).
inline constexpr int64_t q4RowBytes(int64_t in) {
  return in / 2 + in / kQ4Group;
}

/// Where column `k` of a row of `in` columns lives: the byte of its nibble
/// and whether it is the high nibble.
struct Q4Nibble {
  int64_t byte;
  bool high;
};
inline Q4Nibble q4NibbleOf(int64_t in, int64_t k) {
  const int64_t start = k / kQ4Block * kQ4Block;
  const int64_t half = std::min(kQ4Block, in - start) / 2;
  const int64_t i = k - start;
  return {start / 2 + i % half, i >= half};
}

/// Packs one row: `weights` [in] in [-8, 7] and `groupScales` [in / 32]
/// into q4RowBytes(in) bytes at `row`.
inline void packQ4Row(const int8_t *weights, const uint8_t *groupScales,
                      int64_t in, uint8_t *row) {
  std::fill_n(row, in / 2, uint8_t{0});
  for (int64_t k = 0; k < in; ++k) {
    const Q4Nibble nibble = q4NibbleOf(in, k);
    const auto code = static_cast<uint8_t>(weights[k] + 8);
    row[nibble.byte] |= nibble.high ? static_cast<uint8_t>(code << 4) : code;
  }
  std::copy_n(groupScales, in / kQ4Group, row + in / 2);
}

/// Column `k` of a packed row of `in` columns: its w in [-8, 7].
inline int q4Weight(const uint8_t *row, int64_t in, int64_t k) {
  const Q4Nibble nibble = q4NibbleOf(in, k);
  const uint8_t byte = row[nibble.byte];
  return (nibble.high ? byte >> 4 : byte & 15) - 8;
}

/// The sub-scale of group `g` of a packed row of `in` columns.
inline int q4GroupScale(const uint8_t *row, int64_t in, int64_t g) {
  return row[in / 2 + g];
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_Q4LAYOUT_H
