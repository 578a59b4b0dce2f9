//===- SafetensorsWriterTest.cpp - Writing safetensors files --------------===//
//
// What the writer produces is read back by the checked reader, and its
// framing is checked byte by byte against the format's documentation.
//
//===----------------------------------------------------------------------===//

#include "compiler/checkpoint/SafetensorsWriter.h"

#include "runtime/support/Bytes.h"

#include <cstring>
#include <fstream>
#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::checkpoint;

namespace {

/// A fill writing bytes counting up from `first`.
SafetensorsWriter::Fill countingFrom(uint8_t first) {
  return [first](uint8_t *destination, uint64_t size) {
    for (uint64_t i = 0; i < size; ++i)
      destination[i] = static_cast<uint8_t>(first + i);
    return Status::success();
  };
}

TEST(SafetensorsWriterTest, WritesWhatTheReaderReadsBack) {
  SafetensorsWriter writer;
  writer.setMetadata("format", "pt");
  ASSERT_TRUE(
      writer.addTensor("a.weight", Dtype::BF16, {2, 3}, countingFrom(0)).ok());
  ASSERT_TRUE(writer.addTensor("b", Dtype::U8, {5}, countingFrom(100)).ok());
  ASSERT_TRUE(writer.addTensor("s", Dtype::F32, {1}, countingFrom(7)).ok());
  EXPECT_EQ(writer.dataSize(), 12u + 5u + 4u);
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();

  // 8-byte little-endian length of a JSON header padded to a multiple of 8,
  // then the data in the order the tensors were added.
  const uint64_t length = loadLittleEndian<uint64_t>(bytes->data());
  EXPECT_EQ(length % 8, 0u);
  ASSERT_EQ(bytes->size(), 8 + length + 21);
  EXPECT_EQ((*bytes)[8], '{');
  EXPECT_EQ((*bytes)[8 + length], 0);
  EXPECT_EQ((*bytes)[8 + length + 12], 100);

  Expected<SafetensorsFile> file =
      SafetensorsFile::parse({bytes->data(), bytes->size()}, "w.safetensors");
  ASSERT_TRUE(file.ok()) << file.error().message();
  ASSERT_EQ(file->tensors().size(), 3u);
  const SafetensorsTensor *a = file->findTensor("a.weight");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dtype, Dtype::BF16);
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a->begin, 0u);
  EXPECT_EQ(a->end, 12u);
  const SafetensorsTensor *b = file->findTensor("b");
  ASSERT_NE(b, nullptr);
  ByteSpan data = file->tensorData(*b);
  ASSERT_EQ(data.size, 5u);
  EXPECT_EQ(data.data[0], 100);
  EXPECT_EQ(data.data[4], 104);
  EXPECT_EQ(file->metadata(),
            (std::vector<std::pair<std::string, std::string>>{{"format", "pt"}}));
}

TEST(SafetensorsWriterTest, RefusesReservedAndRepeatedNames) {
  SafetensorsWriter writer;
  EXPECT_FALSE(writer.addTensor("", Dtype::U8, {1}, countingFrom(0)).ok());
  EXPECT_FALSE(
      writer.addTensor("__metadata__", Dtype::U8, {1}, countingFrom(0)).ok());
  ASSERT_TRUE(writer.addTensor("x", Dtype::U8, {1}, countingFrom(0)).ok());
  Status repeated = writer.addTensor("x", Dtype::U8, {2}, countingFrom(0));
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().message(), "safetensors tensor 'x' added twice");
}

TEST(SafetensorsWriterTest, AFailingFillLeavesNoFile) {
  SafetensorsWriter writer;
  ASSERT_TRUE(writer.addTensor("ok", Dtype::U8, {4}, countingFrom(0)).ok());
  ASSERT_TRUE(writer
                  .addTensor("bad", Dtype::F32, {2},
                             [](uint8_t *, uint64_t) -> Status {
                               return makeError("no values");
                             })
                  .ok());
  const std::string path =
      ::testing::TempDir() + "/SafetensorsWriterTest.safetensors";
  std::remove(path.c_str());
  Status written = writer.write(path);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().message(), "tensor 'bad': no values");
  EXPECT_FALSE(std::ifstream(path).good());
}

} // namespace
