//===- SafetensorsFile.cpp - The safetensors container, checked -----------===//
//
// The header is a JSON object read as JsonFile.h says (no exceptions).
// Before parsing, a scan of
// the bytes bounds the nesting depth: a header needs three levels (the file's
// object, a tensor's object, its shape), and deeper input could only cost
// stack and time.
//
//===----------------------------------------------------------------------===//

#include "compiler/checkpoint/SafetensorsFile.h"

#include "compiler/checkpoint/JsonFile.h"
#include "runtime/support/Half.h"
#include "runtime/support/MappedFile.h"

#include <algorithm>

namespace ternc::checkpoint {

namespace {

using json = nlohmann::json;

struct DtypeInfo {
  Dtype dtype;
  std::string_view name;
  uint64_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {Dtype::Bool, "BOOL", 1},       {Dtype::U8, "U8", 1},
    {Dtype::I8, "I8", 1},           {Dtype::U16, "U16", 2},
    {Dtype::I16, "I16", 2},         {Dtype::F16, "F16", 2},
    {Dtype::BF16, "BF16", 2},       {Dtype::U32, "U32", 4},
    {Dtype::I32, "I32", 4},         {Dtype::F32, "F32", 4},
    {Dtype::U64, "U64", 8},         {Dtype::I64, "I64", 8},
    {Dtype::F64, "F64", 8},         {Dtype::F8_E4M3, "F8_E4M3", 1},
    {Dtype::F8_E5M2, "F8_E5M2", 1},
};

const DtypeInfo &infoOf(Dtype dtype) {
  return kDtypes[static_cast<size_t>(dtype)];
}

/// Dimensions a tensor may have (safetensors sets no limit; real
/// checkpoints use at most 4).
constexpr size_t kMaxRank = 8;
/// The deepest nesting a header needs.
constexpr int kMaxDepth = 3;

/// Whether the JSON text `bytes` nests brackets deeper than kMaxDepth
/// (outside strings).
bool nestsTooDeep(ByteSpan bytes) {
  int depth = 0;
  bool inString = false, escaped = false;
  for (uint8_t c : bytes) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth)
        return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

} // namespace

std::string_view dtypeName(Dtype dtype) { return infoOf(dtype).name; }

uint64_t dtypeSize(Dtype dtype) { return infoOf(dtype).size; }

std::string SafetensorsTensor::shapeString() const {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

void SafetensorsFile::releaseTensorData(const SafetensorsTensor &tensor) const {
  if (mapping_)
    mapping_->release(tensorData(tensor));
}

bool isFloatDtype(Dtype dtype) {
  return dtype == Dtype::BF16 || dtype == Dtype::F16 || dtype == Dtype::F32;
}

float floatElement(Dtype dtype, ByteSpan bytes, uint64_t index) {
  switch (dtype) {
  case Dtype::BF16:
    return bfloat16ToFloat(loadLittleEndian<uint16_t>(bytes.data + 2 * index));
  case Dtype::F16:
    return halfToFloat(loadLittleEndian<uint16_t>(bytes.data + 2 * index));
  default:
    return loadLittleEndian<float>(bytes.data + 4 * index);
  }
}

/// Reads and checks the header of one file into it.
class HeaderReader {
public:
  explicit HeaderReader(SafetensorsFile &file) : file_(file) {}

  Status read() {
    const ByteSpan bytes = file_.bytes_;
    if (bytes.size < 8)
      return fail("{} bytes: too short for the 8-byte header length",
                  bytes.size);
    const uint64_t headerBytes = loadLittleEndian<uint64_t>(bytes.data);
    if (headerBytes > SafetensorsFile::kMaxHeaderBytes)
      return fail("the header length {} is over the {}-byte limit", headerBytes,
                  SafetensorsFile::kMaxHeaderBytes);
    if (headerBytes > bytes.size - 8)
      return fail("the header length {} runs past the end of the file ({} "
                  "bytes)",
                  headerBytes, bytes.size);
    file_.dataOffset_ = 8 + headerBytes;
    const ByteSpan header = bytes.slice(8, headerBytes);
    if (headerBytes == 0 || header.data[0] != '{')
      return fail("header: expected a JSON object starting with '{{' at byte "
                  "8");
    if (nestsTooDeep(header))
      return fail("header: JSON nested deeper than {} levels (a tensor's "
                  "shape is the deepest a header needs)",
                  kMaxDepth);
    const std::optional<json> document = parseJsonObject(header);
    if (!document)
      return fail("header: not a valid JSON object (UTF-8)");
    for (const auto &[key, value] : document->items()) {
      Status entry =
          key == "__metadata__" ? readMetadata(value) : readTensor(key, value);
      if (!entry.ok())
        return entry;
    }
    return checkCoverage();
  }

private:
  template <typename... Args>
  Status fail(fmt::format_string<Args...> format, Args &&...args) {
    return makeError("{}: {}", file_.name_,
                     fmt::format(format, std::forward<Args>(args)...));
  }

  Status readMetadata(const json &value) {
    if (!value.is_object())
      return fail("__metadata__: expected an object of strings");
    for (const auto &[key, text] : value.items()) {
      if (!text.is_string())
        return fail("__metadata__: '{}': expected a string", key);
      file_.metadata_.emplace_back(key, text.get_ref<const std::string &>());
    }
    std::sort(file_.metadata_.begin(), file_.metadata_.end());
    return Status::success();
  }

  Status readTensor(const std::string &name, const json &value) {
    if (name.empty())
      return fail("header: a tensor has an empty name");
    if (!value.is_object())
      return fail("tensor '{}': expected an object with dtype, shape and "
                  "data_offsets",
                  name);
    SafetensorsTensor tensor;
    tensor.name = name;

    auto dtype = value.find("dtype");
    if (dtype == value.end() || !dtype->is_string())
      return fail("tensor '{}': missing 'dtype' (a string such as \"BF16\")",
                  name);
    const std::string &dtypeText = dtype->get_ref<const std::string &>();
    const DtypeInfo *info = nullptr;
    for (const DtypeInfo &candidate : kDtypes)
      if (candidate.name == dtypeText)
        info = &candidate;
    if (!info)
      return fail("tensor '{}': unknown dtype '{}'", name, dtypeText);
    tensor.dtype = info->dtype;

    auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array())
      return fail("tensor '{}': missing 'shape' (an array of sizes)", name);
    if (shape->size() > kMaxRank)
      return fail("tensor '{}': {} dimensions, at most {} supported", name,
                  shape->size(), kMaxRank);
    for (const json &dimension : *shape) {
      if (!dimension.is_number_unsigned())
        return fail("tensor '{}': shape {}: sizes must be non-negative "
                    "integers",
                    name, shape->dump());
      const uint64_t size = dimension.get<uint64_t>();
      tensor.shape.push_back(size);
      if (__builtin_mul_overflow(tensor.elements, size, &tensor.elements))
        return fail("tensor '{}': shape {} has too many elements", name,
                    shape->dump());
    }
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(tensor.elements, info->size, &bytes))
      return fail("tensor '{}': shape {} has too many elements", name,
                  shape->dump());

    auto offsets = value.find("data_offsets");
    if (offsets == value.end() || !offsets->is_array() ||
        offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned())
      return fail("tensor '{}': missing 'data_offsets' (two non-negative "
                  "integers [begin, end])",
                  name);
    tensor.begin = (*offsets)[0].get<uint64_t>();
    tensor.end = (*offsets)[1].get<uint64_t>();
    const uint64_t dataBytes = file_.bytes_.size - file_.dataOffset_;
    if (tensor.begin > tensor.end || tensor.end > dataBytes)
      return fail("tensor '{}': data_offsets [{}, {}] are outside the {} "
                  "bytes of data",
                  name, tensor.begin, tensor.end, dataBytes);
    if (tensor.end - tensor.begin != bytes)
      return fail("tensor '{}': data_offsets [{}, {}] hold {} bytes, but {} "
                  "{} is {} bytes",
                  name, tensor.begin, tensor.end, tensor.end - tensor.begin,
                  info->name, tensor.shapeString(), bytes);
    file_.tensors_.push_back(std::move(tensor));
    return Status::success();
  }

  /// The tensors' ranges, in order, cover the data exactly: no overlap, no
  /// byte that belongs to no tensor (the format's own rule).
  Status checkCoverage() {
    std::vector<SafetensorsTensor> &tensors = file_.tensors_;
    std::sort(tensors.begin(), tensors.end(),
              [](const SafetensorsTensor &a, const SafetensorsTensor &b) {
                return std::tie(a.begin, a.end, a.name) <
                       std::tie(b.begin, b.end, b.name);
              });
    uint64_t covered = 0;
    const SafetensorsTensor *previous = nullptr;
    for (const SafetensorsTensor &tensor : tensors) {
      if (tensor.begin < covered)
        return fail("tensors '{}' and '{}' overlap (bytes [{}, {}) and [{}, "
                    "{}))",
                    previous->name, tensor.name, previous->begin, previous->end,
                    tensor.begin, tensor.end);
      if (tensor.begin > covered)
        return fail("bytes [{}, {}) of the data belong to no tensor", covered,
                    tensor.begin);
      covered = tensor.end;
      previous = &tensor;
    }
    const uint64_t dataBytes = file_.bytes_.size - file_.dataOffset_;
    if (covered != dataBytes)
      return fail("bytes [{}, {}) of the data belong to no tensor", covered,
                  dataBytes);
    return Status::success();
  }

  SafetensorsFile &file_;
};

Expected<SafetensorsFile> SafetensorsFile::open(const std::string &path) {
  Expected<std::unique_ptr<MappedFile>> mapping = MappedFile::open(path);
  if (!mapping)
    return mapping.error();
  std::shared_ptr<MappedFile> shared = mapping.take();
  Expected<SafetensorsFile> file = parse(shared->bytes(), path);
  if (file)
    file->mapping_ = std::move(shared);
  return file;
}

Expected<SafetensorsFile> SafetensorsFile::parse(ByteSpan bytes,
                                                 std::string name) {
  SafetensorsFile file;
  file.name_ = std::move(name);
  file.bytes_ = bytes;
  Status status = HeaderReader(file).read();
  if (!status.ok())
    return status.error();
  return file;
}

const SafetensorsTensor *
SafetensorsFile::findTensor(std::string_view name) const {
  for (const SafetensorsTensor &tensor : tensors_)
    if (tensor.name == name)
      return &tensor;
  return nullptr;
}

} // namespace ternc::checkpoint
