//===- Avx2Target.h - x86-avx2: the compiler-side half ------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2TARGET_H
#define TERNC_BACKENDS_X86_AVX2_AVX2TARGET_H

#include "backends/Target.h"

namespace ternc {

/// AVX2 ternary matmul (vpmaddubsw) on the I2_S layout, for x86-64 from
/// Haswell on.
BackendTarget x86Avx2Target();

} // namespace ternc

#endif // TERNC_BACKENDS_X86_AVX2_AVX2TARGET_H
