//===- RoundTripTest.cpp - GGUF write -> read for every value and type ----===//

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::gguf;

namespace {

TEST(RoundTripTest, EveryMetadataValueType) {
  GgufWriter writer;
  writer.set("general.architecture", MetadataValue::ofString("bitnet-b1.58"));
  writer.set("t.u8", MetadataValue::ofScalar(ValueType::UInt8, 200));
  writer.set("t.i8", MetadataValue::ofScalar(ValueType::Int8, 0x80)); // -128
  writer.set("t.u16", MetadataValue::ofScalar(ValueType::UInt16, 65535));
  writer.set("t.i16", MetadataValue::ofScalar(ValueType::Int16, 0xfffe)); // -2
  writer.set("t.u32", MetadataValue::ofU32(4000000000u));
  writer.set("t.i32", MetadataValue::ofI32(-7));
  writer.set("t.f32", MetadataValue::ofF32(1e-5f));
  writer.set("t.bool", MetadataValue::ofBool(true));
  writer.set("t.u64", MetadataValue::ofU64(uint64_t(1) << 40));
  writer.set("t.i64", MetadataValue::ofScalar(ValueType::Int64, uint64_t(-5)));
  double pi = 3.141592653589793;
  uint64_t piBits;
  std::memcpy(&piBits, &pi, 8);
  writer.set("t.f64", MetadataValue::ofScalar(ValueType::Float64, piBits));
  writer.set("t.strings", MetadataValue::ofStrings({"Ġ Ġ", "", "a b"}));
  writer.set("t.floats", MetadataValue::ofF32Array({0.5f, -1.0f}));
  writer.set("t.ints", MetadataValue::ofI32Array({1, -3, 6}));
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  ASSERT_TRUE(bytes.ok());

  Expected<GgufFile> file =
      GgufFile::parse({bytes->data(), bytes->size()}, "mem.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->version(), 3u);
  EXPECT_EQ(file->metadata().size(), 15u);
  EXPECT_EQ(file->metadata()[1].key, "t.u8");
  EXPECT_EQ(*file->find("t.u8")->asUnsigned(), 200u);
  EXPECT_EQ(*file->find("t.i8")->asSigned(), -128);
  EXPECT_EQ(file->find("t.i8")->asUnsigned(), std::nullopt);
  EXPECT_EQ(*file->find("t.u16")->asUnsigned(), 65535u);
  EXPECT_EQ(*file->find("t.i16")->asSigned(), -2);
  EXPECT_EQ(*file->getUnsigned("t.u32"), 4000000000u);
  EXPECT_EQ(*file->find("t.i32")->asSigned(), -7);
  EXPECT_EQ(static_cast<float>(*file->getDouble("t.f32")), 1e-5f);
  EXPECT_EQ(*file->getBool("t.bool"), true);
  EXPECT_EQ(*file->getUnsigned("t.u64"), uint64_t(1) << 40);
  EXPECT_EQ(*file->find("t.i64")->asSigned(), -5);
  EXPECT_EQ(*file->getDouble("t.f64"), pi);
  const Value *strings = file->find("t.strings");
  ASSERT_EQ(strings->type(), ValueType::Array);
  ASSERT_EQ(strings->arraySize(), 3u);
  EXPECT_EQ(*strings->element(0).asString(), "Ġ Ġ");
  EXPECT_EQ(*strings->element(1).asString(), "");
  EXPECT_EQ(*file->find("t.floats")->element(1).asDouble(), -1.0);
  EXPECT_EQ(*file->find("t.ints")->element(1).asSigned(), -3);
  // Typed getters name the key and the mismatch.
  Expected<std::string_view> wrong = file->getString("t.u32");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("'t.u32' has type u32"),
            std::string::npos);
  EXPECT_FALSE(file->getUnsigned("missing.key").ok());
}

TEST(RoundTripTest, CopiedValuesAreIdentical) {
  GgufWriter writer;
  writer.set("a", MetadataValue::ofScalar(ValueType::Int16, 0xfffe));
  writer.set("b", MetadataValue::ofStrings({"x", "yz"}));
  writer.set("c", MetadataValue::ofF32Array({2.5f}));
  Expected<std::vector<uint8_t>> first = writer.writeToMemory();
  Expected<GgufFile> file =
      GgufFile::parse({first->data(), first->size()}, "first");
  ASSERT_TRUE(file.ok());
  GgufWriter copy;
  for (const KeyValue &kv : file->metadata())
    copy.set(std::string(kv.key), MetadataValue::fromValue(kv.value));
  Expected<std::vector<uint8_t>> second = copy.writeToMemory();
  EXPECT_EQ(*first, *second);
}

TEST(RoundTripTest, EveryTensorTypeAndPackedOffsets) {
  GgufWriter writer;
  writer.set("general.architecture", MetadataValue::ofString("bitnet-b1.58"));
  std::vector<float> ternary(512 * 2);
  for (size_t i = 0; i < ternary.size(); ++i)
    ternary[i] = static_cast<float>(static_cast<int>(i % 3) - 1) * 0.5f;
  std::vector<float> real(512 * 2);
  for (size_t i = 0; i < real.size(); ++i)
    real[i] = static_cast<float>(i % 17) * 0.125f - 1.0f;
  struct Case {
    TensorType type;
    const std::vector<float> *values;
  };
  std::vector<Case> cases = {
      {TensorType::F32, &real},   {TensorType::F16, &real},
      {TensorType::BF16, &real},  {TensorType::Q8_0, &real},
      {TensorType::I2_S, &ternary}, {TensorType::TQ1_0, &ternary},
      {TensorType::TQ2_0, &ternary}};
  std::vector<std::vector<uint8_t>> encoded;
  for (const Case &c : cases) {
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(quantize(c.type, c.values->data(), 1024, bytes).ok());
    encoded.push_back(bytes);
    ASSERT_TRUE(writer
                    .addTensor(std::string("t.") + std::string(typeName(c.type)),
                               c.type, {512, 2}, bytes)
                    .ok());
  }
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  ASSERT_TRUE(bytes.ok());
  Expected<GgufFile> file =
      GgufFile::parse({bytes->data(), bytes->size()}, "mem.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->dataOffset() % 32, 0u);
  // The planned offsets (no fill run) are where the data was written.
  Expected<std::vector<uint64_t>> planned = writer.tensorOffsets();
  ASSERT_TRUE(planned.ok());
  ASSERT_EQ(planned->size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i)
    EXPECT_EQ((*planned)[i], file->dataOffset() + file->tensors()[i].offset);
  // And from the start of the tensor data, as the tensor infos record them.
  Expected<std::vector<uint64_t>> dataRelative = writer.tensorDataOffsets();
  ASSERT_TRUE(dataRelative.ok());
  ASSERT_EQ(dataRelative->size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i)
    EXPECT_EQ((*dataRelative)[i], file->tensors()[i].offset);
  Expected<uint64_t> plannedSize = writer.fileSize();
  ASSERT_TRUE(plannedSize.ok());
  EXPECT_EQ(*plannedSize, bytes->size());
  uint64_t expectedOffset = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const TensorInfo &tensor = file->tensors()[i];
    EXPECT_EQ(tensor.type, cases[i].type);
    EXPECT_EQ(tensor.nDims, 2u);
    EXPECT_EQ(tensor.ne[0], 512u);
    EXPECT_EQ(tensor.rows(), 2u);
    // Upstream ggml requires offsets packed in info order.
    EXPECT_EQ(tensor.offset, expectedOffset) << tensor.name;
    expectedOffset += (tensor.byteSize + 31) / 32 * 32;
    ByteSpan data = file->tensorData(tensor);
    ASSERT_EQ(data.size, encoded[i].size());
    EXPECT_EQ(std::memcmp(data.data, encoded[i].data(), data.size), 0);
    std::vector<float> decoded(1024);
    ASSERT_TRUE(dequantize(tensor.type, data, 1024, decoded.data()).ok());
    if (cases[i].values == &ternary) {
      EXPECT_EQ(decoded, ternary) << tensor.name;
    }
  }
  EXPECT_EQ(file->fileSize(), file->dataOffset() + expectedOffset);
}

TEST(RoundTripTest, CustomAlignment) {
  GgufWriter writer;
  ASSERT_TRUE(writer.setAlignment(64).ok());
  ASSERT_TRUE(writer.addTensor("a", TensorType::F32, {3}, std::vector<uint8_t>(12)).ok());
  ASSERT_TRUE(writer.addTensor("b", TensorType::F32, {5}, std::vector<uint8_t>(20)).ok());
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  Expected<GgufFile> file =
      GgufFile::parse({bytes->data(), bytes->size()}, "mem.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->alignment(), 64u);
  EXPECT_EQ(file->dataOffset() % 64, 0u);
  EXPECT_EQ(file->tensors()[1].offset, 64u);
  EXPECT_FALSE(writer.setAlignment(48).ok());
}

TEST(RoundTripTest, CopiedAlignmentKeyIsHonoured) {
  // Copying every key of a file with general.alignment = 64 (as the
  // rewriting tools do) must lay the data out with that alignment.
  GgufWriter writer;
  writer.set("general.alignment", MetadataValue::ofU32(64));
  ASSERT_TRUE(writer.addTensor("a", TensorType::F32, {3}, std::vector<uint8_t>(12)).ok());
  ASSERT_TRUE(writer.addTensor("b", TensorType::F32, {5}, std::vector<uint8_t>(20)).ok());
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  ASSERT_TRUE(bytes.ok());
  Expected<GgufFile> file =
      GgufFile::parse({bytes->data(), bytes->size()}, "mem.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->tensors()[1].offset, 64u);
  GgufWriter bad;
  bad.set("general.alignment", MetadataValue::ofU32(24));
  EXPECT_FALSE(bad.writeToMemory().ok());
}

TEST(RoundTripTest, WriterRejectsBadTensors) {
  GgufWriter writer;
  EXPECT_FALSE(writer.addTensor("x", TensorType::TQ2_0, {100}, std::vector<uint8_t>()).ok());
  EXPECT_FALSE(writer.addTensor("x", TensorType::F32, {0}, std::vector<uint8_t>()).ok());
  EXPECT_FALSE(writer.addTensor(std::string(64, 'n'), TensorType::F32, {1}, std::vector<uint8_t>(4)).ok());
  ASSERT_TRUE(writer.addTensor("x", TensorType::F32, {1}, std::vector<uint8_t>(4)).ok());
  EXPECT_FALSE(writer.addTensor("x", TensorType::F32, {1}, std::vector<uint8_t>(4)).ok());
  GgufWriter upstream(TypeIdConvention::Upstream);
  EXPECT_FALSE(upstream.addTensor("w", TensorType::I2_S, {128}, std::vector<uint8_t>(64)).ok());
  GgufWriter wrongSize;
  ASSERT_TRUE(wrongSize.addTensor("w", TensorType::F32, {4}, std::vector<uint8_t>(3)).ok());
  EXPECT_FALSE(wrongSize.writeToMemory().ok());
}

} // namespace
