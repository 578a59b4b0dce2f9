//===- BitNetCheckpoint.cpp - A BitNet b1.58 Hugging Face checkpoint ------===//
//
// config.json is a JSON object read as JsonFile.h says (no exceptions).
//
//===----------------------------------------------------------------------===//

#include "compiler/checkpoint/BitNetCheckpoint.h"

#include "compiler/checkpoint/JsonFile.h"
#include "runtime/support/Half.h"

#include <cmath>
#include <filesystem>
#include <set>

namespace ternc::checkpoint {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using model::Diagnostic;
using model::Severity;
using model::TensorRole;
using model::TensorSpec;

/// config.json files larger than this are refused (2B4T's is ~1 kB).
constexpr size_t kMaxConfigBytes = 1'000'000;

/// The shape of a tensor with GGUF dimensions `ne` (ne[0] first), as
/// safetensors stores it (outermost first).
std::vector<uint64_t> storedShape(const std::vector<uint64_t> &ne) {
  return {ne.rbegin(), ne.rend()};
}

std::string shapeText(const std::vector<uint64_t> &shape) {
  SafetensorsTensor tensor;
  tensor.shape = shape;
  return tensor.shapeString();
}

} // namespace

std::string configPathOf(const std::string &checkpointPath) {
  std::error_code error;
  fs::path directory(checkpointPath);
  if (!fs::is_directory(directory, error))
    directory = directory.parent_path();
  return (directory / "config.json").string();
}

Expected<BitNetConfig> readBitNetConfig(const std::string &path) {
  std::error_code missing;
  if (!fs::exists(path, missing))
    return makeError("{}: no such file (a Hugging Face checkpoint needs its "
                     "config.json)",
                     path);
  Expected<json> document =
      readJsonObjectFile(path, kMaxConfigBytes, "a config");
  if (!document)
    return document.error();
  const json &config = *document;

  auto member = [&](const char *key) -> const json * {
    auto it = config.find(key);
    return it == config.end() || it->is_null() ? nullptr : &*it;
  };
  auto text = [&](const char *key) -> std::string {
    const json *value = member(key);
    return value && value->is_string() ? value->get<std::string>() : "";
  };
  const std::string modelType = text("model_type");
  if (modelType != "bitnet")
    return makeError("{}: 'model_type' is \"{}\", expected \"bitnet\" (a "
                     "BitNet b1.58 checkpoint)",
                     path, modelType);
  if (const std::string act = text("hidden_act"); act != "relu2")
    return makeError("{}: 'hidden_act' is \"{}\", expected \"relu2\" (BitNet "
                     "b1.58's squared ReLU)",
                     path, act);

  BitNetConfig result;
  model::HyperParams &params = result.params;
  auto count = [&](const char *key, uint64_t &out,
                   std::optional<uint64_t> fallback) -> Status {
    const json *value = member(key);
    if (!value && fallback) {
      out = *fallback;
      return Status::success();
    }
    if (!value || !value->is_number_unsigned() || value->get<uint64_t>() == 0 ||
        value->get<uint64_t>() > (uint64_t(1) << 31))
      return makeError("{}: '{}': expected a positive integer, got {}", path,
                       key, value ? value->dump() : "nothing");
    out = value->get<uint64_t>();
    return Status::success();
  };
  auto real = [&](const char *key, float &out,
                  std::optional<float> fallback) -> Status {
    const json *value = member(key);
    if (!value && fallback) {
      out = *fallback;
      return Status::success();
    }
    if (!value || !value->is_number() || !(value->get<double>() > 0))
      return makeError("{}: '{}': expected a positive number, got {}", path,
                       key, value ? value->dump() : "nothing");
    out = value->get<float>();
    return Status::success();
  };
  TERNC_RETURN_IF_ERROR(count("hidden_size", params.embeddingLength, {}));
  TERNC_RETURN_IF_ERROR(
      count("intermediate_size", params.feedForwardLength, {}));
  TERNC_RETURN_IF_ERROR(count("num_hidden_layers", params.blockCount, {}));
  TERNC_RETURN_IF_ERROR(count("num_attention_heads", params.headCount, {}));
  TERNC_RETURN_IF_ERROR(
      count("num_key_value_heads", params.headCountKv, params.headCount));
  TERNC_RETURN_IF_ERROR(count("vocab_size", params.vocabSize, {}));
  TERNC_RETURN_IF_ERROR(
      count("max_position_embeddings", params.contextLength, {}));
  TERNC_RETURN_IF_ERROR(real("rms_norm_eps", params.rmsEpsilon, {}));
  TERNC_RETURN_IF_ERROR(real("rope_theta", params.ropeFreqBase, 10000.0f));
  if (params.embeddingLength % params.headCount != 0 ||
      params.headCount % params.headCountKv != 0)
    return makeError("{}: hidden_size {} must be a multiple of "
                     "num_attention_heads {}, itself a multiple of "
                     "num_key_value_heads {}",
                     path, params.embeddingLength, params.headCount,
                     params.headCountKv);
  params.ropeDimensionCount = params.headDim();

  if (const json *tied = member("tie_word_embeddings")) {
    if (!tied->is_boolean())
      return makeError("{}: 'tie_word_embeddings': expected true or false, "
                       "got {}",
                       path, tied->dump());
    result.tiedEmbeddings = tied->get<bool>();
  }
  auto tokenId = [&](const char *key,
                     std::optional<uint32_t> &out) -> Status {
    const json *value = member(key);
    if (value && value->is_array() && !value->empty())
      value = &(*value)[0];
    if (!value)
      return Status::success();
    if (!value->is_number_unsigned() ||
        value->get<uint64_t>() >= params.vocabSize)
      return makeError("{}: '{}': expected a token id below vocab_size {}, "
                       "got {}",
                       path, key, params.vocabSize, value->dump());
    out = static_cast<uint32_t>(value->get<uint64_t>());
    return Status::success();
  };
  TERNC_RETURN_IF_ERROR(tokenId("bos_token_id", result.bosTokenId));
  TERNC_RETURN_IF_ERROR(tokenId("eos_token_id", result.eosTokenId));
  if (const json *quantization = member("quantization_config");
      quantization && quantization->is_object()) {
    auto linearClass = quantization->find("linear_class");
    result.scaleMultiplies = linearClass != quantization->end() &&
                             linearClass->is_string() &&
                             *linearClass == "autobitlinear";
  }
  return result;
}

std::string huggingFaceName(std::string_view ggufName) {
  static const std::pair<std::string_view, std::string_view> kModelLevel[] = {
      {"token_embd.weight", "model.embed_tokens.weight"},
      {"output_norm.weight", "model.norm.weight"},
      {"output.weight", "lm_head.weight"},
  };
  for (const auto &[gguf, hf] : kModelLevel)
    if (ggufName == gguf)
      return std::string(hf);
  static const std::pair<std::string_view, std::string_view> kLayer[] = {
      {"attn_norm.weight", "input_layernorm.weight"},
      {"ffn_norm.weight", "post_attention_layernorm.weight"},
      {"attn_q.weight", "self_attn.q_proj.weight"},
      {"attn_k.weight", "self_attn.k_proj.weight"},
      {"attn_v.weight", "self_attn.v_proj.weight"},
      {"attn_output.weight", "self_attn.o_proj.weight"},
      {"attn_sub_norm.weight", "self_attn.attn_sub_norm.weight"},
      {"ffn_gate.weight", "mlp.gate_proj.weight"},
      {"ffn_up.weight", "mlp.up_proj.weight"},
      {"ffn_down.weight", "mlp.down_proj.weight"},
      {"ffn_sub_norm.weight", "mlp.ffn_sub_norm.weight"},
  };
  // "blk.N.<suffix>" -> "model.layers.N.<hf suffix>".
  if (ggufName.rfind("blk.", 0) == 0) {
    const size_t dot = ggufName.find('.', 4);
    if (dot != std::string_view::npos) {
      const std::string_view layer = ggufName.substr(4, dot - 4);
      const std::string_view suffix = ggufName.substr(dot + 1);
      for (const auto &[gguf, hf] : kLayer)
        if (suffix == gguf)
          return "model.layers." + std::string(layer) + "." + std::string(hf);
    }
  }
  return std::string(ggufName);
}

Expected<TernaryMatrix> unpackTernary(const SafetensorsFile &file,
                                      const SafetensorsTensor &packed,
                                      const SafetensorsFile &scaleFile,
                                      const SafetensorsTensor &scale,
                                      bool scaleMultiplies) {
  if (packed.dtype != Dtype::U8 || packed.shape.size() != 2 ||
      !isFloatDtype(scale.dtype) || scale.elements != 1)
    return makeError("{}: tensor '{}' ({} {}) with '{}' ({} {}) is not a "
                     "packed ternary weight and its scale",
                     file.name(), packed.name, dtypeName(packed.dtype),
                     packed.shapeString(), scale.name, dtypeName(scale.dtype),
                     scale.shapeString());
  const float value = floatElement(scale.dtype, scaleFile.tensorData(scale), 0);
  if (!std::isfinite(value) || !(value > 0))
    return makeError("{}: tensor '{}' holds {}, expected a positive scale",
                     scaleFile.name(), scale.name, value);
  TernaryMatrix matrix;
  const int64_t packedRows = static_cast<int64_t>(packed.shape[0]);
  matrix.rows = 4 * packedRows;
  matrix.columns = static_cast<int64_t>(packed.shape[1]);
  matrix.scale = scaleMultiplies ? value : 1.0f / value;
  matrix.trits.resize(static_cast<size_t>(matrix.rows * matrix.columns));
  const ByteSpan bytes = file.tensorData(packed);
  for (int64_t r = 0; r < packedRows; ++r)
    for (int64_t c = 0; c < matrix.columns; ++c) {
      const uint8_t byte = bytes.data[r * matrix.columns + c];
      for (int i = 0; i < 4; ++i) {
        const int code = (byte >> (2 * i)) & 3;
        if (code == 3)
          return makeError("{}: tensor '{}': byte [{}, {}] holds code 3, "
                           "which is no trit (0, 1, 2 mean -1, 0, +1)",
                           file.name(), packed.name, r, c);
        matrix.trits[(i * packedRows + r) * matrix.columns + c] =
            static_cast<int8_t>(code - 1);
      }
    }
  return matrix;
}

Expected<TernaryMatrix> ternarizeMasters(const SafetensorsFile &file,
                                         const SafetensorsTensor &weight) {
  if (!isFloatDtype(weight.dtype) || weight.shape.size() != 2)
    return makeError("{}: tensor '{}' ({} {}) is not a float matrix",
                     file.name(), weight.name, dtypeName(weight.dtype),
                     weight.shapeString());
  const ByteSpan bytes = file.tensorData(weight);
  double sum = 0;
  for (uint64_t i = 0; i < weight.elements; ++i) {
    const float value = floatElement(weight.dtype, bytes, i);
    if (!std::isfinite(value))
      return makeError("{}: tensor '{}': element {} is {}, expected a finite "
                       "weight",
                       file.name(), weight.name, i, value);
    sum += std::fabs(value);
  }
  const model::AbsmeanScale absmean = model::absmeanScale(sum, weight.elements);
  const float inverse = absmean.inverse;
  TernaryMatrix matrix;
  matrix.rows = static_cast<int64_t>(weight.shape[0]);
  matrix.columns = static_cast<int64_t>(weight.shape[1]);
  matrix.scale = absmean.scale;
  matrix.trits.resize(weight.elements);
  for (uint64_t i = 0; i < weight.elements; ++i)
    matrix.trits[i] = static_cast<int8_t>(
        std::clamp(std::nearbyint(floatElement(weight.dtype, bytes, i) * inverse),
                   -1.0f, 1.0f));
  return matrix;
}

Expected<TernaryMatrix>
decodeTernaryWeight(const SafetensorsCheckpoint &checkpoint,
                    const BitNetConfig &config, const std::string &name) {
  SafetensorsCheckpoint::Entry weight = checkpoint.find(name);
  if (!weight.tensor)
    return makeError("{}: tensor '{}' is missing", checkpoint.name(), name);
  if (isFloatDtype(weight.tensor->dtype))
    return ternarizeMasters(*weight.file, *weight.tensor);
  const std::string scaleName =
      name.substr(0, name.rfind(".weight")) + ".weight_scale";
  SafetensorsCheckpoint::Entry scale = checkpoint.find(scaleName);
  if (!scale.tensor)
    return makeError("{}: tensor '{}' is packed but '{}' is missing",
                     checkpoint.name(), name, scaleName);
  return unpackTernary(*weight.file, *weight.tensor, *scale.file,
                       *scale.tensor, config.scaleMultiplies);
}

std::vector<Diagnostic>
checkBitNetCheckpoint(const SafetensorsCheckpoint &checkpoint,
                      const BitNetConfig &config, bool decodeContents) {
  std::vector<Diagnostic> findings;
  auto error = [&](std::string message) {
    findings.push_back({Severity::Error, std::move(message)});
  };
  std::set<std::string, std::less<>> used;
  const model::Architecture &arch = *model::findArchitecture("bitnet-b1.58");
  for (const TensorSpec &spec : model::tensorSpecs(arch, config.params)) {
    const std::string name = huggingFaceName(spec.name);
    const std::vector<uint64_t> shape = storedShape(spec.ne);
    const bool isOutput = spec.role == TensorRole::Output;
    if (isOutput && config.tiedEmbeddings)
      continue;
    // A ternary weight's scale belongs to the model even when the weight
    // itself is wrong or absent.
    const std::string scaleName =
        name.substr(0, name.rfind(".weight")) + ".weight_scale";
    if (spec.role == TensorRole::Ternary)
      used.insert(scaleName);
    SafetensorsCheckpoint::Entry entry = checkpoint.find(name);
    if (!entry.tensor) {
      if (spec.required || isOutput)
        error(fmt::format("tensor '{}' is missing (expected {} {}{})", name,
                          spec.role == TensorRole::Ternary
                              ? "U8 packed or a float"
                              : "a float",
                          shapeText(shape),
                          isOutput ? "; config.json says tie_word_embeddings "
                                     "is false"
                                   : ""));
      continue;
    }
    used.insert(name);
    const SafetensorsTensor &tensor = *entry.tensor;
    if (spec.role != TensorRole::Ternary) {
      if (!isFloatDtype(tensor.dtype) || tensor.shape != shape)
        error(fmt::format("tensor '{}' is {} {}, expected BF16, F16 or F32 {}",
                          name, dtypeName(tensor.dtype), tensor.shapeString(),
                          shapeText(shape)));
      continue;
    }
    // A decoding error names the file; the findings name the checkpoint.
    auto decode = [&] {
      if (!decodeContents)
        return;
      Expected<TernaryMatrix> matrix =
          decodeTernaryWeight(checkpoint, config, name);
      if (!matrix)
        error(matrix.error().message());
    };
    if (isFloatDtype(tensor.dtype)) {
      if (tensor.shape != shape)
        error(fmt::format("tensor '{}' is {} {}, expected {}", name,
                          dtypeName(tensor.dtype), tensor.shapeString(),
                          shapeText(shape)));
      else
        decode();
      continue;
    }
    // Four trits a byte, blocked along the output dimension, and a scale.
    const std::vector<uint64_t> packed = {shape[0] / 4, shape[1]};
    if (tensor.dtype != Dtype::U8 || shape[0] % 4 != 0 ||
        tensor.shape != packed) {
      error(fmt::format("tensor '{}' is {} {}, expected U8 {} (four trits a "
                        "byte) or a float {}",
                        name, dtypeName(tensor.dtype), tensor.shapeString(),
                        shapeText(packed), shapeText(shape)));
      continue;
    }
    SafetensorsCheckpoint::Entry scale = checkpoint.find(scaleName);
    if (!scale.tensor)
      error(fmt::format("tensor '{}' is packed but '{}' is missing", name,
                        scaleName));
    else if (!isFloatDtype(scale.tensor->dtype) || scale.tensor->elements != 1)
      error(fmt::format("tensor '{}' is {} {}, expected one BF16, F16 or F32 "
                        "value",
                        scaleName, dtypeName(scale.tensor->dtype),
                        scale.tensor->shapeString()));
    else
      decode();
  }
  for (const auto &[name, entry] : checkpoint.tensors())
    if (!used.count(name))
      findings.push_back(
          {Severity::Warning,
           fmt::format("tensor '{}' ({} {}) is not part of a BitNet b1.58 "
                       "model of this config; it would be ignored",
                       name, dtypeName(entry.tensor->dtype),
                       entry.tensor->shapeString())});
  return findings;
}

} // namespace ternc::checkpoint
