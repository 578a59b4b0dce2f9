//===- SafetensorsFileTest.cpp - The safetensors reader's checks ----------===//
//
// Files are assembled byte by byte here (length, JSON text, data) as the
// format's documentation describes them, independently of the reader.
//
//===----------------------------------------------------------------------===//

#include "compiler/checkpoint/SafetensorsFile.h"

#include "test/compiler/checkpoint/SafetensorsBytes.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::checkpoint;

namespace {

/// A file of `header` and `dataBytes` bytes counting up from 0.
std::vector<uint8_t> fileBytes(const std::string &header, size_t dataBytes) {
  std::vector<uint8_t> data(dataBytes);
  for (size_t i = 0; i < dataBytes; ++i)
    data[i] = static_cast<uint8_t>(i);
  return test::safetensorsBytes(header, data);
}

/// The reader's error on `bytes` (a test failure if it accepts them).
std::string errorOf(const std::vector<uint8_t> &bytes) {
  Expected<SafetensorsFile> file =
      SafetensorsFile::parse({bytes.data(), bytes.size()}, "m.safetensors");
  EXPECT_FALSE(file.ok());
  return file.ok() ? "" : file.error().message();
}

TEST(SafetensorsFileTest, ReadsTensorsMetadataAndData) {
  // Two tensors listed out of data order, header padded with spaces.
  const std::string header =
      R"({"b.weight":{"dtype":"BF16","shape":[2,3],"data_offsets":[4,16]},)"
      R"("__metadata__":{"format":"pt"},)"
      R"("a.scale":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}   )";
  const std::vector<uint8_t> bytes = fileBytes(header, 16);
  Expected<SafetensorsFile> file =
      SafetensorsFile::parse({bytes.data(), bytes.size()}, "m.safetensors");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->dataOffset(), 8 + header.size());
  ASSERT_EQ(file->tensors().size(), 2u);
  const SafetensorsTensor &scale = file->tensors()[0];
  EXPECT_EQ(scale.name, "a.scale");
  EXPECT_EQ(scale.dtype, Dtype::F32);
  EXPECT_TRUE(scale.shape.empty());
  EXPECT_EQ(scale.elements, 1u);
  const SafetensorsTensor *weight = file->findTensor("b.weight");
  ASSERT_NE(weight, nullptr);
  EXPECT_EQ(weight->dtype, Dtype::BF16);
  EXPECT_EQ(weight->shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(weight->shapeString(), "[2, 3]");
  EXPECT_EQ(weight->elements, 6u);
  ByteSpan data = file->tensorData(*weight);
  ASSERT_EQ(data.size, 12u);
  EXPECT_EQ(data.data[0], 4);
  EXPECT_EQ(data.data[11], 15);
  ASSERT_EQ(file->metadata().size(), 1u);
  EXPECT_EQ(file->metadata()[0],
            (std::pair<std::string, std::string>{"format", "pt"}));
  EXPECT_EQ(file->findTensor("missing"), nullptr);
  EXPECT_EQ(dtypeName(Dtype::F8_E4M3), "F8_E4M3");
  EXPECT_EQ(dtypeSize(Dtype::I64), 8u);
}

TEST(SafetensorsFileTest, ZeroSizedTensorsAndNoTensors) {
  std::vector<uint8_t> bytes = fileBytes(
      R"({"e":{"dtype":"U8","shape":[0,4],"data_offsets":[0,0]}})", 0);
  Expected<SafetensorsFile> file =
      SafetensorsFile::parse({bytes.data(), bytes.size()}, "m.safetensors");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->tensors()[0].elements, 0u);
  bytes = fileBytes("{}", 0);
  file = SafetensorsFile::parse({bytes.data(), bytes.size()}, "m.safetensors");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_TRUE(file->tensors().empty());
}

TEST(SafetensorsFileTest, LengthErrors) {
  EXPECT_EQ(errorOf({1, 2, 3}),
            "m.safetensors: 3 bytes: too short for the 8-byte header length");
  std::vector<uint8_t> bytes = fileBytes("{}", 0);
  bytes[0] = 3; // The header claims one byte more than there is.
  EXPECT_EQ(errorOf(bytes), "m.safetensors: the header length 3 runs past "
                            "the end of the file (10 bytes)");
  bytes = fileBytes("{}", 0);
  bytes[4] = 1; // 2^32 + 2 bytes.
  EXPECT_EQ(errorOf(bytes), "m.safetensors: the header length 4294967298 is "
                            "over the 100000000-byte limit");
}

TEST(SafetensorsFileTest, HeaderErrors) {
  EXPECT_EQ(errorOf(fileBytes("", 0)),
            "m.safetensors: header: expected a JSON object starting with '{' "
            "at byte 8");
  EXPECT_EQ(errorOf(fileBytes(" {}", 0)),
            "m.safetensors: header: expected a JSON object starting with '{' "
            "at byte 8");
  EXPECT_EQ(errorOf(fileBytes(R"({"a": )", 0)),
            "m.safetensors: header: not a valid JSON object (UTF-8)");
  EXPECT_EQ(errorOf(fileBytes("{\"\xff\": 1}", 0)),
            "m.safetensors: header: not a valid JSON object (UTF-8)");
  EXPECT_EQ(errorOf(fileBytes(R"({"a":[[[1]]]})", 0)),
            "m.safetensors: header: JSON nested deeper than 3 levels (a "
            "tensor's shape is the deepest a header needs)");
  // Brackets inside strings do not count.
  EXPECT_EQ(
      errorOf(fileBytes(R"({"__metadata__":{"k":"[[[{{{\"["}, "x":1})", 0)),
      "m.safetensors: tensor 'x': expected an object with dtype, shape "
      "and data_offsets");
  EXPECT_EQ(errorOf(fileBytes(R"({"__metadata__":{"k":1}})", 0)),
            "m.safetensors: __metadata__: 'k': expected a string");
  EXPECT_EQ(errorOf(fileBytes(R"({"__metadata__":[]})", 0)),
            "m.safetensors: __metadata__: expected an object of strings");
  EXPECT_EQ(errorOf(fileBytes(R"({"":{}})", 0)),
            "m.safetensors: header: a tensor has an empty name");
}

TEST(SafetensorsFileTest, TensorEntryErrors) {
  auto entry = [](const std::string &body, size_t dataBytes) {
    return errorOf(fileBytes("{\"w\":{" + body + "}}", dataBytes));
  };
  EXPECT_EQ(entry(R"("shape":[1],"data_offsets":[0,4])", 4),
            "m.safetensors: tensor 'w': missing 'dtype' (a string such as "
            "\"BF16\")");
  EXPECT_EQ(entry(R"("dtype":"Q4","shape":[1],"data_offsets":[0,4])", 4),
            "m.safetensors: tensor 'w': unknown dtype 'Q4'");
  EXPECT_EQ(entry(R"("dtype":"F32","data_offsets":[0,4])", 4),
            "m.safetensors: tensor 'w': missing 'shape' (an array of sizes)");
  EXPECT_EQ(entry(R"("dtype":"F32","shape":[-1],"data_offsets":[0,4])", 4),
            "m.safetensors: tensor 'w': shape [-1]: sizes must be "
            "non-negative integers");
  EXPECT_EQ(entry(R"("dtype":"F32","shape":[1.5],"data_offsets":[0,4])", 4),
            "m.safetensors: tensor 'w': shape [1.5]: sizes must be "
            "non-negative integers");
  EXPECT_EQ(entry(R"("dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],)"
                  R"("data_offsets":[0,4])",
                  4),
            "m.safetensors: tensor 'w': 9 dimensions, at most 8 supported");
  EXPECT_EQ(entry(R"("dtype":"U8","shape":[4294967296,4294967296],)"
                  R"("data_offsets":[0,4])",
                  4),
            "m.safetensors: tensor 'w': shape [4294967296,4294967296] has too "
            "many elements");
  EXPECT_EQ(entry(R"("dtype":"F32","shape":[1],"data_offsets":[0])", 4),
            "m.safetensors: tensor 'w': missing 'data_offsets' (two "
            "non-negative integers [begin, end])");
  EXPECT_EQ(entry(R"("dtype":"F32","shape":[1],"data_offsets":[4,8])", 4),
            "m.safetensors: tensor 'w': data_offsets [4, 8] are outside the "
            "4 bytes of data");
  EXPECT_EQ(entry(R"("dtype":"F32","shape":[1],"data_offsets":[4,0])", 4),
            "m.safetensors: tensor 'w': data_offsets [4, 0] are outside the "
            "4 bytes of data");
  EXPECT_EQ(entry(R"("dtype":"F32","shape":[2],"data_offsets":[0,4])", 4),
            "m.safetensors: tensor 'w': data_offsets [0, 4] hold 4 bytes, "
            "but F32 [2] is 8 bytes");
}

TEST(SafetensorsFileTest, TensorsCoverTheDataExactly) {
  EXPECT_EQ(
      errorOf(
          fileBytes(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                    R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                    6)),
      "m.safetensors: tensors 'a' and 'b' overlap (bytes [0, 4) and [2, 6))");
  EXPECT_EQ(errorOf(fileBytes(
                R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", 4)),
            "m.safetensors: bytes [0, 2) of the data belong to no tensor");
  EXPECT_EQ(errorOf(fileBytes(
                R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", 5)),
            "m.safetensors: bytes [2, 5) of the data belong to no tensor");
}

TEST(SafetensorsFileTest, OpenNamesAMissingFile) {
  Expected<SafetensorsFile> file =
      SafetensorsFile::open("/nonexistent/model.safetensors");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message().find("/nonexistent/model.safetensors"),
            std::string::npos);
}

} // namespace
