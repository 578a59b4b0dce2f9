//===- Quants.cpp - Reference (de)quantization of GGUF tensor types -------===//

#include "runtime/gguf/Quants.h"

#include "runtime/support/Half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ternc::gguf {
namespace {

constexpr uint8_t kPow3[6] = {1, 3, 9, 27, 81, 243};

float halfAt(const uint8_t *p) {
  return halfToFloat(loadLittleEndian<uint16_t>(p));
}

void putHalf(uint8_t *p, float value) {
  storeLittleEndian<uint16_t>(p, floatToHalf(value));
}

/// A TQ1_0 trit from a base-3 fixed-point byte: trit n of the byte is
/// ((uint8)(byte * 3^n) * 3) >> 8, the multiplication wrapping mod 256.
int tq1Trit(uint8_t byte, int n) {
  uint8_t shifted = static_cast<uint8_t>(byte * kPow3[n]);
  return ((static_cast<uint16_t>(shifted) * 3) >> 8) - 1;
}

void dequantizeQ4_0(const uint8_t *block, float *out) {
  float d = halfAt(block);
  const uint8_t *qs = block + 2;
  for (int j = 0; j < 16; ++j) {
    out[j] = static_cast<float>((qs[j] & 15) - 8) * d;
    out[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
  }
}

void dequantizeQ8_0(const uint8_t *block, float *out) {
  float d = halfAt(block);
  for (int j = 0; j < 32; ++j)
    out[j] = static_cast<float>(static_cast<int8_t>(block[2 + j])) * d;
}

void dequantizeQ6_K(const uint8_t *block, float *out) {
  const uint8_t *ql = block;
  const uint8_t *qh = block + 128;
  const int8_t *scales = reinterpret_cast<const int8_t *>(block + 192);
  float d = halfAt(block + 208);
  for (int half = 0; half < 2; ++half) {
    for (int l = 0; l < 32; ++l) {
      int is = l / 16;
      int q1 = ((ql[l] & 15) | (((qh[l] >> 0) & 3) << 4)) - 32;
      int q2 = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
      int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      out[l] = d * scales[is] * q1;
      out[l + 32] = d * scales[is + 2] * q2;
      out[l + 64] = d * scales[is + 4] * q3;
      out[l + 96] = d * scales[is + 6] * q4;
    }
    out += 128;
    ql += 64;
    qh += 32;
    scales += 8;
  }
}

void dequantizeQ8_K(const uint8_t *block, float *out) {
  float d = loadLittleEndian<float>(block);
  for (int j = 0; j < 256; ++j)
    out[j] = d * static_cast<int8_t>(block[4 + j]);
}

void dequantizeTQ1_0(const uint8_t *block, float *out) {
  const uint8_t *qs = block;      // 48 bytes, 5 trits each.
  const uint8_t *qh = block + 48; // 4 bytes, 4 trits each.
  float d = halfAt(block + 52);
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 32; ++m)
      *out++ = static_cast<float>(tq1Trit(qs[m], n)) * d;
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 16; ++m)
      *out++ = static_cast<float>(tq1Trit(qs[32 + m], n)) * d;
  for (int n = 0; n < 4; ++n)
    for (int j = 0; j < 4; ++j)
      *out++ = static_cast<float>(tq1Trit(qh[j], n)) * d;
}

void dequantizeTQ2_0(const uint8_t *block, float *out) {
  float d = halfAt(block + 64);
  for (int j = 0; j < 64; j += 32)
    for (int n = 0; n < 4; ++n)
      for (int m = 0; m < 32; ++m)
        *out++ = static_cast<float>(((block[j + m] >> (2 * n)) & 3) - 1) * d;
}

void quantizeQ8_0(const float *x, uint8_t *block) {
  float amax = 0;
  for (int j = 0; j < 32; ++j)
    amax = std::max(amax, std::fabs(x[j]));
  float d = amax / 127.0f;
  float id = d != 0 ? 1.0f / d : 0.0f;
  putHalf(block, d);
  for (int j = 0; j < 32; ++j)
    block[2 + j] = static_cast<uint8_t>(
        static_cast<int8_t>(std::round(x[j] * id)));
}

/// max|x| over a 256-element block and its reciprocal, as ggml's TQ
/// reference quantizers compute them.
float blockAbsMax(const float *x) {
  float amax = 0;
  for (int j = 0; j < 256; ++j)
    amax = std::max(amax, std::fabs(x[j]));
  return amax;
}

/// x * id rounded to the nearest trit, stored +1 (0, 1 or 2).
int tritCode(float x, float id) {
  return static_cast<int>(std::lround(x * id)) + 1;
}

void quantizeTQ1_0(const float *x, uint8_t *block) {
  float d = blockAbsMax(x);
  float id = d != 0 ? 1.0f / d : 0.0f;
  // Five trits per byte (first most significant), stored as the ceiling of
  // q * 256 / 243 so that tq1Trit recovers them.
  auto pack = [&](const float *base, int stride, int trits) {
    uint16_t q = 0;
    for (int n = 0; n < trits; ++n)
      q = static_cast<uint16_t>(q * 3 + tritCode(base[n * stride], id));
    for (int n = trits; n < 5; ++n)
      q = static_cast<uint16_t>(q * 3);
    return static_cast<uint8_t>((q * 256 + 242) / 243);
  };
  for (int m = 0; m < 32; ++m)
    block[m] = pack(x + m, 32, 5);
  for (int m = 0; m < 16; ++m)
    block[32 + m] = pack(x + 160 + m, 16, 5);
  for (int j = 0; j < 4; ++j)
    block[48 + j] = pack(x + 240 + j, 4, 4);
  putHalf(block + 52, d);
}

void quantizeTQ2_0(const float *x, uint8_t *block) {
  float d = blockAbsMax(x);
  float id = d != 0 ? 1.0f / d : 0.0f;
  for (int j = 0; j < 64; j += 32)
    for (int m = 0; m < 32; ++m) {
      uint8_t q = 0;
      for (int n = 0; n < 4; ++n)
        q |= static_cast<uint8_t>((tritCode(x[j * 4 + n * 32 + m], id) & 3)
                                  << (2 * n));
      block[j + m] = q;
    }
  putHalf(block + 64, d);
}

using BlockDecoder = void (*)(const uint8_t *, float *);
using BlockEncoder = void (*)(const float *, uint8_t *);

BlockDecoder blockDecoder(TensorType type) {
  switch (type) {
  case TensorType::Q4_0: return dequantizeQ4_0;
  case TensorType::Q8_0: return dequantizeQ8_0;
  case TensorType::Q6_K: return dequantizeQ6_K;
  case TensorType::Q8_K: return dequantizeQ8_K;
  case TensorType::TQ1_0: return dequantizeTQ1_0;
  case TensorType::TQ2_0: return dequantizeTQ2_0;
  default: return nullptr;
  }
}

BlockEncoder blockEncoder(TensorType type) {
  switch (type) {
  case TensorType::Q8_0: return quantizeQ8_0;
  case TensorType::TQ1_0: return quantizeTQ1_0;
  case TensorType::TQ2_0: return quantizeTQ2_0;
  default: return nullptr;
  }
}

Status checkCount(TensorType type, uint64_t count) {
  const TensorTypeInfo &info = typeInfo(type);
  if (count % info.blockSize != 0)
    return makeError("{}: {} elements is not a multiple of the block size {}",
                     info.name, count, info.blockSize);
  return Status::success();
}

} // namespace

float i2sScale(ByteSpan data, uint64_t count) {
  return loadLittleEndian<float>(data.data + count / 4);
}

Status dequantize(TensorType type, ByteSpan data, uint64_t count, float *out) {
  const TensorTypeInfo &info = typeInfo(type);
  TERNC_RETURN_IF_ERROR(checkCount(type, count));
  std::optional<uint64_t> expected = tensorByteSize(type, &count, 1);
  if (!expected || *expected != data.size)
    return makeError("{}: {} bytes given for {} elements", info.name,
                     data.size, count);
  const uint8_t *p = data.data;
  switch (type) {
  case TensorType::F32:
    std::memcpy(out, p, count * 4);
    return Status::success();
  case TensorType::F16:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = halfAt(p + 2 * i);
    return Status::success();
  case TensorType::BF16:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = bfloat16ToFloat(loadLittleEndian<uint16_t>(p + 2 * i));
    return Status::success();
  case TensorType::I2_S: {
    // Codes 0, 1, 2 mean -1, 0, +1; the never-written code 3 decodes to 0
    // as in bitnet.cpp's dequantize_row_i2_s.
    static constexpr float kTernary[4] = {-1, 0, 1, 0};
    float scale = i2sScale(data, count);
    for (uint64_t i = 0; i < count; ++i)
      out[i] = kTernary[i2sCode(p, i)] * scale;
    return Status::success();
  }
  default:
    break;
  }
  BlockDecoder decode = blockDecoder(type);
  if (!decode)
    return makeError("{}: dequantization is not supported", info.name);
  for (uint64_t block = 0; block < count / info.blockSize; ++block)
    decode(p + block * info.blockBytes, out + block * info.blockSize);
  return Status::success();
}

Expected<std::vector<float>> dequantizeTensor(const GgufFile &file,
                                              const TensorInfo &tensor) {
  std::vector<float> values(tensor.elements);
  TERNC_RETURN_IF_ERROR(dequantize(tensor.type, file.tensorData(tensor),
                                   tensor.elements, values.data()));
  return values;
}

Status quantize(TensorType type, const float *values, uint64_t count,
                std::vector<uint8_t> &out) {
  const TensorTypeInfo &info = typeInfo(type);
  TERNC_RETURN_IF_ERROR(checkCount(type, count));
  std::optional<uint64_t> bytes = tensorByteSize(type, &count, 1);
  if (!bytes)
    return makeError("{}: size of {} elements overflows", info.name, count);
  bool isFloat = type == TensorType::F32 || type == TensorType::F16 ||
                 type == TensorType::BF16;
  if (!isFloat && type != TensorType::I2_S && !blockEncoder(type))
    return makeError("{}: quantization is not supported", info.name);
  // Quantizers round x / scale to integers: only finite values have one.
  if (!isFloat)
    for (uint64_t i = 0; i < count; ++i)
      if (!std::isfinite(values[i]))
        return makeError("{}: value {} at index {} is not finite", info.name,
                         values[i], i);
  size_t start = out.size();
  out.resize(start + *bytes, 0);
  uint8_t *p = out.data() + start;
  switch (type) {
  case TensorType::F32:
    std::memcpy(p, values, count * 4);
    return Status::success();
  case TensorType::F16:
    for (uint64_t i = 0; i < count; ++i)
      putHalf(p + 2 * i, values[i]);
    return Status::success();
  case TensorType::BF16:
    for (uint64_t i = 0; i < count; ++i)
      storeLittleEndian<uint16_t>(p + 2 * i, floatToBfloat16(values[i]));
    return Status::success();
  case TensorType::I2_S: {
    float scale = 0;
    for (uint64_t i = 0; i < count; ++i)
      scale = std::max(scale, std::fabs(values[i]));
    for (uint64_t i = 0; i < count; ++i) {
      float v = values[i];
      uint8_t code = std::fabs(v) < 1e-6f ? 1 : (v > 0 ? 2 : 0);
      uint64_t block = i / kI2SBlock, within = i % kI2SBlock;
      p[block * 32 + within % 32] |=
          static_cast<uint8_t>(code << (6 - 2 * (within / 32)));
    }
    // The scale opens the 32-byte tail; the rest stays zero.
    storeLittleEndian<float>(p + count / 4, scale);
    return Status::success();
  }
  default:
    break;
  }
  BlockEncoder encode = blockEncoder(type);
  for (uint64_t block = 0; block < count / info.blockSize; ++block)
    encode(values + block * info.blockSize, p + block * info.blockBytes);
  return Status::success();
}

} // namespace ternc::gguf
