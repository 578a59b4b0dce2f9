//===- Quants.h - Reference (de)quantization of GGUF tensor types -*- C++ -*-===//
//
// Portable, bit-exact reference code for the tensor encodings ternc reads and
// writes (layouts in docs/formats.md §2). Kernels of every backend are tested
// against these. Dequantization covers F32, F16, BF16, Q4_0, Q8_0, Q6_K,
// Q8_K, TQ1_0, TQ2_0 and I2_S; quantization covers F32, F16, BF16, Q8_0,
// TQ1_0, TQ2_0 and I2_S.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GGUF_QUANTS_H
#define TERNC_RUNTIME_GGUF_QUANTS_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/TensorType.h"
#include "runtime/support/Bytes.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <vector>

namespace ternc::gguf {

/// Elements per I2_S block (the x86 layout of the official files): 128
/// weights in 32 bytes, byte p holding elements p, 32+p, 64+p, 96+p from the
/// most significant bit pair down.
inline constexpr uint64_t kI2SBlock = 128;

/// Decodes `count` elements of `type` stored in `data` into `out`. For I2_S,
/// `data` is the whole tensor (codes, then the scale) and `count` its element
/// count; for block types `count` is a multiple of the block size and `data`
/// holds exactly those blocks. Fails for types without a decoder or when
/// `data` has the wrong size.
Status dequantize(TensorType type, ByteSpan data, uint64_t count, float *out);

/// Every element of `tensor` (of `file`) decoded to f32.
Expected<std::vector<float>> dequantizeTensor(const GgufFile &file,
                                              const TensorInfo &tensor);

/// Encodes `count` values into `type`, appending the bytes to `out`. I2_S
/// uses one scale, max|x| over all values, and expects ternary-times-scale
/// input (|x| < 1e-6 -> 0, else the sign), as bitnet.cpp's quantize_i2_s.
/// TQ1_0/TQ2_0 use one scale per 256 values (their absmax) and round x/d to
/// the nearest trit, as ggml's reference quantizers.
Status quantize(TensorType type, const float *values, uint64_t count,
                std::vector<uint8_t> &out);

/// The per-tensor scale of an I2_S tensor of `count` elements (the f32 at
/// byte count/4).
float i2sScale(ByteSpan data, uint64_t count);

/// The 2-bit code (0: -1, 1: 0, 2: +1, 3: invalid) of element `index` of an
/// I2_S tensor.
inline uint8_t i2sCode(const uint8_t *codes, uint64_t index) {
  uint64_t block = index / kI2SBlock, within = index % kI2SBlock;
  uint8_t byte = codes[block * 32 + within % 32];
  return (byte >> (6 - 2 * (within / 32))) & 3;
}

} // namespace ternc::gguf

#endif // TERNC_RUNTIME_GGUF_QUANTS_H
