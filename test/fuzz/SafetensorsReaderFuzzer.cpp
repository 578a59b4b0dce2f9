//===- SafetensorsReaderFuzzer.cpp - libFuzzer target, safetensors reader -===//
//
// Feeds arbitrary bytes to SafetensorsFile::parse. Whatever parses is then
// used the way a loader would use it: every tensor's bytes are touched at
// both ends, every metadata pair read, and the reader's promises checked
// (ranges in order, covering the data exactly, sizes equal to dtype times
// shape). Under ASan+UBSan any read that validation should have prevented
// becomes a crash; a parsed file that contradicts itself aborts.
//
//===----------------------------------------------------------------------===//

#include "compiler/checkpoint/SafetensorsFile.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace ternc;
using namespace ternc::checkpoint;

namespace {

/// Receives a digest of everything read, so that no read is optimized away.
volatile uint64_t gDigestSink;

/// Reports a parsed file that contradicts itself, which is a reader bug.
[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "SafetensorsReaderFuzzer: %s\n", what.c_str());
  std::abort();
}

uint64_t touch(const SafetensorsFile &file, ByteSpan input) {
  uint64_t digest = file.dataOffset();
  for (const auto &[key, value] : file.metadata())
    digest += key.size() + value.size();
  uint64_t covered = 0;
  for (const SafetensorsTensor &tensor : file.tensors()) {
    if (file.findTensor(tensor.name) == nullptr)
      fail("findTensor('" + tensor.name + "') does not find it");
    if (tensor.begin != covered)
      fail("tensor '" + tensor.name + "' does not start where the last ended");
    covered = tensor.end;
    uint64_t elements = 1;
    for (uint64_t size : tensor.shape)
      elements *= size;
    if (elements != tensor.elements ||
        tensor.end - tensor.begin != elements * dtypeSize(tensor.dtype))
      fail("tensor '" + tensor.name + "': size disagrees with its shape");
    digest += tensor.shapeString().size() + dtypeName(tensor.dtype).size();
    ByteSpan data = file.tensorData(tensor);
    if (data.data < input.begin() ||
        static_cast<size_t>(data.data - input.begin()) > input.size ||
        data.size > input.size - static_cast<size_t>(data.data - input.begin()))
      fail("tensor '" + tensor.name + "': data outside the file");
    if (data.size)
      digest += data.data[0] + data.data[data.size - 1];
  }
  if (covered != file.fileSize() - file.dataOffset())
    fail("the tensors do not cover the data");
  return digest;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ByteSpan input{data, size};
  Expected<SafetensorsFile> file =
      SafetensorsFile::parse(input, "fuzz.safetensors");
  if (file)
    gDigestSink = touch(*file, input);
  return 0;
}
