//===- GgufFile.h - Hardened zero-copy GGUF v2/v3 reader --------*- C++ -*-===//
//
// Parses a GGUF file (llama.cpp / bitnet.cpp model container) that is mapped
// into memory. Every count, length, size and offset read from the file is
// checked, with overflow-safe arithmetic, before it is used; no allocation is
// sized by an unchecked value. A malformed file yields an Error that names the
// file, the field and its byte offset. Strings, arrays and tensor data are
// views into the mapping: nothing is copied.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GGUF_GGUFFILE_H
#define TERNC_RUNTIME_GGUF_GGUFFILE_H

#include "runtime/gguf/TensorType.h"
#include "runtime/support/Bytes.h"
#include "runtime/support/Error.h"
#include "runtime/support/MappedFile.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ternc::gguf {

/// GGUF metadata value type ids.
enum class ValueType : uint32_t {
  UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5,
  Float32 = 6, Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11,
  Float64 = 12,
};

/// Lower-case name of a value type, e.g. "u32", "string", "array".
std::string_view valueTypeName(ValueType type);

/// Size in bytes of a scalar value type (0 for String and Array).
uint32_t scalarSize(ValueType type);

/// The default data alignment when general.alignment is absent.
inline constexpr uint32_t kDefaultAlignment = 32;
/// ggml's limit on tensor name length (GGML_MAX_NAME, including the NUL).
inline constexpr uint64_t kMaxTensorNameLength = 63;
/// The most dimensions a ggml tensor has.
inline constexpr uint32_t kMaxDims = 4;

/// A metadata value. Scalars are held by value; strings and array elements
/// point into the file's mapping, which outlives the value.
class Value {
public:
  ValueType type() const { return type_; }

  /// Any integer type (or bool) whose value is >= 0.
  std::optional<uint64_t> asUnsigned() const;
  /// Any integer type (or bool) that fits int64.
  std::optional<int64_t> asSigned() const;
  /// Float32, Float64, or any integer type.
  std::optional<double> asDouble() const;
  std::optional<bool> asBool() const;
  std::optional<std::string_view> asString() const;

  /// For arrays: the element type and count.
  ValueType elementType() const { return elementType_; }
  uint64_t arraySize() const { return arraySize_; }
  /// Element `index` of an array as a scalar or string Value.
  Value element(uint64_t index) const;

private:
  friend class Parser;
  ValueType type_ = ValueType::UInt8;
  uint64_t bits_ = 0;         // Scalar payload, little-endian, zero-extended.
  std::string_view string_;   // For String.
  ValueType elementType_ = ValueType::UInt8;
  uint64_t arraySize_ = 0;
  const uint8_t *arrayData_ = nullptr;       // Numeric array elements.
  std::vector<std::string_view> strings_;    // String array elements.
};

/// One key/value pair, in file order.
struct KeyValue {
  std::string_view key;
  Value value;
  /// Byte offset of the key in the file.
  uint64_t fileOffset;
};

/// One tensor's description and the location of its bytes.
struct TensorInfo {
  std::string_view name;
  TensorType type;
  /// The type id as stored in the file.
  uint32_t typeId;
  uint32_t nDims;
  /// Dimensions, ne[0] innermost (the row length); unused ones are 1.
  std::array<uint64_t, kMaxDims> ne;
  /// Offset of the data relative to the data section.
  uint64_t offset;
  /// Bytes the data occupies (see tensorByteSize).
  uint64_t byteSize;
  /// Element count.
  uint64_t elements;
  /// Byte offset of this tensor's info record in the file.
  uint64_t infoOffset;

  /// Number of rows: the product of ne[1..].
  uint64_t rows() const { return elements / ne[0]; }
  /// Dimensions as "{2560, 640}".
  std::string shapeString() const;
};

/// Options for reading.
struct ReadOptions {
  /// Overrides the type id convention chosen from general.architecture.
  std::optional<TypeIdConvention> convention;
};

/// A parsed, validated GGUF file.
class GgufFile {
public:
  /// Maps and parses the file at `path`.
  static Expected<GgufFile> open(const std::string &path,
                                 const ReadOptions &options = {});
  /// Parses bytes already in memory; `name` is used in messages. The caller
  /// keeps `bytes` alive while the GgufFile is used.
  static Expected<GgufFile> parse(ByteSpan bytes, std::string name,
                                  const ReadOptions &options = {});

  /// The path or name given when opening.
  const std::string &name() const { return name_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  /// Absolute offset of the tensor data section.
  uint64_t dataOffset() const { return dataOffset_; }
  uint64_t fileSize() const { return bytes_.size; }
  TypeIdConvention convention() const { return convention_; }

  const std::vector<KeyValue> &metadata() const { return metadata_; }
  const std::vector<TensorInfo> &tensors() const { return tensors_; }

  /// The value of `key`, or nullptr.
  const Value *find(std::string_view key) const;
  /// The tensor named `name`, or nullptr.
  const TensorInfo *findTensor(std::string_view name) const;
  /// The bytes of `tensor`, in place in the mapping.
  /// Drops the pages of `tensor`'s data from memory when the file is
  /// mapped (they are read again if used); nothing when parsed from memory.
  void releaseTensorData(const TensorInfo &tensor) const {
    if (mapping_)
      mapping_->release(tensorData(tensor));
  }
  ByteSpan tensorData(const TensorInfo &tensor) const {
    return bytes_.slice(dataOffset_ + tensor.offset, tensor.byteSize);
  }

  /// general.architecture, or "" when absent.
  std::string_view architecture() const;

  /// Typed lookups whose errors name the file and the key.
  Expected<std::string_view> getString(std::string_view key) const;
  Expected<uint64_t> getUnsigned(std::string_view key) const;
  Expected<double> getDouble(std::string_view key) const;
  Expected<bool> getBool(std::string_view key) const;

private:
  friend class Parser;
  GgufFile() = default;

  std::string name_;
  std::shared_ptr<MappedFile> mapping_; // Null when parsed from memory.
  ByteSpan bytes_;
  uint32_t version_ = 0;
  uint64_t alignment_ = kDefaultAlignment;
  uint64_t dataOffset_ = 0;
  TypeIdConvention convention_ = TypeIdConvention::Upstream;
  std::vector<KeyValue> metadata_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> keyIndex_;
  std::unordered_map<std::string_view, size_t> tensorIndex_;
};

} // namespace ternc::gguf

#endif // TERNC_RUNTIME_GGUF_GGUFFILE_H
