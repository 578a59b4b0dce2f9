//===- Avx2Target.h - x86-avx2: the compiler-side half ------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2TARGET_H
#define TERNC_BACKENDS_X86_AVX2_AVX2TARGET_H

#include "backends/Target.h"

namespace ternc {

/// The x86-avx2 backend: I2_S ternary matmul with vpmaddubsw and an f16 LM
/// head on 8-row groups (AVX2 + F16C, x86-64 from Haswell on).
BackendTarget x86Avx2Target();

} // namespace ternc

#endif // TERNC_BACKENDS_X86_AVX2_AVX2TARGET_H
