//===- TensorType.cpp - ggml tensor types and their storage sizes ---------===//

#include "runtime/gguf/TensorType.h"

#include <cctype>
#include <string>

namespace ternc::gguf {
namespace {

/// One row per TensorType, in enum order. Sizes from ggml's type traits and
/// bitnet.cpp's fork (I2_S/TL1/TL2 have per-tensor sizes, see tensorByteSize).
constexpr TensorTypeInfo kTypeInfos[] = {
    {TensorType::F32, "F32", 1, 4, false, true},
    {TensorType::F16, "F16", 1, 2, false, true},
    {TensorType::BF16, "BF16", 1, 2, false, true},
    {TensorType::F64, "F64", 1, 8, false, false},
    {TensorType::I8, "I8", 1, 1, false, false},
    {TensorType::I16, "I16", 1, 2, false, false},
    {TensorType::I32, "I32", 1, 4, false, false},
    {TensorType::I64, "I64", 1, 8, false, false},
    {TensorType::Q4_0, "Q4_0", 32, 18, false, true},
    {TensorType::Q4_1, "Q4_1", 32, 20, false, false},
    {TensorType::Q5_0, "Q5_0", 32, 22, false, false},
    {TensorType::Q5_1, "Q5_1", 32, 24, false, false},
    {TensorType::Q8_0, "Q8_0", 32, 34, false, true},
    {TensorType::Q8_1, "Q8_1", 32, 36, false, false},
    {TensorType::Q2_K, "Q2_K", 256, 84, false, false},
    {TensorType::Q3_K, "Q3_K", 256, 110, false, false},
    {TensorType::Q4_K, "Q4_K", 256, 144, false, false},
    {TensorType::Q5_K, "Q5_K", 256, 176, false, false},
    {TensorType::Q6_K, "Q6_K", 256, 210, false, true},
    {TensorType::Q8_K, "Q8_K", 256, 292, false, true},
    {TensorType::IQ2_XXS, "IQ2_XXS", 256, 66, false, false},
    {TensorType::IQ2_XS, "IQ2_XS", 256, 74, false, false},
    {TensorType::IQ3_XXS, "IQ3_XXS", 256, 98, false, false},
    {TensorType::IQ1_S, "IQ1_S", 256, 50, false, false},
    {TensorType::IQ4_NL, "IQ4_NL", 32, 18, false, false},
    {TensorType::IQ3_S, "IQ3_S", 256, 110, false, false},
    {TensorType::IQ2_S, "IQ2_S", 256, 82, false, false},
    {TensorType::IQ4_XS, "IQ4_XS", 256, 136, false, false},
    {TensorType::IQ1_M, "IQ1_M", 256, 56, false, false},
    {TensorType::TQ1_0, "TQ1_0", 256, 54, true, true},
    {TensorType::TQ2_0, "TQ2_0", 256, 66, true, true},
    {TensorType::MXFP4, "MXFP4", 32, 17, false, false},
    // I2_S: 4 codes per byte in 128-element blocks; ne0 % 128 == 0.
    {TensorType::I2_S, "I2_S", 128, 32, true, true},
    {TensorType::TL1, "TL1", 1, 1, true, false},
    {TensorType::TL2, "TL2", 1, 1, true, false},
};

static_assert(std::size(kTypeInfos) == static_cast<size_t>(TensorType::TL2) + 1,
              "kTypeInfos must have one row per TensorType");

/// Type ids shared by both conventions.
struct IdEntry {
  uint32_t id;
  TensorType type;
};
constexpr IdEntry kCommonIds[] = {
    {0, TensorType::F32},       {1, TensorType::F16},
    {2, TensorType::Q4_0},      {3, TensorType::Q4_1},
    {6, TensorType::Q5_0},      {7, TensorType::Q5_1},
    {8, TensorType::Q8_0},      {9, TensorType::Q8_1},
    {10, TensorType::Q2_K},     {11, TensorType::Q3_K},
    {12, TensorType::Q4_K},     {13, TensorType::Q5_K},
    {14, TensorType::Q6_K},     {15, TensorType::Q8_K},
    {16, TensorType::IQ2_XXS},  {17, TensorType::IQ2_XS},
    {18, TensorType::IQ3_XXS},  {19, TensorType::IQ1_S},
    {20, TensorType::IQ4_NL},   {21, TensorType::IQ3_S},
    {22, TensorType::IQ2_S},    {23, TensorType::IQ4_XS},
    {24, TensorType::I8},       {25, TensorType::I16},
    {26, TensorType::I32},      {27, TensorType::I64},
    {28, TensorType::F64},      {29, TensorType::IQ1_M},
    {30, TensorType::BF16},     {34, TensorType::TQ1_0},
    {35, TensorType::TQ2_0},
    // Upstream retired 36-38 (IQ4_NL_4_4/4_8/8_8 repacks never meant for
    // files); only the fork gives them a stored meaning, so read them as such.
    {36, TensorType::I2_S},     {38, TensorType::TL1},
};

} // namespace

const TensorTypeInfo &typeInfo(TensorType type) {
  return kTypeInfos[static_cast<size_t>(type)];
}

std::string_view typeName(TensorType type) { return typeInfo(type).name; }

std::optional<TensorType> typeFromName(std::string_view name) {
  std::string upper(name);
  for (char &c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const TensorTypeInfo &info : kTypeInfos)
    if (info.name == upper)
      return info.type;
  return std::nullopt;
}

std::optional<TensorType> typeFromId(uint32_t id, TypeIdConvention convention) {
  for (const IdEntry &entry : kCommonIds)
    if (entry.id == id)
      return entry.type;
  if (id == 39)
    return convention == TypeIdConvention::BitnetCpp ? TensorType::TL2
                                                     : TensorType::MXFP4;
  return std::nullopt;
}

std::optional<uint32_t> typeId(TensorType type, TypeIdConvention convention) {
  // Upstream readers reject the fork's types: never write them there.
  bool forkOnly = type == TensorType::I2_S || type == TensorType::TL1 ||
                  type == TensorType::TL2;
  if (forkOnly && convention == TypeIdConvention::Upstream)
    return std::nullopt;
  if (type == TensorType::TL2)
    return 39u;
  if (type == TensorType::MXFP4)
    return convention == TypeIdConvention::Upstream ? std::optional(39u)
                                                    : std::nullopt;
  for (const IdEntry &entry : kCommonIds)
    if (entry.type == type)
      return entry.id;
  return std::nullopt;
}

TypeIdConvention conventionForArchitecture(std::string_view architecture) {
  if (architecture == "bitnet-b1.58" || architecture == "bitnet-25" ||
      architecture == "bitnet")
    return TypeIdConvention::BitnetCpp;
  return TypeIdConvention::Upstream;
}

std::optional<uint64_t> elementCount(const uint64_t *ne, uint32_t nDims) {
  uint64_t count = 1;
  for (uint32_t i = 0; i < nDims; ++i)
    if (__builtin_mul_overflow(count, ne[i], &count))
      return std::nullopt;
  return count;
}

std::optional<uint64_t> tensorByteSize(TensorType type, const uint64_t *ne,
                                       uint32_t nDims) {
  std::optional<uint64_t> count = elementCount(ne, nDims);
  if (!count)
    return std::nullopt;
  uint64_t n = *count;
  switch (type) {
  case TensorType::I2_S:
  case TensorType::TL1:
    // Packed 2-bit codes, then a 32-byte slot whose first 4 bytes are the
    // per-tensor f32 scale.
    return n / 4 + 32;
  case TensorType::TL2: {
    // bitnet.cpp: three weights in 5 bits for the first ne0-256 columns, two
    // in 4 bits for the last 256, padded to 32, then the scale slot.
    if (nDims < 1 || ne[0] < 256)
      return std::nullopt;
    unsigned __int128 rows = n / ne[0];
    unsigned __int128 bytes =
        (ne[0] - 256) * rows / 3 * 5 / 8 + 256 * rows / 2 * 4 / 8;
    bytes = (bytes + 31) / 32 * 32 + 32;
    if (bytes > UINT64_MAX)
      return std::nullopt;
    return static_cast<uint64_t>(bytes);
  }
  default: {
    const TensorTypeInfo &info = typeInfo(type);
    uint64_t bytes;
    if (__builtin_mul_overflow(n / info.blockSize, uint64_t(info.blockBytes),
                               &bytes))
      return std::nullopt;
    return bytes;
  }
  }
}

} // namespace ternc::gguf
