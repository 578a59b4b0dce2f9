//===- Avx512Target.h - x86-avx512: the compiler-side half --*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX512_AVX512TARGET_H
#define TERNC_BACKENDS_X86_AVX512_AVX512TARGET_H

#include "backends/Target.h"

namespace ternc {

/// The x86-avx512 backend: x86-avx2 with the I2_S ternary matmul on AVX-512
/// VNNI (x86-64 from Ice Lake / Zen 4 on).
BackendTarget x86Avx512Target();

} // namespace ternc

#endif // TERNC_BACKENDS_X86_AVX512_AVX512TARGET_H
