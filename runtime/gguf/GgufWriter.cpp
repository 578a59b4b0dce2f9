//===- GgufWriter.cpp - Write GGUF v3 files -------------------------------===//

#include "runtime/gguf/GgufWriter.h"

#include "runtime/support/OutputFile.h"

#include <cstring>

namespace ternc::gguf {

namespace {

template <typename T>
MetadataValue numericArray(ValueType elementType, const std::vector<T> &items) {
  MetadataValue value;
  value.type = ValueType::Array;
  value.elementType = elementType;
  value.arraySize = items.size();
  value.arrayBytes.resize(items.size() * sizeof(T));
  if (!items.empty())
    std::memcpy(value.arrayBytes.data(), items.data(), value.arrayBytes.size());
  return value;
}

uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

} // namespace

MetadataValue MetadataValue::ofScalar(ValueType type, uint64_t bits) {
  MetadataValue value;
  value.type = type;
  value.bits = bits;
  return value;
}

MetadataValue MetadataValue::ofU32(uint32_t v) {
  return ofScalar(ValueType::UInt32, v);
}
MetadataValue MetadataValue::ofI32(int32_t v) {
  return ofScalar(ValueType::Int32, static_cast<uint32_t>(v));
}
MetadataValue MetadataValue::ofU64(uint64_t v) {
  return ofScalar(ValueType::UInt64, v);
}
MetadataValue MetadataValue::ofF32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return ofScalar(ValueType::Float32, bits);
}
MetadataValue MetadataValue::ofBool(bool v) {
  return ofScalar(ValueType::Bool, v ? 1 : 0);
}
MetadataValue MetadataValue::ofString(std::string v) {
  MetadataValue value;
  value.type = ValueType::String;
  value.string = std::move(v);
  return value;
}
MetadataValue MetadataValue::ofStrings(std::vector<std::string> values) {
  MetadataValue value;
  value.type = ValueType::Array;
  value.elementType = ValueType::String;
  value.arraySize = values.size();
  value.strings = std::move(values);
  return value;
}
MetadataValue MetadataValue::ofF32Array(const std::vector<float> &values) {
  return numericArray(ValueType::Float32, values);
}
MetadataValue MetadataValue::ofI32Array(const std::vector<int32_t> &values) {
  return numericArray(ValueType::Int32, values);
}

MetadataValue MetadataValue::fromValue(const Value &source) {
  MetadataValue value;
  value.type = source.type();
  if (source.type() == ValueType::String) {
    value.string = std::string(*source.asString());
  } else if (source.type() == ValueType::Array) {
    value.elementType = source.elementType();
    value.arraySize = source.arraySize();
    for (uint64_t i = 0; i < source.arraySize(); ++i) {
      Value element = source.element(i);
      if (element.type() == ValueType::String) {
        value.strings.emplace_back(*element.asString());
      } else {
        uint32_t size = scalarSize(element.type());
        uint64_t bits = fromValue(element).bits;
        const uint8_t *p = reinterpret_cast<const uint8_t *>(&bits);
        value.arrayBytes.insert(value.arrayBytes.end(), p, p + size);
      }
    }
  } else if (source.type() == ValueType::Float32 ||
             source.type() == ValueType::Float64) {
    double d = *source.asDouble();
    if (source.type() == ValueType::Float32)
      value = ofF32(static_cast<float>(d));
    else
      std::memcpy(&value.bits, &d, sizeof(d));
  } else {
    uint32_t size = scalarSize(source.type());
    uint64_t bits = source.asSigned()
                        ? static_cast<uint64_t>(*source.asSigned())
                        : *source.asUnsigned();
    value.bits = size == 8 ? bits : bits & ((uint64_t(1) << (8 * size)) - 1);
  }
  return value;
}

void GgufWriter::set(const std::string &key, MetadataValue value) {
  for (auto &entry : metadata_)
    if (entry.first == key) {
      entry.second = std::move(value);
      return;
    }
  metadata_.emplace_back(key, std::move(value));
}

Status GgufWriter::setAlignment(uint32_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % 8)
    return makeError("alignment {} is not a power of two multiple of 8",
                     alignment);
  set("general.alignment", MetadataValue::ofU32(alignment));
  return Status::success();
}

Expected<uint64_t> GgufWriter::alignment() const {
  for (const auto &[key, value] : metadata_) {
    if (key != "general.alignment")
      continue;
    if (value.type != ValueType::UInt32 || value.bits == 0 ||
        (value.bits & (value.bits - 1)) != 0)
      return makeError("general.alignment must be a u32 power of two");
    return value.bits;
  }
  return uint64_t(kDefaultAlignment);
}

Status GgufWriter::addTensor(const std::string &name, TensorType type,
                             std::vector<uint64_t> ne, Fill fill) {
  if (name.empty() || name.size() > kMaxTensorNameLength)
    return makeError("tensor '{}': name must be 1 to {} bytes", name,
                     kMaxTensorNameLength);
  for (const PendingTensor &tensor : tensors_)
    if (tensor.name == name)
      return makeError("tensor '{}': added twice", name);
  if (ne.empty() || ne.size() > kMaxDims)
    return makeError("tensor '{}': {} dimensions, expected 1 to {}", name,
                     ne.size(), kMaxDims);
  for (uint64_t dim : ne)
    if (dim == 0)
      return makeError("tensor '{}': zero-sized dimension", name);
  const TensorTypeInfo &info = typeInfo(type);
  if (!typeId(type, convention_))
    return makeError("tensor '{}': type {} has no id in this file's type "
                     "numbering",
                     name, info.name);
  if (ne[0] % info.blockSize != 0)
    return makeError("tensor '{}': ne[0] = {} is not a multiple of the {} "
                     "block size {}",
                     name, ne[0], info.name, info.blockSize);
  std::optional<uint64_t> bytes =
      tensorByteSize(type, ne.data(), static_cast<uint32_t>(ne.size()));
  if (!bytes)
    return makeError("tensor '{}': size overflows", name);
  tensors_.push_back({name, type, std::move(ne), *bytes, std::move(fill)});
  return Status::success();
}

Status GgufWriter::addTensor(const std::string &name, TensorType type,
                             std::vector<uint64_t> ne,
                             std::vector<uint8_t> bytes) {
  auto shared = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  return addTensor(name, type, std::move(ne),
                   [shared, name](uint8_t *destination, uint64_t size) {
                     if (shared->size() != size)
                       return Status(makeError(
                           "tensor '{}': {} bytes given, its shape needs {}",
                           name, shared->size(), size));
                     std::memcpy(destination, shared->data(), size);
                     return Status::success();
                   });
}

Expected<std::vector<uint8_t>> GgufWriter::header() const {
  Expected<uint64_t> alignment = this->alignment();
  if (!alignment)
    return alignment.error();
  std::vector<uint8_t> header;
  auto put = [&](const void *data, size_t size) {
    const uint8_t *p = static_cast<const uint8_t *>(data);
    header.insert(header.end(), p, p + size);
  };
  auto putU32 = [&](uint32_t v) { put(&v, 4); };
  auto putU64 = [&](uint64_t v) { put(&v, 8); };
  auto putString = [&](const std::string &s) {
    putU64(s.size());
    put(s.data(), s.size());
  };

  put("GGUF", 4);
  putU32(3);
  putU64(tensors_.size());
  putU64(metadata_.size());
  for (const auto &[key, value] : metadata_) {
    putString(key);
    putU32(static_cast<uint32_t>(value.type));
    if (value.type == ValueType::String) {
      putString(value.string);
    } else if (value.type == ValueType::Array) {
      putU32(static_cast<uint32_t>(value.elementType));
      putU64(value.arraySize);
      if (value.elementType == ValueType::String)
        for (const std::string &s : value.strings)
          putString(s);
      else
        put(value.arrayBytes.data(), value.arrayBytes.size());
    } else {
      put(&value.bits, scalarSize(value.type));
    }
  }
  // Tensors are packed in info order, each padded to the alignment.
  Expected<std::vector<uint64_t>> layout = dataLayout();
  if (!layout)
    return layout.error();
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const PendingTensor &tensor = tensors_[i];
    putString(tensor.name);
    putU32(static_cast<uint32_t>(tensor.ne.size()));
    for (uint64_t dim : tensor.ne)
      putU64(dim);
    putU32(*typeId(tensor.type, convention_));
    putU64((*layout)[i]);
  }
  header.resize(alignUp(header.size(), *alignment), 0);
  return header;
}

Expected<std::vector<uint64_t>> GgufWriter::dataLayout() const {
  Expected<uint64_t> alignment = this->alignment();
  if (!alignment)
    return alignment.error();
  std::vector<uint64_t> boundaries;
  uint64_t offset = 0;
  for (const PendingTensor &tensor : tensors_) {
    boundaries.push_back(offset);
    offset += alignUp(tensor.byteSize, *alignment);
  }
  boundaries.push_back(offset);
  return boundaries;
}

Expected<std::vector<uint64_t>> GgufWriter::dataBoundaries() const {
  Expected<std::vector<uint8_t>> header = this->header();
  if (!header)
    return header.error();
  Expected<std::vector<uint64_t>> boundaries = dataLayout();
  if (!boundaries)
    return boundaries.error();
  for (uint64_t &boundary : *boundaries)
    boundary += header->size();
  return boundaries;
}

Expected<std::vector<uint64_t>> GgufWriter::tensorOffsets() const {
  Expected<std::vector<uint64_t>> boundaries = dataBoundaries();
  if (!boundaries)
    return boundaries.error();
  boundaries->pop_back();
  return boundaries;
}

Expected<std::vector<uint64_t>> GgufWriter::tensorDataOffsets() const {
  Expected<std::vector<uint64_t>> boundaries = dataLayout();
  if (!boundaries)
    return boundaries.error();
  boundaries->pop_back();
  return boundaries;
}

Expected<uint64_t> GgufWriter::fileSize() const {
  Expected<std::vector<uint64_t>> boundaries = dataBoundaries();
  if (!boundaries)
    return boundaries.error();
  return boundaries->back();
}

Status GgufWriter::serialize(const Sink &sink) const {
  Expected<std::vector<uint8_t>> header = this->header();
  if (!header)
    return header.error();
  Expected<uint64_t> alignment = this->alignment();
  TERNC_RETURN_IF_ERROR(sink(header->data(), header->size()));

  std::vector<uint8_t> buffer;
  for (const PendingTensor &tensor : tensors_) {
    buffer.assign(alignUp(tensor.byteSize, *alignment), 0);
    TERNC_RETURN_IF_ERROR(tensor.fill(buffer.data(), tensor.byteSize));
    TERNC_RETURN_IF_ERROR(sink(buffer.data(), buffer.size()));
  }
  return Status::success();
}

Status GgufWriter::write(const std::string &path) const {
  return writeSerialized(path, [this](const ByteSink &sink) {
    return serialize(sink);
  });
}

Expected<std::vector<uint8_t>> GgufWriter::writeToMemory() const {
  return serializeToMemory(
      [this](const ByteSink &sink) { return serialize(sink); });
}

} // namespace ternc::gguf
