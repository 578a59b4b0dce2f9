//===- RowInterleave.h - The interleaved f16 matrix layout ------*- C++ -*-===//
//
// The layout TernKernels::f16_row_interleave names, written once for the
// packer (compile time) and the kernel benchmarks. The conformance tests
// state it again on purpose: an independent oracle.
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

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_ROWINTERLEAVE_H
