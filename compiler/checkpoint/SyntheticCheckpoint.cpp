//===- SyntheticCheckpoint.cpp - Synthetic Hugging Face checkpoints -------===//

#include "compiler/checkpoint/SyntheticCheckpoint.h"

#include "compiler/checkpoint/BitNetCheckpoint.h"
#include "compiler/checkpoint/SafetensorsWriter.h"
#include "runtime/support/Bytes.h"
#include "runtime/support/Half.h"
#include "runtime/support/OutputFile.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>

namespace ternc::checkpoint {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using model::SyntheticModel;
using model::SyntheticTernary;
using model::TensorRole;
using model::TensorSpec;

/// `value` as JSON in its shortest decimal form (1e-05, not the double
/// nearest the float 1e-5f), which reads back to the same float.
json shortestNumber(float value) {
  return std::stod(fmt::format("{}", value));
}

Status writeText(const fs::path &path, const std::string &text) {
  Expected<std::unique_ptr<OutputFile>> output = OutputFile::create(path);
  if (!output)
    return output.error();
  TERNC_RETURN_IF_ERROR((*output)->write(text.data(), text.size()));
  return (*output)->commit();
}

json configJson(const SyntheticModel &model, CheckpointLayout layout) {
  const model::HyperParams &p = model.params;
  json config = {
      {"architectures", {"BitNetForCausalLM"}},
      {"model_type", "bitnet"},
      {"hidden_size", p.embeddingLength},
      {"intermediate_size", p.feedForwardLength},
      {"num_hidden_layers", p.blockCount},
      {"num_attention_heads", p.headCount},
      {"num_key_value_heads", p.headCountKv},
      {"vocab_size", p.vocabSize},
      {"max_position_embeddings", p.contextLength},
      {"rope_theta", shortestNumber(p.ropeFreqBase)},
      {"rms_norm_eps", shortestNumber(p.rmsEpsilon)},
      {"hidden_act", "relu2"},
      {"tie_word_embeddings", !model.architecture->separateOutput},
      {"bos_token_id", model.vocabulary.bosId},
      {"eos_token_id", model.vocabulary.eosId},
      {"torch_dtype", "bfloat16"},
  };
  if (layout == CheckpointLayout::Packed)
    config["quantization_config"] = {{"quant_method", "bitnet"},
                                     {"linear_class", "autobitlinear"},
                                     {"quantization_mode", "offline"}};
  return config;
}

json tokenizerConfigJson(const SyntheticModel &model) {
  const model::Vocabulary &vocabulary = model.vocabulary;
  json config = {{"add_bos_token", vocabulary.addBos},
                 {"bos_token", vocabulary.tokens[vocabulary.bosId]},
                 {"eos_token", vocabulary.tokens[vocabulary.eosId]},
                 {"model_max_length", model.params.contextLength},
                 {"tokenizer_class", "PreTrainedTokenizerFast"}};
  if (vocabulary.chatTemplate)
    config["chat_template"] = *vocabulary.chatTemplate;
  return config;
}

/// Trits [rows][columns] packed four a byte along the rows: byte [r][c]
/// holds row i * rows / 4 + r in bits 2i + 1 : 2i as trit + 1.
void packTrits(const std::vector<int8_t> &trits, uint64_t rows,
               uint64_t columns, uint8_t *packed) {
  const uint64_t quarter = rows / 4;
  std::memset(packed, 0, quarter * columns);
  for (uint64_t row = 0; row < rows; ++row)
    for (uint64_t column = 0; column < columns; ++column)
      packed[(row % quarter) * columns + column] |= static_cast<uint8_t>(
          (trits[row * columns + column] + 1) << (2 * (row / quarter)));
}

void storeBf16(const float *values, uint64_t count, uint8_t *destination) {
  for (uint64_t i = 0; i < count; ++i)
    storeLittleEndian<uint16_t>(destination + 2 * i,
                                floatToBfloat16(values[i]));
}

/// Adds `spec`'s tensors (a ternary weight's scale too) to `writer`.
Status addTensor(SafetensorsWriter &writer, const SyntheticModel &model,
                 const TensorSpec &spec, CheckpointLayout layout) {
  const std::string name = huggingFaceName(spec.name);
  const std::vector<uint64_t> shape(spec.ne.rbegin(), spec.ne.rend());
  if (spec.role != TensorRole::Ternary)
    return writer.addTensor(
        name, Dtype::BF16, shape,
        [&model, spec](uint8_t *destination, uint64_t) -> Status {
          return model.generateFloat(
              spec, 1024,
              [&](const std::vector<float> &values, uint64_t) -> Status {
                storeBf16(values.data(), values.size(), destination);
                destination += 2 * values.size();
                return Status::success();
              });
        });
  if (layout == CheckpointLayout::Bf16)
    return writer.addTensor(
        name, Dtype::BF16, shape,
        [&model, spec](uint8_t *destination, uint64_t) -> Status {
          SyntheticTernary matrix = model.ternary(spec);
          std::vector<float> masters(matrix.trits.size());
          for (size_t i = 0; i < masters.size(); ++i)
            masters[i] = matrix.trits[i] * matrix.masterMagnitude;
          storeBf16(masters.data(), masters.size(), destination);
          return Status::success();
        });
  if (shape[0] % 4 != 0)
    return makeError("tensor '{}': {} output rows cannot be packed four a "
                     "byte",
                     name, shape[0]);
  TERNC_RETURN_IF_ERROR(writer.addTensor(
      name, Dtype::U8, {shape[0] / 4, shape[1]},
      [&model, spec, shape](uint8_t *destination, uint64_t) -> Status {
        packTrits(model.ternary(spec).trits, shape[0], shape[1], destination);
        return Status::success();
      }));
  const std::string scaleName =
      name.substr(0, name.rfind(".weight")) + ".weight_scale";
  return writer.addTensor(
      scaleName, Dtype::F32, {1},
      [&model, spec](uint8_t *destination, uint64_t) -> Status {
        storeLittleEndian<float>(destination, model.ternary(spec).scale);
        return Status::success();
      });
}

} // namespace

Status writeSyntheticCheckpoint(const SyntheticModel &model,
                                CheckpointLayout layout, unsigned shards,
                                const std::string &directory) {
  if (model.architecture->name != "bitnet-b1.58")
    return makeError("--arch {}: Hugging Face checkpoints are written for "
                     "bitnet-b1.58 (BitNetForCausalLM) only",
                     model.architecture->name);
  const std::vector<TensorSpec> specs = model.tensors();
  if (shards == 0 || shards > specs.size())
    return makeError("--shards {}: expected 1 to {} (the model's tensors)",
                     shards, specs.size());
  std::error_code error;
  const fs::path root(directory);
  if (fs::exists(root, error) &&
      (!fs::is_directory(root, error) || !fs::is_empty(root, error)))
    return makeError("{}: exists and is not an empty directory", directory);
  if (!fs::create_directories(root, error) && error)
    return makeError("{}: cannot create the directory: {}", directory,
                     error.message());

  TERNC_RETURN_IF_ERROR(writeText(root / "config.json",
                                  configJson(model, layout).dump(2) + "\n"));
  TERNC_RETURN_IF_ERROR(writeText(root / "tokenizer.json",
                                  tokenizerJsonText(model.vocabulary)));
  TERNC_RETURN_IF_ERROR(writeText(root / "tokenizer_config.json",
                                  tokenizerConfigJson(model).dump(2) + "\n"));

  // Consecutive tensors, about as many per shard.
  json weightMap = json::object();
  uint64_t totalSize = 0;
  for (unsigned shard = 0; shard < shards; ++shard) {
    const size_t first = specs.size() * shard / shards;
    const size_t last = specs.size() * (shard + 1) / shards;
    SafetensorsWriter writer;
    writer.setMetadata("format", "pt");
    for (size_t i = first; i < last; ++i)
      TERNC_RETURN_IF_ERROR(addTensor(writer, model, specs[i], layout));
    const std::string file =
        shards == 1 ? "model.safetensors"
                    : fmt::format("model-{:05}-of-{:05}.safetensors",
                                  shard + 1, shards);
    for (size_t i = first; i < last; ++i) {
      const std::string name = huggingFaceName(specs[i].name);
      weightMap[name] = file;
      if (specs[i].role == TensorRole::Ternary &&
          layout == CheckpointLayout::Packed)
        weightMap[name.substr(0, name.rfind(".weight")) + ".weight_scale"] =
            file;
    }
    totalSize += writer.dataSize();
    TERNC_RETURN_IF_ERROR(writer.write((root / file).string()));
  }
  if (shards == 1)
    return Status::success();
  json index = {{"metadata", {{"total_size", totalSize}}},
                {"weight_map", weightMap}};
  return writeText(root / "model.safetensors.index.json",
                   index.dump(2) + "\n");
}

} // namespace ternc::checkpoint
