//===- AmxTarget.h - x86-amx: the compiler-side half ------------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AMX_AMXTARGET_H
#define TERNC_BACKENDS_X86_AMX_AMXTARGET_H

#include "backends/Target.h"

namespace ternc {

/// The x86-amx backend: x86-avx512 with the prefill I2_S ternary matmul on
/// AMX-INT8 tiles (x86-64 from Sapphire Rapids on).
BackendTarget x86AmxTarget();

} // namespace ternc

#endif // TERNC_BACKENDS_X86_AMX_AMXTARGET_H
