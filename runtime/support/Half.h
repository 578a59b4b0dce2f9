//===- Half.h - IEEE binary16 and bfloat16 conversions ----------*- C++ -*-===//
//
// Bit-exact conversions used by GGUF F16/BF16 tensors and block scales. They
// match ggml's: float -> half rounds to nearest even (as F16C's vcvtps2ph with
// rounding mode 0), float -> bfloat16 rounds to nearest even and keeps NaNs
// quiet.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_SUPPORT_HALF_H
#define TERNC_RUNTIME_SUPPORT_HALF_H

#include <cstdint>

namespace ternc {

/// Converts an IEEE half (binary16) bit pattern to float; exact.
float halfToFloat(uint16_t bits);

/// Converts a float to the nearest IEEE half, ties to even; overflow gives
/// infinity, NaN stays NaN.
uint16_t floatToHalf(float value);

/// Converts a bfloat16 bit pattern to float; exact.
float bfloat16ToFloat(uint16_t bits);

/// Converts a float to the nearest bfloat16, ties to even; NaN stays NaN.
uint16_t floatToBfloat16(float value);

} // namespace ternc

#endif // TERNC_RUNTIME_SUPPORT_HALF_H
