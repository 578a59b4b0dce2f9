//===- TensorType.h - ggml tensor types and their storage sizes -*- C++ -*-===//
//
// The element types a GGUF tensor can have, their block geometry, and the
// mapping between on-disk type ids and types. The ids 36-39 mean different
// things in bitnet.cpp's llama.cpp fork (I2_S, I8_S, TL1, TL2) and in upstream
// ggml (removed IQ4_NL repacks, MXFP4); a TypeIdConvention resolves them.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GGUF_TENSORTYPE_H
#define TERNC_RUNTIME_GGUF_TENSORTYPE_H

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ternc::gguf {

/// A tensor element type. Values are ternc's own; use typeFromId/typeId to
/// convert from and to GGUF type ids.
enum class TensorType : uint8_t {
  F32, F16, BF16, F64, I8, I16, I32, I64,
  Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1,
  Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K,
  IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ4_XS, IQ1_M,
  TQ1_0, TQ2_0, MXFP4,
  // bitnet.cpp fork types.
  I2_S, TL1, TL2,
};

/// Which project's numbering a file's tensor type ids follow.
enum class TypeIdConvention : uint8_t {
  /// bitnet.cpp's fork: 36 = I2_S, 38 = TL1, 39 = TL2.
  BitnetCpp,
  /// Upstream ggml: 39 = MXFP4; 36-38 are unused.
  Upstream,
};

/// Static facts about a tensor type.
struct TensorTypeInfo {
  TensorType type;
  std::string_view name;
  /// Elements per block; the row length must be a multiple of it.
  uint32_t blockSize;
  /// Bytes per block (for I2_S/TL1/TL2 see tensorByteSize).
  uint32_t blockBytes;
  /// The type stores ternary weights ({-1, 0, +1} times a scale).
  bool ternary;
  /// ternc can dequantize it (and compile models that use it).
  bool dequantizable;
};

/// The facts about `type`.
const TensorTypeInfo &typeInfo(TensorType type);

/// The display name, e.g. "I2_S".
std::string_view typeName(TensorType type);

/// Parses a display name ("i2_s" or "I2_S").
std::optional<TensorType> typeFromName(std::string_view name);

/// The type a GGUF type id denotes under `convention`, or nullopt when the id
/// is unknown there.
std::optional<TensorType> typeFromId(uint32_t id, TypeIdConvention convention);

/// The GGUF type id of `type` under `convention`, or nullopt when that
/// convention has no id for it: the fork's I2_S/TL1/TL2 upstream (upstream
/// readers reject them), MXFP4 in the fork.
std::optional<uint32_t> typeId(TensorType type, TypeIdConvention convention);

/// The convention used by files whose general.architecture is `architecture`:
/// the bitnet.cpp fork for bitnet-b1.58, bitnet-25 and bitnet, upstream
/// otherwise. Ids 36 and 38 have one meaning in both, so only 39 depends on
/// this choice.
TypeIdConvention conventionForArchitecture(std::string_view architecture);

/// Number of elements of a tensor with dimensions `ne` (ne[0] innermost), or
/// nullopt on uint64 overflow.
std::optional<uint64_t> elementCount(const uint64_t *ne, uint32_t nDims);

/// Bytes a tensor of `type` with dimensions `ne` occupies in a GGUF data
/// section, or nullopt on overflow. I2_S and TL1 take n/4 + 32 bytes (packed
/// codes, then a 32-byte slot holding the f32 scale); TL2 takes bitnet.cpp's
/// formula. The caller checks ne[0] % blockSize == 0 first.
std::optional<uint64_t> tensorByteSize(TensorType type, const uint64_t *ne,
                                       uint32_t nDims);

} // namespace ternc::gguf

#endif // TERNC_RUNTIME_GGUF_TENSORTYPE_H
