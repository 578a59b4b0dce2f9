//===- GgufFile.cpp - Hardened zero-copy GGUF v2/v3 reader ----------------===//

#include "runtime/gguf/GgufFile.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace ternc::gguf {

std::string_view valueTypeName(ValueType type) {
  switch (type) {
  case ValueType::UInt8: return "u8";
  case ValueType::Int8: return "i8";
  case ValueType::UInt16: return "u16";
  case ValueType::Int16: return "i16";
  case ValueType::UInt32: return "u32";
  case ValueType::Int32: return "i32";
  case ValueType::Float32: return "f32";
  case ValueType::Bool: return "bool";
  case ValueType::String: return "string";
  case ValueType::Array: return "array";
  case ValueType::UInt64: return "u64";
  case ValueType::Int64: return "i64";
  case ValueType::Float64: return "f64";
  }
  return "unknown";
}

uint32_t scalarSize(ValueType type) {
  switch (type) {
  case ValueType::UInt8: case ValueType::Int8: case ValueType::Bool: return 1;
  case ValueType::UInt16: case ValueType::Int16: return 2;
  case ValueType::UInt32: case ValueType::Int32: case ValueType::Float32:
    return 4;
  case ValueType::UInt64: case ValueType::Int64: case ValueType::Float64:
    return 8;
  case ValueType::String: case ValueType::Array: return 0;
  }
  return 0;
}

namespace {

bool isIntegerType(ValueType type) {
  switch (type) {
  case ValueType::UInt8: case ValueType::Int8: case ValueType::UInt16:
  case ValueType::Int16: case ValueType::UInt32: case ValueType::Int32:
  case ValueType::UInt64: case ValueType::Int64: case ValueType::Bool:
    return true;
  default:
    return false;
  }
}

bool isSignedType(ValueType type) {
  return type == ValueType::Int8 || type == ValueType::Int16 ||
         type == ValueType::Int32 || type == ValueType::Int64;
}

/// Sign-extends the low `bytes` bytes of `bits`.
int64_t signExtend(uint64_t bits, uint32_t bytes) {
  unsigned shift = 64 - 8 * bytes;
  return static_cast<int64_t>(bits << shift) >> shift;
}

} // namespace

std::optional<int64_t> Value::asSigned() const {
  if (!isIntegerType(type_))
    return std::nullopt;
  if (isSignedType(type_))
    return signExtend(bits_, scalarSize(type_));
  if (bits_ > static_cast<uint64_t>(INT64_MAX))
    return std::nullopt;
  return static_cast<int64_t>(bits_);
}

std::optional<uint64_t> Value::asUnsigned() const {
  if (!isIntegerType(type_))
    return std::nullopt;
  if (isSignedType(type_)) {
    int64_t value = signExtend(bits_, scalarSize(type_));
    if (value < 0)
      return std::nullopt;
    return static_cast<uint64_t>(value);
  }
  return bits_;
}

std::optional<double> Value::asDouble() const {
  if (type_ == ValueType::Float32) {
    float value;
    uint32_t bits = static_cast<uint32_t>(bits_);
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  if (type_ == ValueType::Float64) {
    double value;
    std::memcpy(&value, &bits_, sizeof(value));
    return value;
  }
  if (isSignedType(type_))
    return static_cast<double>(*asSigned());
  if (isIntegerType(type_))
    return static_cast<double>(bits_);
  return std::nullopt;
}

std::optional<bool> Value::asBool() const {
  if (type_ != ValueType::Bool)
    return std::nullopt;
  return bits_ != 0;
}

std::optional<std::string_view> Value::asString() const {
  if (type_ != ValueType::String)
    return std::nullopt;
  return string_;
}

Value Value::element(uint64_t index) const {
  assert(type_ == ValueType::Array && index < arraySize_);
  Value result;
  result.type_ = elementType_;
  if (elementType_ == ValueType::String) {
    result.string_ = strings_[index];
  } else {
    uint32_t size = scalarSize(elementType_);
    std::memcpy(&result.bits_, arrayData_ + index * size, size);
  }
  return result;
}

std::string TensorInfo::shapeString() const {
  std::string out = "{";
  for (uint32_t i = 0; i < nDims; ++i)
    out += fmt::format("{}{}", i ? ", " : "", ne[i]);
  return out + "}";
}

/// Reads the GGUF header, metadata and tensor infos with bounds checks on
/// every access. Each read names the field so that errors can say what was
/// being read and where.
class Parser {
public:
  Parser(GgufFile &file, const ReadOptions &options)
      : file_(file), options_(options), size_(file.bytes_.size),
        data_(file.bytes_.data) {}

  Status run() {
    TERNC_RETURN_IF_ERROR(parseHeader());
    TERNC_RETURN_IF_ERROR(parseMetadata());
    TERNC_RETURN_IF_ERROR(parseTensorInfos());
    return validateLayout();
  }

private:
  template <typename... Args>
  Error errorAt(uint64_t offset, fmt::format_string<Args...> format,
                Args &&...args) const {
    return makeError("{}: offset {}: {}", file_.name_, offset,
                     fmt::format(format, std::forward<Args>(args)...));
  }

  uint64_t remaining() const { return size_ - pos_; }

  Status need(uint64_t bytes, std::string_view field) const {
    if (bytes > remaining())
      return errorAt(pos_,
                     "{}: unexpected end of file (needs {} bytes, {} left)",
                     field, bytes, remaining());
    return Status::success();
  }

  template <typename T> Status read(T &out, std::string_view field) {
    TERNC_RETURN_IF_ERROR(need(sizeof(T), field));
    out = loadLittleEndian<T>(data_ + pos_);
    pos_ += sizeof(T);
    return Status::success();
  }

  Status readString(std::string_view &out, std::string_view field) {
    uint64_t start = pos_;
    uint64_t length = 0;
    TERNC_RETURN_IF_ERROR(read(length, field));
    if (length > remaining())
      return errorAt(start,
                     "{}: string length {} runs past the end of the file "
                     "({} bytes left)",
                     field, length, remaining());
    out = std::string_view(reinterpret_cast<const char *>(data_ + pos_),
                           length);
    pos_ += length;
    return Status::success();
  }

  Status parseHeader() {
    if (size_ < 4)
      return errorAt(0, "file is {} bytes, too short for the GGUF magic",
                     size_);
    if (std::memcmp(data_, "GGUF", 4) != 0)
      return errorAt(0,
                     "bad magic {:02x} {:02x} {:02x} {:02x}: not a GGUF file "
                     "(expected 47 47 55 46, \"GGUF\")",
                     data_[0], data_[1], data_[2], data_[3]);
    pos_ = 4;
    uint32_t version = 0;
    TERNC_RETURN_IF_ERROR(read(version, "version"));
    if (version != 0 && (version & 0xffffu) == 0)
      return errorAt(4, "version: big-endian GGUF not supported (the version "
                        "field reads 0x{:08x}, a byte-swapped 3)", version);
    if (version == 1)
      return errorAt(4, "version: GGUF v1 is not supported (v2 and v3 are); "
                        "re-convert the model with a current converter");
    if (version != 2 && version != 3)
      return errorAt(4, "version: unknown GGUF version {} (v2 and v3 are "
                        "supported)", version);
    file_.version_ = version;

    uint64_t countOffset = pos_;
    TERNC_RETURN_IF_ERROR(read(tensorCount_, "tensor_count"));
    TERNC_RETURN_IF_ERROR(read(kvCount_, "kv_count"));
    // Each tensor info takes at least 8 (name length) + 1 (name) + 4 (n_dims)
    // + 8 (ne[0]) + 4 (type) + 8 (offset) bytes; each pair at least 8 + 1 +
    // 4 + 1. Bounding the counts by what the file can hold keeps every later
    // allocation proportional to the file size.
    constexpr uint64_t kMinTensorInfo = 33, kMinKeyValue = 14;
    if (kvCount_ > remaining() / kMinKeyValue)
      return errorAt(countOffset + 8,
                     "kv_count {} is more than the remaining {} bytes can "
                     "hold",
                     kvCount_, remaining());
    if (tensorCount_ > remaining() / kMinTensorInfo)
      return errorAt(countOffset,
                     "tensor_count {} is more than the remaining {} bytes "
                     "can hold",
                     tensorCount_, remaining());
    return Status::success();
  }

  Status readValueType(ValueType &out, std::string_view field) {
    uint64_t start = pos_;
    uint32_t raw = 0;
    TERNC_RETURN_IF_ERROR(read(raw, field));
    if (raw > static_cast<uint32_t>(ValueType::Float64))
      return errorAt(start, "{}: unknown value type {}", field, raw);
    out = static_cast<ValueType>(raw);
    return Status::success();
  }

  Status parseScalar(Value &value, std::string_view field) {
    uint32_t size = scalarSize(value.type_);
    uint64_t start = pos_;
    TERNC_RETURN_IF_ERROR(need(size, field));
    std::memcpy(&value.bits_, data_ + pos_, size);
    pos_ += size;
    if (value.type_ == ValueType::Bool && value.bits_ > 1)
      return errorAt(start, "{}: bool value {} is neither 0 nor 1", field,
                     value.bits_);
    return Status::success();
  }

  Status parseValue(Value &value, const std::string &field) {
    if (value.type_ == ValueType::String)
      return readString(value.string_, field);
    if (value.type_ != ValueType::Array)
      return parseScalar(value, field);

    uint64_t start = pos_;
    TERNC_RETURN_IF_ERROR(readValueType(value.elementType_, field));
    if (value.elementType_ == ValueType::Array)
      return errorAt(start, "{}: nested arrays are not supported", field);
    uint64_t countOffset = pos_;
    TERNC_RETURN_IF_ERROR(read(value.arraySize_, field));
    uint64_t minElementBytes = value.elementType_ == ValueType::String
                                   ? 8
                                   : scalarSize(value.elementType_);
    if (value.arraySize_ > remaining() / minElementBytes)
      return errorAt(countOffset,
                     "{}: array of {} {} elements runs past the end of the "
                     "file ({} bytes left)",
                     field, value.arraySize_,
                     valueTypeName(value.elementType_), remaining());
    if (value.elementType_ != ValueType::String) {
      value.arrayData_ = data_ + pos_;
      pos_ += value.arraySize_ * minElementBytes;
      if (value.elementType_ == ValueType::Bool)
        for (uint64_t i = 0; i < value.arraySize_; ++i)
          if (value.arrayData_[i] > 1)
            return errorAt(pos_ - value.arraySize_ + i,
                           "{}[{}]: bool value {} is neither 0 nor 1", field,
                           i, value.arrayData_[i]);
      return Status::success();
    }
    // Grow with the strings actually read, so a forged count costs nothing.
    for (uint64_t i = 0; i < value.arraySize_; ++i) {
      std::string_view element;
      TERNC_RETURN_IF_ERROR(
          readString(element, fmt::format("{}[{}]", field, i)));
      value.strings_.push_back(element);
    }
    return Status::success();
  }

  Status parseMetadata() {
    for (uint64_t i = 0; i < kvCount_; ++i) {
      KeyValue kv;
      kv.fileOffset = pos_;
      std::string keyField = fmt::format("key of metadata pair {}", i);
      TERNC_RETURN_IF_ERROR(readString(kv.key, keyField));
      if (kv.key.empty())
        return errorAt(kv.fileOffset, "{}: empty key", keyField);
      if (kv.key.size() > 65535)
        return errorAt(kv.fileOffset, "{}: key length {} exceeds 65535",
                       keyField, kv.key.size());
      std::string field = fmt::format("'{}'", kv.key);
      if (file_.keyIndex_.count(kv.key))
        return errorAt(kv.fileOffset, "{}: duplicate key", field);
      TERNC_RETURN_IF_ERROR(readValueType(kv.value.type_, field));
      TERNC_RETURN_IF_ERROR(parseValue(kv.value, field));
      file_.keyIndex_.emplace(kv.key, file_.metadata_.size());
      file_.metadata_.push_back(std::move(kv));
    }

    if (const Value *alignment = file_.find("general.alignment")) {
      const KeyValue &kv = file_.metadata_[file_.keyIndex_.at(
          std::string_view("general.alignment"))];
      if (alignment->type() != ValueType::UInt32)
        return errorAt(kv.fileOffset,
                       "'general.alignment': has type {}, expected u32",
                       valueTypeName(alignment->type()));
      uint64_t value = *alignment->asUnsigned();
      if (value == 0 || (value & (value - 1)) != 0)
        return errorAt(kv.fileOffset,
                       "'general.alignment': {} is not a power of two",
                       value);
      file_.alignment_ = value;
    }
    file_.convention_ =
        options_.convention
            ? *options_.convention
            : conventionForArchitecture(file_.architecture());
    return Status::success();
  }

  Status parseTensorInfo(uint64_t index, TensorInfo &tensor) {
    tensor.infoOffset = pos_;
    TERNC_RETURN_IF_ERROR(
        readString(tensor.name, fmt::format("name of tensor {}", index)));
    if (tensor.name.empty())
      return errorAt(tensor.infoOffset, "tensor {}: empty name", index);
    if (tensor.name.size() > kMaxTensorNameLength)
      return errorAt(tensor.infoOffset,
                     "tensor {}: name of {} bytes is longer than ggml's "
                     "limit of {}",
                     index, tensor.name.size(), kMaxTensorNameLength);
    std::string field = fmt::format("tensor '{}'", tensor.name);
    if (file_.tensorIndex_.count(tensor.name))
      return errorAt(tensor.infoOffset, "{}: duplicate tensor name", field);

    uint64_t dimsOffset = pos_;
    TERNC_RETURN_IF_ERROR(read(tensor.nDims, field + " n_dims"));
    if (tensor.nDims == 0 || tensor.nDims > kMaxDims)
      return errorAt(dimsOffset, "{}: n_dims is {}, expected 1 to {}", field,
                     tensor.nDims, kMaxDims);
    tensor.ne.fill(1);
    for (uint32_t d = 0; d < tensor.nDims; ++d) {
      uint64_t dimOffset = pos_;
      TERNC_RETURN_IF_ERROR(read(tensor.ne[d], field + " ne"));
      if (tensor.ne[d] == 0)
        return errorAt(dimOffset, "{}: ne[{}] is zero", field, d);
      if (tensor.ne[d] > static_cast<uint64_t>(INT64_MAX))
        return errorAt(dimOffset, "{}: ne[{}] = {} does not fit int64",
                       field, d, tensor.ne[d]);
    }
    std::optional<uint64_t> elements =
        elementCount(tensor.ne.data(), tensor.nDims);
    if (!elements || *elements > static_cast<uint64_t>(INT64_MAX))
      return errorAt(dimsOffset, "{}: element count of {} overflows", field,
                     tensor.shapeString());
    tensor.elements = *elements;

    uint64_t typeOffset = pos_;
    TERNC_RETURN_IF_ERROR(read(tensor.typeId, field + " type"));
    std::optional<TensorType> type =
        typeFromId(tensor.typeId, file_.convention_);
    if (!type)
      return errorAt(typeOffset, "{}: unknown tensor type id {}", field,
                     tensor.typeId);
    tensor.type = *type;
    const TensorTypeInfo &info = typeInfo(tensor.type);
    uint64_t ne0Offset = dimsOffset + sizeof(uint32_t);
    if (tensor.ne[0] % info.blockSize != 0)
      return errorAt(ne0Offset,
                     "{}: ne[0] = {} is not a multiple of the {} block size "
                     "{}",
                     field, tensor.ne[0], info.name, info.blockSize);
    std::optional<uint64_t> bytes =
        tensorByteSize(tensor.type, tensor.ne.data(), tensor.nDims);
    if (tensor.type == TensorType::TL2 && tensor.ne[0] < 256)
      return errorAt(ne0Offset, "{}: ne[0] = {} is too short for TL2 (at "
                                "least 256)",
                     field, tensor.ne[0]);
    if (!bytes)
      return errorAt(dimsOffset, "{}: size of a {} tensor of {} overflows",
                     field, info.name, tensor.shapeString());
    tensor.byteSize = *bytes;

    uint64_t offsetOffset = pos_;
    TERNC_RETURN_IF_ERROR(read(tensor.offset, field + " offset"));
    if (tensor.offset % file_.alignment_ != 0)
      return errorAt(offsetOffset,
                     "{}: data offset {} is not a multiple of the alignment "
                     "{}",
                     field, tensor.offset, file_.alignment_);
    return Status::success();
  }

  Status parseTensorInfos() {
    // Grow with the records actually read, so a forged count costs nothing.
    for (uint64_t i = 0; i < tensorCount_; ++i) {
      TensorInfo tensor;
      TERNC_RETURN_IF_ERROR(parseTensorInfo(i, tensor));
      file_.tensorIndex_.emplace(tensor.name, i);
      file_.tensors_.push_back(tensor);
    }
    return Status::success();
  }

  Status validateLayout() {
    uint64_t alignment = file_.alignment_;
    uint64_t padding = (alignment - pos_ % alignment) % alignment;
    file_.dataOffset_ = pos_ + padding;
    std::vector<TensorInfo> &tensors = file_.tensors_;
    if (tensors.empty())
      return Status::success();
    if (file_.dataOffset_ > size_)
      return errorAt(pos_,
                     "data section would start at {}, past the end of the "
                     "file ({} bytes)",
                     file_.dataOffset_, size_);
    uint64_t dataSize = size_ - file_.dataOffset_;
    for (const TensorInfo &tensor : tensors) {
      uint64_t end;
      if (__builtin_add_overflow(tensor.offset, tensor.byteSize, &end) ||
          end > dataSize)
        return errorAt(tensor.infoOffset,
                       "tensor '{}': data [{}, +{}) lies outside the {} "
                       "bytes of the data section",
                       tensor.name, tensor.offset, tensor.byteSize, dataSize);
    }
    std::vector<size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return tensors[a].offset < tensors[b].offset;
    });
    for (size_t i = 1; i < order.size(); ++i) {
      const TensorInfo &previous = tensors[order[i - 1]];
      const TensorInfo &current = tensors[order[i]];
      if (previous.offset + previous.byteSize > current.offset)
        return errorAt(current.infoOffset,
                       "tensor '{}': data at {} overlaps tensor '{}' at "
                       "[{}, {})",
                       current.name, current.offset, previous.name,
                       previous.offset, previous.offset + previous.byteSize);
    }
    return Status::success();
  }

  GgufFile &file_;
  const ReadOptions &options_;
  uint64_t size_;
  const uint8_t *data_;
  uint64_t pos_ = 0;
  uint64_t tensorCount_ = 0;
  uint64_t kvCount_ = 0;
};

Expected<GgufFile> GgufFile::parse(ByteSpan bytes, std::string name,
                                   const ReadOptions &options) {
  GgufFile file;
  file.name_ = std::move(name);
  file.bytes_ = bytes;
  Parser parser(file, options);
  TERNC_RETURN_IF_ERROR(parser.run());
  return file;
}

Expected<GgufFile> GgufFile::open(const std::string &path,
                                  const ReadOptions &options) {
  Expected<std::unique_ptr<MappedFile>> mapping = MappedFile::open(path);
  if (!mapping)
    return mapping.error();
  std::shared_ptr<MappedFile> shared = mapping.take();
  Expected<GgufFile> file = parse(shared->bytes(), path, options);
  if (file)
    file->mapping_ = std::move(shared);
  return file;
}

const Value *GgufFile::find(std::string_view key) const {
  auto it = keyIndex_.find(key);
  return it == keyIndex_.end() ? nullptr : &metadata_[it->second].value;
}

const TensorInfo *GgufFile::findTensor(std::string_view name) const {
  auto it = tensorIndex_.find(name);
  return it == tensorIndex_.end() ? nullptr : &tensors_[it->second];
}

std::string_view GgufFile::architecture() const {
  const Value *value = find("general.architecture");
  if (!value || !value->asString())
    return {};
  return *value->asString();
}

namespace {

Error keyError(const GgufFile &file, std::string_view key, const Value *value,
               std::string_view expected) {
  if (!value)
    return makeError("{}: metadata key '{}' is missing", file.name(), key);
  return makeError("{}: metadata key '{}' has type {}, expected {}",
                   file.name(), key, valueTypeName(value->type()), expected);
}

} // namespace

Expected<std::string_view> GgufFile::getString(std::string_view key) const {
  const Value *value = find(key);
  if (!value || !value->asString())
    return keyError(*this, key, value, "string");
  return *value->asString();
}

Expected<uint64_t> GgufFile::getUnsigned(std::string_view key) const {
  const Value *value = find(key);
  if (!value || !value->asUnsigned() || value->type() == ValueType::Bool)
    return keyError(*this, key, value, "a non-negative integer");
  return *value->asUnsigned();
}

Expected<double> GgufFile::getDouble(std::string_view key) const {
  const Value *value = find(key);
  if (!value || !value->asDouble() || value->type() == ValueType::Bool)
    return keyError(*this, key, value, "a number");
  return *value->asDouble();
}

Expected<bool> GgufFile::getBool(std::string_view key) const {
  const Value *value = find(key);
  if (!value || !value->asBool())
    return keyError(*this, key, value, "bool");
  return *value->asBool();
}

} // namespace ternc::gguf
