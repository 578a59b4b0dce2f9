//===- Architecture.cpp - The model architectures ternc compiles ----------===//

#include "compiler/model/Architecture.h"

#include <cmath>

namespace ternc::model {

using gguf::GgufFile;
using gguf::MetadataValue;

const std::vector<Architecture> &architectures() {
  // bitnet-b1.58: BitNet b1.58 2B4T (bitnet.cpp); ReLU^2 FFN, sub-norms,
  // NEOX RoPE, tied LM head. bitnet: 1bitLLM's bitnet_b1_58 models; SiLU FFN,
  // optional per-matmul scales. llama: ternary Llama-family models (Falcon3
  // 1.58bit, Llama3-8B-1.58); no sub-norms, NORM RoPE on permuted Q/K.
  static const std::vector<Architecture> kArchitectures = {
      {"bitnet-b1.58", {"bitnet-25"}, FfnActivation::Relu2, RopeKind::Neox,
       /*subNorms=*/true, /*matmulScales=*/false, /*separateOutput=*/false},
      {"bitnet", {}, FfnActivation::Silu, RopeKind::Neox,
       /*subNorms=*/true, /*matmulScales=*/true, /*separateOutput=*/false},
      {"llama", {}, FfnActivation::Silu, RopeKind::Norm,
       /*subNorms=*/false, /*matmulScales=*/false, /*separateOutput=*/true},
  };
  return kArchitectures;
}

const Architecture *findArchitecture(std::string_view name) {
  for (const Architecture &arch : architectures()) {
    if (arch.name == name)
      return &arch;
    for (std::string_view alias : arch.aliases)
      if (alias == name)
        return &arch;
  }
  return nullptr;
}

namespace {

/// The architecture-prefixed key, e.g. "bitnet-b1.58.block_count". Files use
/// the name they were written with, which may be an alias.
std::string archKey(std::string_view prefix, std::string_view suffix) {
  return std::string(prefix) + "." + std::string(suffix);
}

/// Reads an integer key that must be positive.
Status readPositive(const GgufFile &file, const std::string &key,
                    uint64_t &out) {
  Expected<uint64_t> value = file.getUnsigned(key);
  if (!value)
    return value.status();
  // llama.cpp reads these keys as u32; larger values are corrupt files.
  if (*value == 0 || *value > UINT32_MAX)
    return makeError("{}: metadata key '{}' is {}, expected 1 to {}",
                     file.name(), key, *value, UINT32_MAX);
  out = *value;
  return Status::success();
}

/// Reads an optional integer key into `out`, leaving it untouched if absent.
Status readOptionalPositive(const GgufFile &file, const std::string &key,
                            uint64_t &out) {
  if (!file.find(key))
    return Status::success();
  return readPositive(file, key, out);
}

Status readOptionalFloat(const GgufFile &file, const std::string &key,
                         float &out) {
  if (!file.find(key))
    return Status::success();
  Expected<double> value = file.getDouble(key);
  if (!value)
    return value.status();
  if (!std::isfinite(*value) || *value <= 0)
    return makeError("{}: metadata key '{}' is {}, expected a positive "
                     "finite number",
                     file.name(), key, *value);
  out = static_cast<float>(*value);
  return Status::success();
}

} // namespace

Expected<HyperParams> readHyperParams(const GgufFile &file,
                                      const Architecture &arch) {
  std::string_view prefix = file.architecture();
  if (prefix.empty())
    prefix = arch.name;
  auto key = [&](std::string_view suffix) { return archKey(prefix, suffix); };
  HyperParams p;
  TERNC_RETURN_IF_ERROR(readPositive(file, key("context_length"),
                                     p.contextLength));
  TERNC_RETURN_IF_ERROR(readPositive(file, key("embedding_length"),
                                     p.embeddingLength));
  TERNC_RETURN_IF_ERROR(readPositive(file, key("block_count"), p.blockCount));
  TERNC_RETURN_IF_ERROR(readPositive(file, key("feed_forward_length"),
                                     p.feedForwardLength));
  TERNC_RETURN_IF_ERROR(readPositive(file, key("attention.head_count"),
                                     p.headCount));
  std::string epsilonKey = key("attention.layer_norm_rms_epsilon");
  if (!file.find(epsilonKey))
    return makeError("{}: metadata key '{}' is missing", file.name(),
                     epsilonKey);
  TERNC_RETURN_IF_ERROR(readOptionalFloat(file, epsilonKey, p.rmsEpsilon));
  TERNC_RETURN_IF_ERROR(readOptionalFloat(file, key("rope.freq_base"),
                                          p.ropeFreqBase));

  if (p.embeddingLength % p.headCount != 0)
    return makeError("{}: embedding_length {} is not a multiple of "
                     "attention.head_count {}",
                     file.name(), p.embeddingLength, p.headCount);
  p.headCountKv = p.headCount;
  TERNC_RETURN_IF_ERROR(readOptionalPositive(
      file, key("attention.head_count_kv"), p.headCountKv));
  if (p.headCount % p.headCountKv != 0)
    return makeError("{}: attention.head_count {} is not a multiple of "
                     "attention.head_count_kv {}",
                     file.name(), p.headCount, p.headCountKv);
  p.ropeDimensionCount = p.headDim();
  TERNC_RETURN_IF_ERROR(readOptionalPositive(file, key("rope.dimension_count"),
                                             p.ropeDimensionCount));
  if (p.ropeDimensionCount > p.headDim() || p.ropeDimensionCount % 2 != 0)
    return makeError("{}: rope.dimension_count {} must be even and at most "
                     "the head dimension {}",
                     file.name(), p.ropeDimensionCount, p.headDim());

  if (const gguf::Value *tokens = file.find("tokenizer.ggml.tokens");
      tokens && tokens->type() == gguf::ValueType::Array)
    p.vocabSize = tokens->arraySize();
  else if (const gguf::TensorInfo *embedding =
               file.findTensor("token_embd.weight");
           embedding && embedding->nDims == 2)
    p.vocabSize = embedding->ne[1];
  TERNC_RETURN_IF_ERROR(
      readOptionalPositive(file, key("vocab_size"), p.vocabSize));
  if (p.vocabSize == 0)
    return makeError("{}: cannot tell the vocabulary size: no '{}', no "
                     "tokenizer.ggml.tokens and no token_embd.weight",
                     file.name(), key("vocab_size"));
  return p;
}

void writeHyperParams(gguf::GgufWriter &writer, const Architecture &arch,
                      const HyperParams &p, bool addBos) {
  auto key = [&](std::string_view suffix) { return archKey(arch.name, suffix); };
  auto u32 = [](uint64_t v) {
    return MetadataValue::ofU32(static_cast<uint32_t>(v));
  };
  writer.set(key("vocab_size"), u32(p.vocabSize));
  writer.set(key("context_length"), u32(p.contextLength));
  writer.set(key("embedding_length"), u32(p.embeddingLength));
  writer.set(key("block_count"), u32(p.blockCount));
  writer.set(key("feed_forward_length"), u32(p.feedForwardLength));
  writer.set(key("rope.dimension_count"), u32(p.ropeDimensionCount));
  writer.set(key("attention.head_count"), u32(p.headCount));
  writer.set(key("attention.head_count_kv"), u32(p.headCountKv));
  writer.set("tokenizer.ggml.add_bos_token", MetadataValue::ofBool(addBos));
  writer.set(key("attention.layer_norm_rms_epsilon"),
             MetadataValue::ofF32(p.rmsEpsilon));
  writer.set(key("rope.freq_base"), MetadataValue::ofF32(p.ropeFreqBase));
  if (arch.name == "bitnet") {
    // 1bitLLM conversions carry an explicit identity rope scaling.
    writer.set(key("rope.scaling.type"), MetadataValue::ofString("linear"));
    writer.set(key("rope.scaling.factor"), MetadataValue::ofF32(1.0f));
  }
}

std::vector<TensorSpec> tensorSpecs(const Architecture &arch,
                                    const HyperParams &p) {
  const uint64_t embd = p.embeddingLength, ffn = p.feedForwardLength,
                 kv = p.kvDim(), vocab = p.vocabSize;
  std::vector<TensorSpec> specs;
  specs.push_back({"token_embd.weight", {embd, vocab}, TensorRole::Embedding,
                   true, -1});
  for (uint64_t layer = 0; layer < p.blockCount; ++layer) {
    int l = static_cast<int>(layer);
    std::string prefix = "blk." + std::to_string(layer) + ".";
    auto add = [&](const char *name, std::vector<uint64_t> ne,
                   TensorRole role) {
      specs.push_back({prefix + name + ".weight", std::move(ne), role, true, l});
      if (arch.matmulScales && role == TensorRole::Ternary)
        specs.push_back(
            {prefix + name + ".scale", {1}, TensorRole::Scale, false, l});
    };
    add("attn_norm", {embd}, TensorRole::Norm);
    add("attn_q", {embd, embd}, TensorRole::Ternary);
    add("attn_k", {embd, kv}, TensorRole::Ternary);
    add("attn_v", {embd, kv}, TensorRole::Ternary);
    if (arch.subNorms)
      add("attn_sub_norm", {embd}, TensorRole::Norm);
    add("attn_output", {embd, embd}, TensorRole::Ternary);
    add("ffn_norm", {embd}, TensorRole::Norm);
    add("ffn_gate", {embd, ffn}, TensorRole::Ternary);
    add("ffn_up", {embd, ffn}, TensorRole::Ternary);
    if (arch.subNorms)
      add("ffn_sub_norm", {ffn}, TensorRole::Norm);
    add("ffn_down", {ffn, embd}, TensorRole::Ternary);
  }
  specs.push_back({"output_norm.weight", {embd}, TensorRole::Norm, true, -1});
  specs.push_back(
      {"output.weight", {embd, vocab}, TensorRole::Output, false, -1});
  return specs;
}

std::string shapeString(const std::vector<uint64_t> &ne) {
  std::string out = "{";
  for (size_t i = 0; i < ne.size(); ++i)
    out += (i ? ", " : "") + std::to_string(ne[i]);
  return out + "}";
}

} // namespace ternc::model
