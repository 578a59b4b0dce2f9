//===- GgufReaderFuzzer.cpp - libFuzzer target for the GGUF reader --------===//
//
// Feeds arbitrary bytes to GgufFile::parse. Whatever parses is then used the
// way a loader would use it: every metadata value and array element is read
// through every accessor, every tensor's bytes are touched at both ends, and
// small tensors of dequantizable types are decoded. Under ASan+UBSan any read
// that validation should have prevented becomes a crash; a parsed file that
// contradicts itself aborts.
//
//===----------------------------------------------------------------------===//

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/Quants.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace ternc;
using namespace ternc::gguf;

namespace {

/// Tensors with more elements are not decoded (they cost time, not coverage).
constexpr uint64_t kMaxDecodedElements = uint64_t(1) << 16;

/// Receives a digest of everything read, so that no read is optimized away.
volatile uint64_t gDigestSink;

/// Reports a parsed file that contradicts itself, which is a reader bug.
[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "GgufReaderFuzzer: %s\n", what.c_str());
  std::abort();
}

/// Reads `value` through every accessor, and every element of an array.
uint64_t touchValue(const Value &value) {
  uint64_t digest =
      static_cast<uint64_t>(value.type()) + valueTypeName(value.type()).size();
  if (std::optional<uint64_t> number = value.asUnsigned())
    digest += *number;
  if (std::optional<int64_t> number = value.asSigned())
    digest += static_cast<uint64_t>(*number);
  if (std::optional<double> number = value.asDouble())
    digest += std::isnan(*number) ? 1 : 2;
  if (std::optional<bool> flag = value.asBool())
    digest += *flag;
  if (std::optional<std::string_view> text = value.asString())
    for (char c : *text)
      digest += static_cast<uint8_t>(c);
  if (value.type() == ValueType::Array)
    for (uint64_t i = 0; i < value.arraySize(); ++i)
      digest += touchValue(value.element(i));
  return digest;
}

/// Reads every pair of `file` and checks that lookup by key finds it.
uint64_t touchMetadata(const GgufFile &file) {
  uint64_t digest = file.architecture().size();
  for (const KeyValue &pair : file.metadata()) {
    if (file.find(pair.key) != &pair.value)
      fail(fmt::format("find('{}') does not return its pair", pair.key));
    digest += pair.key.size() + pair.fileOffset + touchValue(pair.value);
  }
  return digest;
}

/// Touches the bytes of every tensor of `file`, which was parsed from
/// `input`, and decodes the small ones.
uint64_t touchTensors(const GgufFile &file, ByteSpan input) {
  uint64_t digest = file.dataOffset() + file.alignment();
  std::vector<float> decoded;
  for (const TensorInfo &tensor : file.tensors()) {
    if (file.findTensor(tensor.name) != &tensor)
      fail(fmt::format("findTensor('{}') does not return it", tensor.name));
    digest += tensor.shapeString().size() + tensor.rows();

    ByteSpan data = file.tensorData(tensor);
    if (data.size == 0 || data.data < input.begin() || data.size > input.size ||
        static_cast<size_t>(data.data - input.begin()) > input.size - data.size)
      fail(fmt::format("tensor '{}': data span is empty or outside the file",
                       tensor.name));
    digest += data.data[0] + data.data[data.size - 1];

    if (!typeInfo(tensor.type).dequantizable ||
        tensor.elements > kMaxDecodedElements)
      continue;
    decoded.resize(tensor.elements);
    Status status =
        dequantize(tensor.type, data, tensor.elements, decoded.data());
    if (!status.ok())
      fail(fmt::format("tensor '{}' does not decode: {}", tensor.name,
                       status.error().message()));
    for (float value : decoded)
      digest += std::isnan(value) ? 1 : 2;
  }
  return digest;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ByteSpan input{data, size};
  Expected<GgufFile> file = GgufFile::parse(input, "fuzz.gguf");
  if (!file)
    return 0;
  gDigestSink = touchMetadata(*file) + touchTensors(*file, input);
  return 0;
}
