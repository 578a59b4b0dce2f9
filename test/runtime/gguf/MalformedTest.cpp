//===- MalformedTest.cpp - The GGUF reader rejects malformed files --------===//
//
// Every structural defect the hardened reader checks for, each in a file that
// is otherwise valid: either a small file made by GgufWriter with one field
// patched at its computed byte offset, or a header-plus-one-pair file
// assembled byte by byte. Each must fail with a message that names the file,
// the byte offset and the field. The bytes are parsed from an allocation of
// exactly their size, so that AddressSanitizer catches any read past the end.
//
//===----------------------------------------------------------------------===//

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace ternc;
using namespace ternc::gguf;

namespace {

/// The name every test passes to GgufFile::parse.
constexpr const char *kFileName = "bad.gguf";

/// Size of the GGUF header: magic, version, tensor_count and kv_count.
constexpr uint64_t kHeaderSize = 24;
constexpr uint64_t kVersionOffset = 4;
constexpr uint64_t kTensorCountOffset = 8;
constexpr uint64_t kKvCountOffset = 16;

/// Appends little-endian GGUF fields, for files assembled by hand.
class ByteBuilder {
public:
  ByteBuilder &u8(uint8_t value) { return append(value); }
  ByteBuilder &u32(uint32_t value) { return append(value); }
  ByteBuilder &u64(uint64_t value) { return append(value); }
  ByteBuilder &valueType(ValueType type) {
    return u32(static_cast<uint32_t>(type));
  }
  /// Bytes as they are, without a length.
  ByteBuilder &raw(std::string_view text) {
    bytes_.insert(bytes_.end(), text.begin(), text.end());
    return *this;
  }
  /// A gguf_string: u64 length, then the bytes.
  ByteBuilder &string(std::string_view text) {
    return u64(text.size()).raw(text);
  }

  /// The offset the next field will have.
  uint64_t offset() const { return bytes_.size(); }
  const std::vector<uint8_t> &bytes() const { return bytes_; }

private:
  template <typename T> ByteBuilder &append(T value) {
    size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    storeLittleEndian(bytes_.data() + at, value);
    return *this;
  }

  std::vector<uint8_t> bytes_;
};

/// A GGUF v3 header announcing `tensorCount` tensors and `kvCount` pairs.
ByteBuilder ggufHeader(uint64_t tensorCount, uint64_t kvCount) {
  ByteBuilder file;
  file.raw("GGUF").u32(3).u64(tensorCount).u64(kvCount);
  return file;
}

/// A file with no tensors and one pair whose key (at kHeaderSize) and value
/// type are written; the caller appends the value.
ByteBuilder singlePairFile(std::string_view key, ValueType type) {
  ByteBuilder file = ggufHeader(/*tensorCount=*/0, /*kvCount=*/1);
  file.string(key).valueType(type);
  return file;
}

/// Overwrites the bytes at `offset` with `value`, little-endian.
template <typename T>
void patch(std::vector<uint8_t> &bytes, uint64_t offset, T value) {
  ASSERT_LE(offset + sizeof(T), bytes.size()) << "patch outside the file";
  storeLittleEndian(bytes.data() + offset, value);
}

/// Parses a copy of `bytes` held in an allocation of exactly their size and
/// returns the error message, or nullopt when the bytes parse.
std::optional<std::string> parseError(const std::vector<uint8_t> &bytes) {
  std::unique_ptr<uint8_t[]> exact(new uint8_t[bytes.size()]);
  std::copy(bytes.begin(), bytes.end(), exact.get());
  Expected<GgufFile> file =
      GgufFile::parse({exact.get(), bytes.size()}, kFileName);
  if (file)
    return std::nullopt;
  return file.error().message();
}

/// Whether `text` begins with `prefix`.
bool startsWith(const std::string &text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

/// Expects `bytes` to be rejected with a message that starts with
/// "bad.gguf: offset <offset>: " and contains each of `parts`.
void expectParseError(const std::vector<uint8_t> &bytes, uint64_t offset,
                      std::initializer_list<std::string_view> parts) {
  std::optional<std::string> message = parseError(bytes);
  ASSERT_TRUE(message) << "the malformed bytes parsed";
  std::string prefix = fmt::format("{}: offset {}: ", kFileName, offset);
  EXPECT_TRUE(startsWith(*message, prefix))
      << "expected the prefix '" << prefix << "' in: " << *message;
  for (std::string_view part : parts)
    EXPECT_NE(message->find(part), std::string::npos)
        << "expected '" << part << "' in: " << *message;
}

/// Adds a tensor whose bytes are all zero.
Status addZeroTensor(GgufWriter &writer, const std::string &name,
                     TensorType type, std::vector<uint64_t> ne) {
  std::optional<uint64_t> size =
      tensorByteSize(type, ne.data(), static_cast<uint32_t>(ne.size()));
  if (!size)
    return makeError("tensor '{}': size overflows", name);
  return writer.addTensor(name, type, std::move(ne),
                          std::vector<uint8_t>(*size, 0));
}

/// Byte offsets of the fields of one tensor info record.
struct TensorInfoFields {
  /// The u64 name length; the name's bytes follow it.
  uint64_t nameLength;
  uint64_t nDims;
  /// ne[0]; ne[d] is at neAt(d).
  uint64_t ne;
  uint64_t type;
  /// The u64 data offset, relative to the data section.
  uint64_t dataOffset;
  /// One past the record.
  uint64_t end;

  uint64_t neAt(uint32_t dim) const { return ne + 8 * dim; }
};

/// Where the fields of `tensor`'s info record lie in its file.
TensorInfoFields fieldsOf(const TensorInfo &tensor) {
  TensorInfoFields fields;
  fields.nameLength = tensor.infoOffset;
  fields.nDims = tensor.infoOffset + 8 + tensor.name.size();
  fields.ne = fields.nDims + 4;
  fields.type = fields.neAt(tensor.nDims);
  fields.dataOffset = fields.type + 4;
  fields.end = fields.dataOffset + 8;
  return fields;
}

constexpr const char *kAttnQ = "blk.0.attn_q.weight";
constexpr const char *kAttnK = "blk.0.attn_k.weight";
constexpr const char *kOutputNorm = "output_norm.weight";

/// Provides `sample_`, a valid file made by GgufWriter with a few metadata
/// pairs and three tensors packed in this order: an I2_S {128, 2}, a TQ2_0
/// {256, 1} and an F32 {8}. The F32 tensor's 32 bytes fill its aligned slot,
/// so the file ends exactly where its data ends.
class MalformedGgufTest : public ::testing::Test {
protected:
  void SetUp() override {
    GgufWriter writer(TypeIdConvention::BitnetCpp);
    writer.set("general.architecture", MetadataValue::ofString("bitnet-b1.58"));
    writer.set("general.name", MetadataValue::ofString("malformed-sample"));
    writer.set("bitnet-b1.58.block_count", MetadataValue::ofU32(1));
    writer.set("tokenizer.ggml.tokens",
               MetadataValue::ofStrings({"<s>", "</s>", "a"}));
    ASSERT_TRUE(addZeroTensor(writer, kAttnQ, TensorType::I2_S, {128, 2}).ok());
    ASSERT_TRUE(
        addZeroTensor(writer, kAttnK, TensorType::TQ2_0, {256, 1}).ok());
    ASSERT_TRUE(addZeroTensor(writer, kOutputNorm, TensorType::F32, {8}).ok());
    Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
    ASSERT_TRUE(bytes.ok()) << bytes.error().message();
    sample_ = bytes.take();

    Expected<GgufFile> file =
        GgufFile::parse({sample_.data(), sample_.size()}, kFileName);
    ASSERT_TRUE(file.ok()) << file.error().message();
    ASSERT_EQ(file->tensors().size(), 3u);
    attnQ_ = file->tensors()[0];
    attnK_ = file->tensors()[1];
    outputNorm_ = file->tensors()[2];
    dataSectionSize_ = file->fileSize() - file->dataOffset();
    ASSERT_EQ(outputNorm_.offset + outputNorm_.byteSize, dataSectionSize_);
  }

  std::vector<uint8_t> sample_;
  /// The sample's tensors (their names point into sample_).
  TensorInfo attnQ_, attnK_, outputNorm_;
  uint64_t dataSectionSize_ = 0;
};

//===----------------------------------------------------------------------===//
// Header
//===----------------------------------------------------------------------===//

TEST_F(MalformedGgufTest, EmptyFile) {
  expectParseError({}, 0, {"file is 0 bytes, too short for the GGUF magic"});
}

TEST_F(MalformedGgufTest, EveryTruncationFailsCleanly) {
  for (size_t length = 0; length < sample_.size(); ++length) {
    std::vector<uint8_t> prefix(sample_.begin(), sample_.begin() + length);
    std::optional<std::string> message = parseError(prefix);
    ASSERT_TRUE(message) << "a prefix of " << length << " bytes parsed";
    EXPECT_TRUE(startsWith(*message, fmt::format("{}: offset ", kFileName)))
        << "prefix of " << length << " bytes: " << *message;
  }
}

TEST_F(MalformedGgufTest, BadMagic) {
  std::vector<uint8_t> bytes = sample_;
  std::memcpy(bytes.data(), "GGML", 4);
  expectParseError(bytes, 0, {"bad magic 47 47 4d 4c", "not a GGUF file"});
}

TEST_F(MalformedGgufTest, Version1) {
  std::vector<uint8_t> bytes = sample_;
  patch<uint32_t>(bytes, kVersionOffset, 1);
  expectParseError(bytes, kVersionOffset, {"version:", "GGUF v1"});
}

TEST_F(MalformedGgufTest, UnknownVersion) {
  std::vector<uint8_t> bytes = sample_;
  patch<uint32_t>(bytes, kVersionOffset, 7);
  expectParseError(bytes, kVersionOffset,
                   {"version:", "unknown GGUF version 7"});
}

TEST_F(MalformedGgufTest, ByteSwappedVersion) {
  std::vector<uint8_t> bytes = sample_;
  patch<uint32_t>(bytes, kVersionOffset, 0x03000000);
  expectParseError(bytes, kVersionOffset,
                   {"version:", "big-endian GGUF not supported"});
}

TEST_F(MalformedGgufTest, AbsurdTensorCount) {
  std::vector<uint8_t> bytes = sample_;
  patch<uint64_t>(bytes, kTensorCountOffset, uint64_t(1) << 62);
  expectParseError(bytes, kTensorCountOffset,
                   {"tensor_count 4611686018427387904"});
}

TEST_F(MalformedGgufTest, AbsurdKvCount) {
  std::vector<uint8_t> bytes = sample_;
  patch<uint64_t>(bytes, kKvCountOffset, uint64_t(1) << 62);
  expectParseError(bytes, kKvCountOffset, {"kv_count 4611686018427387904"});
}

//===----------------------------------------------------------------------===//
// Metadata
//===----------------------------------------------------------------------===//

TEST_F(MalformedGgufTest, StringLengthPastEnd) {
  ByteBuilder file = singlePairFile("general.name", ValueType::String);
  uint64_t valueOffset = file.offset();
  file.u64(1000).raw("abc");
  expectParseError(
      file.bytes(), valueOffset,
      {"'general.name'", "string length 1000 runs past the end of the file"});
}

TEST_F(MalformedGgufTest, ArrayCountPastEnd) {
  ByteBuilder file = singlePairFile("tokenizer.ggml.scores", ValueType::Array);
  file.valueType(ValueType::Float32);
  uint64_t countOffset = file.offset();
  file.u64(1000).u32(0);
  expectParseError(file.bytes(), countOffset,
                   {"'tokenizer.ggml.scores'",
                    "array of 1000 f32 elements runs past the end"});
}

TEST_F(MalformedGgufTest, NestedArray) {
  ByteBuilder file = singlePairFile("x.nested", ValueType::Array);
  uint64_t elementTypeOffset = file.offset();
  file.valueType(ValueType::Array).u64(1).valueType(ValueType::UInt8).u64(0);
  expectParseError(file.bytes(), elementTypeOffset,
                   {"'x.nested'", "nested arrays are not supported"});
}

TEST_F(MalformedGgufTest, UnknownValueType) {
  ByteBuilder file = ggufHeader(/*tensorCount=*/0, /*kvCount=*/1);
  file.string("x.key");
  uint64_t typeOffset = file.offset();
  file.u32(13).u8(0);
  expectParseError(file.bytes(), typeOffset,
                   {"'x.key'", "unknown value type 13"});
}

TEST_F(MalformedGgufTest, UnknownArrayElementType) {
  ByteBuilder file = singlePairFile("x.array", ValueType::Array);
  uint64_t elementTypeOffset = file.offset();
  file.u32(200).u64(0);
  expectParseError(file.bytes(), elementTypeOffset,
                   {"'x.array'", "unknown value type 200"});
}

TEST_F(MalformedGgufTest, DuplicateKeys) {
  ByteBuilder file = ggufHeader(/*tensorCount=*/0, /*kvCount=*/2);
  file.string("general.name").valueType(ValueType::String).string("a");
  uint64_t secondKeyOffset = file.offset();
  file.string("general.name").valueType(ValueType::String).string("b");
  expectParseError(file.bytes(), secondKeyOffset,
                   {"'general.name'", "duplicate key"});
}

TEST_F(MalformedGgufTest, EmptyKey) {
  // A string value, because a pair with an empty key and a u8 value is
  // shorter than the smallest valid pair and fails on kv_count already.
  ByteBuilder file = singlePairFile("", ValueType::String);
  file.string("value");
  expectParseError(file.bytes(), kHeaderSize,
                   {"key of metadata pair 0", "empty key"});
}

TEST_F(MalformedGgufTest, BoolValueTwo) {
  ByteBuilder file =
      singlePairFile("tokenizer.ggml.add_bos_token", ValueType::Bool);
  uint64_t valueOffset = file.offset();
  file.u8(2);
  expectParseError(
      file.bytes(), valueOffset,
      {"'tokenizer.ggml.add_bos_token'", "bool value 2 is neither 0 nor 1"});
}

TEST_F(MalformedGgufTest, BoolArrayElementTwo) {
  ByteBuilder file = singlePairFile("x.flags", ValueType::Array);
  file.valueType(ValueType::Bool).u64(3);
  uint64_t elementsOffset = file.offset();
  file.u8(1).u8(2).u8(0);
  expectParseError(file.bytes(), elementsOffset + 1,
                   {"'x.flags'[1]", "bool value 2 is neither 0 nor 1"});
}

TEST_F(MalformedGgufTest, AlignmentZero) {
  ByteBuilder file = singlePairFile("general.alignment", ValueType::UInt32);
  file.u32(0);
  expectParseError(file.bytes(), kHeaderSize,
                   {"'general.alignment'", "0 is not a power of two"});
}

TEST_F(MalformedGgufTest, AlignmentNotPowerOfTwo) {
  ByteBuilder file = singlePairFile("general.alignment", ValueType::UInt32);
  file.u32(48);
  expectParseError(file.bytes(), kHeaderSize,
                   {"'general.alignment'", "48 is not a power of two"});
}

TEST_F(MalformedGgufTest, AlignmentWrongType) {
  ByteBuilder asU64 = singlePairFile("general.alignment", ValueType::UInt64);
  asU64.u64(32);
  expectParseError(asU64.bytes(), kHeaderSize,
                   {"'general.alignment'", "has type u64, expected u32"});

  ByteBuilder asString = singlePairFile("general.alignment", ValueType::String);
  asString.string("32");
  expectParseError(asString.bytes(), kHeaderSize,
                   {"'general.alignment'", "has type string, expected u32"});
}

//===----------------------------------------------------------------------===//
// Tensor infos
//===----------------------------------------------------------------------===//

TEST_F(MalformedGgufTest, NDimsOutOfRange) {
  uint64_t nDimsOffset = fieldsOf(attnQ_).nDims;
  for (uint32_t nDims : {0u, 5u}) {
    SCOPED_TRACE(nDims);
    std::vector<uint8_t> bytes = sample_;
    patch(bytes, nDimsOffset, nDims);
    expectParseError(bytes, nDimsOffset,
                     {"tensor 'blk.0.attn_q.weight'",
                      fmt::format("n_dims is {}, expected 1 to 4", nDims)});
  }
}

TEST_F(MalformedGgufTest, ZeroDim) {
  std::vector<uint8_t> bytes = sample_;
  uint64_t dimOffset = fieldsOf(attnQ_).neAt(1);
  patch<uint64_t>(bytes, dimOffset, 0);
  expectParseError(bytes, dimOffset,
                   {"tensor 'blk.0.attn_q.weight'", "ne[1] is zero"});
}

TEST_F(MalformedGgufTest, DimAboveInt64Max) {
  std::vector<uint8_t> bytes = sample_;
  uint64_t dimOffset = fieldsOf(attnQ_).neAt(1);
  patch<uint64_t>(bytes, dimOffset, uint64_t(1) << 63);
  expectParseError(bytes, dimOffset,
                   {"tensor 'blk.0.attn_q.weight'",
                    "ne[1] = 9223372036854775808 does not fit int64"});
}

TEST_F(MalformedGgufTest, DimProductOverflows) {
  TensorInfoFields fields = fieldsOf(attnQ_);
  // 128 * 2^62 wraps uint64; 128 * 2^56 = 2^63 fits uint64 but not int64.
  for (uint64_t rows : {uint64_t(1) << 62, uint64_t(1) << 56}) {
    SCOPED_TRACE(rows);
    std::vector<uint8_t> bytes = sample_;
    patch(bytes, fields.neAt(1), rows);
    expectParseError(
        bytes, fields.nDims,
        {"tensor 'blk.0.attn_q.weight'",
         fmt::format("element count of {{128, {}}} overflows", rows)});
  }
}

TEST_F(MalformedGgufTest, UnknownTensorTypeId) {
  uint64_t typeOffset = fieldsOf(attnQ_).type;
  for (uint32_t typeId : {33u, 200u}) {
    SCOPED_TRACE(typeId);
    std::vector<uint8_t> bytes = sample_;
    patch(bytes, typeOffset, typeId);
    expectParseError(bytes, typeOffset,
                     {"tensor 'blk.0.attn_q.weight'",
                      fmt::format("unknown tensor type id {}", typeId)});
  }
}

TEST_F(MalformedGgufTest, RowLengthNotMultipleOfBlockSize) {
  std::vector<uint8_t> bytes = sample_;
  TensorInfoFields fields = fieldsOf(attnK_);
  patch<uint64_t>(bytes, fields.neAt(0), 128);
  expectParseError(bytes, fields.neAt(0),
                   {"tensor 'blk.0.attn_k.weight'",
                    "ne[0] = 128 is not a multiple of the TQ2_0 block size "
                    "256"});
}

TEST_F(MalformedGgufTest, DataOffsetNotAligned) {
  std::vector<uint8_t> bytes = sample_;
  uint64_t offsetField = fieldsOf(outputNorm_).dataOffset;
  patch<uint64_t>(bytes, offsetField, outputNorm_.offset + 1);
  expectParseError(bytes, offsetField,
                   {"tensor 'output_norm.weight'",
                    fmt::format("data offset {} is not a multiple of the "
                                "alignment 32",
                                outputNorm_.offset + 1)});
}

TEST_F(MalformedGgufTest, DataOffsetPastEnd) {
  // Both are aligned; the second wraps around when the size is added.
  for (uint64_t offset : {dataSectionSize_, uint64_t(0) - 32}) {
    SCOPED_TRACE(offset);
    std::vector<uint8_t> bytes = sample_;
    patch(bytes, fieldsOf(outputNorm_).dataOffset, offset);
    expectParseError(bytes, outputNorm_.infoOffset,
                     {"tensor 'output_norm.weight'",
                      fmt::format("data [{}, +32) lies outside the {} bytes "
                                  "of the data section",
                                  offset, dataSectionSize_)});
  }
}

TEST_F(MalformedGgufTest, DataSizePastEnd) {
  std::vector<uint8_t> bytes = sample_;
  patch<uint64_t>(bytes, fieldsOf(outputNorm_).neAt(0), 16);
  expectParseError(bytes, outputNorm_.infoOffset,
                   {"tensor 'output_norm.weight'",
                    fmt::format("data [{}, +64) lies outside the {} bytes of "
                                "the data section",
                                outputNorm_.offset, dataSectionSize_)});
}

TEST_F(MalformedGgufTest, OverlappingData) {
  // Moves the F32 tensor into the middle of the TQ2_0 tensor's 66 bytes.
  uint64_t inside = attnK_.offset + 32;
  ASSERT_LT(inside, attnK_.offset + attnK_.byteSize);
  std::vector<uint8_t> bytes = sample_;
  patch(bytes, fieldsOf(outputNorm_).dataOffset, inside);
  expectParseError(
      bytes, outputNorm_.infoOffset,
      {fmt::format("tensor 'output_norm.weight': data at {} "
                   "overlaps tensor 'blk.0.attn_k.weight' at "
                   "[{}, {})",
                   inside, attnK_.offset, attnK_.offset + attnK_.byteSize)});
}

TEST_F(MalformedGgufTest, DuplicateTensorNames) {
  std::string_view first = kAttnQ;
  ASSERT_EQ(first.size(), attnK_.name.size());
  std::vector<uint8_t> bytes = sample_;
  std::memcpy(bytes.data() + fieldsOf(attnK_).nameLength + 8, first.data(),
              first.size());
  expectParseError(bytes, attnK_.infoOffset,
                   {"tensor 'blk.0.attn_q.weight'", "duplicate tensor name"});
}

TEST_F(MalformedGgufTest, EmptyTensorName) {
  std::vector<uint8_t> bytes = sample_;
  patch<uint64_t>(bytes, fieldsOf(attnK_).nameLength, 0);
  expectParseError(bytes, attnK_.infoOffset, {"tensor 1: empty name"});
}

TEST_F(MalformedGgufTest, TensorNameTooLong) {
  // The name then swallows the record's next bytes; the length alone is
  // already wrong.
  std::vector<uint8_t> bytes = sample_;
  patch<uint64_t>(bytes, fieldsOf(attnK_).nameLength, 64);
  expectParseError(bytes, attnK_.infoOffset,
                   {"tensor 1: name of 64 bytes is longer than ggml's limit "
                    "of 63"});
}

TEST_F(MalformedGgufTest, DataSectionPastEnd) {
  uint64_t infosEnd = fieldsOf(outputNorm_).end;
  ASSERT_NE(infosEnd % kDefaultAlignment, 0u)
      << "the sample's tensor infos must end unaligned";
  std::vector<uint8_t> bytes(sample_.begin(), sample_.begin() + infosEnd);
  uint64_t dataStart = (infosEnd + kDefaultAlignment - 1) / kDefaultAlignment *
                       kDefaultAlignment;
  expectParseError(bytes, infosEnd,
                   {fmt::format("data section would start at {}, past the "
                                "end of the file ({} bytes)",
                                dataStart, infosEnd)});
}

//===----------------------------------------------------------------------===//
// Edge cases that must parse
//===----------------------------------------------------------------------===//

TEST_F(MalformedGgufTest, ZeroTensorsWithoutDataSectionParse) {
  ByteBuilder builder =
      singlePairFile("general.architecture", ValueType::String);
  builder.string("bitnet-b1.58");
  const std::vector<uint8_t> &bytes = builder.bytes();
  ASSERT_NE(bytes.size() % kDefaultAlignment, 0u);
  Expected<GgufFile> file =
      GgufFile::parse({bytes.data(), bytes.size()}, kFileName);
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_TRUE(file->tensors().empty());
  EXPECT_EQ(file->architecture(), "bitnet-b1.58");
}

TEST_F(MalformedGgufTest, Version2Parses) {
  patch<uint32_t>(sample_, kVersionOffset, 2);
  Expected<GgufFile> file =
      GgufFile::parse({sample_.data(), sample_.size()}, kFileName);
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->version(), 2u);
  EXPECT_EQ(file->tensors().size(), 3u);
}

/// A file of `architecture` with one tensor of type id 39, written as
/// upstream's MXFP4 {256, 1} (136 bytes), which also holds the 96 bytes the
/// same shape takes as bitnet.cpp's TL2.
std::vector<uint8_t> fileWithTypeId39(const std::string &architecture) {
  GgufWriter writer(TypeIdConvention::Upstream);
  writer.set("general.architecture", MetadataValue::ofString(architecture));
  Status added =
      addZeroTensor(writer, "lut.weight", TensorType::MXFP4, {256, 1});
  EXPECT_TRUE(added.ok());
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  EXPECT_TRUE(bytes.ok());
  return bytes ? bytes.take() : std::vector<uint8_t>{};
}

/// The type that type id 39 denotes in `bytes` read with `options`.
std::optional<TensorType> typeOfId39(const std::vector<uint8_t> &bytes,
                                     const ReadOptions &options) {
  Expected<GgufFile> file =
      GgufFile::parse({bytes.data(), bytes.size()}, kFileName, options);
  if (!file) {
    ADD_FAILURE() << file.error().message();
    return std::nullopt;
  }
  EXPECT_EQ(file->tensors()[0].typeId, 39u);
  return file->tensors()[0].type;
}

TEST_F(MalformedGgufTest, TypeId39FollowsArchitecture) {
  std::vector<uint8_t> bitnet = fileWithTypeId39("bitnet-b1.58");
  std::vector<uint8_t> llama = fileWithTypeId39("llama");
  EXPECT_EQ(typeOfId39(bitnet, {}), TensorType::TL2);
  EXPECT_EQ(typeOfId39(llama, {}), TensorType::MXFP4);
}

TEST_F(MalformedGgufTest, TypeId39FollowsConventionOverride) {
  std::vector<uint8_t> bitnet = fileWithTypeId39("bitnet-b1.58");
  std::vector<uint8_t> llama = fileWithTypeId39("llama");
  EXPECT_EQ(typeOfId39(bitnet, {TypeIdConvention::Upstream}),
            TensorType::MXFP4);
  EXPECT_EQ(typeOfId39(llama, {TypeIdConvention::BitnetCpp}), TensorType::TL2);
}

} // namespace
