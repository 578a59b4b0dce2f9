//===- F16RowGroups.h - The f16 matmul driver on 8-row groups --*- C++ -*-===//
//
// What the x86 backends' linear_f16 kernels share around their inner loops:
// per token, the activations are rounded to f16 once (into the caller's
// scratch), then the interleaved weights are taken `GroupsAtOnce` groups of
// 8 rows at a time, and one group at a time for the rest. Included only by
// translation units compiled with AVX2 and F16C.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_AVX2_F16ROWGROUPS_H
#define TERNC_BACKENDS_X86_AVX2_F16ROWGROUPS_H

#include "backends/x86-avx2/Avx2Common.h"
#include "backends/x86-avx2/Avx2Linear.h"

#include <cstdint>

namespace ternc::backends {

/// KernelAbi.h's linear_f16 on kX86F16RowInterleave-row groups, with
/// `Dots::run<Groups>(w, x, in, y, valid)` computing the y of `Groups`
/// groups of rows at w for one token's rounded activations x, storing the
/// first `valid` of them.
template <int GroupsAtOnce, typename Dots>
void f16RowGroupLinear(const float *x, const uint16_t *weights, int64_t tokens,
                       int64_t in, int64_t rows, float *y, int64_t yStride,
                       float *scratch) {
  constexpr int64_t kGroup = kX86F16RowInterleave;
  for (int64_t t = 0; t < tokens; ++t) {
    avx2RoundToHalves(x + t * in, in, scratch);
    float *out = y + t * yStride;
    int64_t row = 0;
    for (; row + GroupsAtOnce * kGroup <= rows; row += GroupsAtOnce * kGroup)
      Dots::template run<GroupsAtOnce>(weights + row * in, scratch, in,
                                       out + row, GroupsAtOnce * kGroup);
    for (; row < rows; row += kGroup)
      Dots::template run<1>(weights + row * in, scratch, in, out + row,
                            rows - row);
  }
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_X86_AVX2_F16ROWGROUPS_H
