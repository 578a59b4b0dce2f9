//===- GgufRewrite.cpp - Copy a GGUF model with edits, for tests ----------===//

#include "test/utils/GgufRewrite.h"

#include <gtest/gtest.h>

namespace ternc::test {

std::vector<uint8_t> rewriteGguf(const gguf::GgufFile &file,
                                 const TensorEdit &edit,
                                 const WriterEdit &finish) {
  gguf::GgufWriter writer(file.convention());
  for (const gguf::KeyValue &kv : file.metadata())
    writer.set(std::string(kv.key), gguf::MetadataValue::fromValue(kv.value));
  for (const gguf::TensorInfo &tensor : file.tensors()) {
    gguf::TensorType type = tensor.type;
    std::vector<uint64_t> ne(tensor.ne.begin(),
                             tensor.ne.begin() + tensor.nDims);
    ByteSpan data = file.tensorData(tensor);
    std::vector<uint8_t> bytes(data.begin(), data.end());
    if (edit)
      edit(tensor.name, type, ne, bytes);
    Status added = writer.addTensor(std::string(tensor.name), type, ne, bytes);
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message());
  }
  if (finish)
    finish(writer);
  Expected<std::vector<uint8_t>> image = writer.writeToMemory();
  EXPECT_TRUE(image.ok()) << (image.ok() ? "" : image.error().message());
  return image ? image.take() : std::vector<uint8_t>();
}

} // namespace ternc::test
