//===- MakeGgufSeeds.cpp - Seed corpus for the GGUF reader fuzzer ---------===//
//
// `ternc-fuzz-seeds OUTDIR` writes small valid GGUF files into OUTDIR, one
// per feature the reader handles: each tensor type ternc can quantize, every
// scalar value type, string and numeric arrays, a custom alignment and a file
// without tensors. The corpus is generated rather than committed, so it
// follows the writer and stays free of binary files. Every file stays well
// under the fuzzer's 4096-byte input limit.
//
//===----------------------------------------------------------------------===//

#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"

#include <cstdio>
#include <cstring>
#include <filesystem>

using namespace ternc;
using namespace ternc::gguf;

namespace {

constexpr const char *kArchitecture = "bitnet-b1.58";

/// Adds a {256, 2} tensor of `type` holding the ternary weights
/// {-1, 0, +1} * 0.5, the input I2_S's quantizer expects.
Status addTernaryTensor(GgufWriter &writer, const std::string &name,
                        TensorType type) {
  constexpr uint64_t kRowLength = 256, kRows = 2;
  std::vector<float> weights(kRowLength * kRows);
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = 0.5f * static_cast<float>(static_cast<int>(i * 7 % 3) - 1);
  std::vector<uint8_t> bytes;
  TERNC_RETURN_IF_ERROR(quantize(type, weights.data(), weights.size(), bytes));
  return writer.addTensor(name, type, {kRowLength, kRows}, std::move(bytes));
}

/// A file holding one tensor of `type`.
template <TensorType type> Status singleTensor(GgufWriter &writer) {
  return addTernaryTensor(writer, "blk.0.attn_q.weight", type);
}

Status noTensors(GgufWriter &) { return Status::success(); }

Status everyScalarType(GgufWriter &writer) {
  double pi = 3.141592653589793;
  uint64_t piBits;
  std::memcpy(&piBits, &pi, sizeof(piBits));
  writer.set("seed.u8", MetadataValue::ofScalar(ValueType::UInt8, 200));
  writer.set("seed.i8", MetadataValue::ofScalar(ValueType::Int8, 0x80));
  writer.set("seed.u16", MetadataValue::ofScalar(ValueType::UInt16, 65535));
  writer.set("seed.i16", MetadataValue::ofScalar(ValueType::Int16, 0xfffe));
  writer.set("seed.u32", MetadataValue::ofU32(128256));
  writer.set("seed.i32", MetadataValue::ofI32(-7));
  writer.set("seed.f32", MetadataValue::ofF32(1e-5f));
  writer.set("seed.bool", MetadataValue::ofBool(true));
  writer.set("seed.string", MetadataValue::ofString("bitnet2b"));
  writer.set("seed.u64", MetadataValue::ofU64(uint64_t(1) << 40));
  writer.set("seed.i64", MetadataValue::ofScalar(ValueType::Int64, uint64_t(-5)));
  writer.set("seed.f64", MetadataValue::ofScalar(ValueType::Float64, piBits));
  return Status::success();
}

/// Tokenizer-like arrays: strings (one empty, one multi-byte), f32 and i32.
Status arrays(GgufWriter &writer) {
  writer.set("tokenizer.ggml.model", MetadataValue::ofString("gpt2"));
  writer.set("tokenizer.ggml.tokens",
             MetadataValue::ofStrings({"!", "\"", "", "\xc4\xa0the"}));
  writer.set("tokenizer.ggml.scores",
             MetadataValue::ofF32Array({0.0f, 0.0f, -1000.0f, 0.5f}));
  writer.set("tokenizer.ggml.token_type",
             MetadataValue::ofI32Array({1, 1, 3, 1}));
  writer.set("tokenizer.ggml.merges",
             MetadataValue::ofStrings({"\xc4\xa0 \xc4\xa0", "t he"}));
  writer.set("seed.empty_strings", MetadataValue::ofStrings({}));
  return Status::success();
}

/// Two tensors aligned to 64 bytes instead of the default 32.
Status alignment64(GgufWriter &writer) {
  TERNC_RETURN_IF_ERROR(writer.setAlignment(64));
  TERNC_RETURN_IF_ERROR(
      addTernaryTensor(writer, "blk.0.attn_k.weight", TensorType::I2_S));
  return addTernaryTensor(writer, "blk.0.attn_v.weight", TensorType::TQ2_0);
}

/// One seed file: its name and what it holds beyond general.architecture.
struct Seed {
  const char *fileName;
  Status (*fill)(GgufWriter &writer);
};

constexpr Seed kSeeds[] = {
    {"no-tensors.gguf", noTensors},
    {"every-scalar-type.gguf", everyScalarType},
    {"arrays.gguf", arrays},
    {"alignment-64.gguf", alignment64},
    {"f32.gguf", singleTensor<TensorType::F32>},
    {"f16.gguf", singleTensor<TensorType::F16>},
    {"bf16.gguf", singleTensor<TensorType::BF16>},
    {"q8_0.gguf", singleTensor<TensorType::Q8_0>},
    {"i2_s.gguf", singleTensor<TensorType::I2_S>},
    {"tq1_0.gguf", singleTensor<TensorType::TQ1_0>},
    {"tq2_0.gguf", singleTensor<TensorType::TQ2_0>},
};

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  std::filesystem::path directory = argv[1];
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    std::fprintf(stderr, "%s: %s\n", argv[1], error.message().c_str());
    return 1;
  }
  for (const Seed &seed : kSeeds) {
    GgufWriter writer(TypeIdConvention::BitnetCpp);
    writer.set("general.architecture", MetadataValue::ofString(kArchitecture));
    Status status = seed.fill(writer);
    if (status.ok())
      status = writer.write((directory / seed.fileName).string());
    if (!status.ok()) {
      std::fprintf(stderr, "%s: %s\n", seed.fileName,
                   status.error().message().c_str());
      return 1;
    }
  }
  std::printf("wrote %zu seeds to %s\n", std::size(kSeeds), argv[1]);
  return 0;
}
