//===- RowInterleave.h - The interleaved matrix layouts ---------*- C++ -*-===//
//
// The layouts TernKernels::f16_row_interleave and i2s_row_interleave name,
// written once for the packer (compile time) and the kernel benchmarks. The
// conformance tests state them again on purpose: an independent oracle.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_ROWINTERLEAVE_H
#define TERNC_BACKENDS_COMMON_ROWINTERLEAVE_H

#include <algorithm>
#include <cstdint>

namespace ternc::backends {

/// Writes the [rows][columns] matrix `matrix` to `out` in groups of `group`
/// rows interleaved element by element: element (r, k) at ((r / group) *
/// columns + k) * group + r % group, the last group padded with zero rows
/// (`out` holds ceil(rows / group) * group * columns elements).
template <typename Element>
void interleaveRows(const Element *matrix, int64_t rows, int64_t columns,
                    int64_t group, Element *out) {
  const int64_t groups = (rows + group - 1) / group;
  std::fill(out, out + groups * group * columns, Element{});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < columns; ++k)
      out[((r / group) * columns + k) * group + r % group] =
          matrix[r * columns + k];
}

/// Writes the rows of the I2_S matrix `matrix` (`rows` rows of `in` trits,
/// consecutive) to `out` in groups of `group` rows interleaved block by
/// block: the 32-byte block b of row r at block ((r / group) * (in / 128) +
/// b) * group + r % group, the last group padded with zero blocks (`out`
/// holds ceil(rows / group) * group * in / 4 bytes).
inline void interleaveI2SRows(const uint8_t *matrix, int64_t rows, int64_t in,
                              int64_t group, uint8_t *out) {
  struct Block {
    uint8_t bytes[32];
  };
  static_assert(sizeof(Block) == 32, "an I2_S block is 32 bytes");
  interleaveRows(reinterpret_cast<const Block *>(matrix), rows, in / 128,
                 group, reinterpret_cast<Block *>(out));
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_ROWINTERLEAVE_H
