//===- CheckpointToGguf.cpp - Hugging Face checkpoint -> GGUF -------------===//

#include "compiler/checkpoint/CheckpointToGguf.h"

#include "compiler/checkpoint/BitNetCheckpoint.h"
#include "compiler/checkpoint/JsonFile.h"
#include "compiler/checkpoint/SafetensorsCheckpoint.h"
#include "compiler/model/Vocabulary.h"
#include "runtime/gguf/Quants.h"

#include <cstring>
#include <filesystem>

namespace ternc::checkpoint {

namespace {

namespace fs = std::filesystem;
using gguf::MetadataValue;
using gguf::TensorType;
using model::Severity;
using model::TensorRole;
using model::TensorSpec;

/// tokenizer_config.json files larger than this are refused (2B4T's is
/// about 50 kB).
constexpr size_t kMaxTokenizerConfigBytes = 50'000'000;

/// bitnet.cpp's LLAMA_FTYPE_MOSTLY_I2_S.
constexpr uint32_t kFileTypeI2S = 40;

/// What the tensors' fills read, shared by all of them.
struct Source {
  SafetensorsCheckpoint checkpoint;
  BitNetConfig config;
};

/// The checkpoint's tokenizer as GGUF vocabulary metadata.
Expected<model::Vocabulary> readVocabulary(const fs::path &directory,
                                           const BitNetConfig &config) {
  const fs::path tokenizerPath = directory / "tokenizer.json";
  std::error_code missing;
  if (!fs::exists(tokenizerPath, missing))
    return makeError("{}: no such file (a Hugging Face checkpoint needs its "
                     "tokenizer.json)",
                     tokenizerPath.string());
  Expected<model::Vocabulary> imported =
      model::importTokenizerJson(tokenizerPath.string());
  if (!imported)
    return imported.error();
  model::Vocabulary vocabulary = imported.take();
  const uint64_t size = config.params.vocabSize;
  if (vocabulary.tokens.size() > size)
    return makeError("{}: {} tokens, more than config.json's vocab_size {}",
                     tokenizerPath.string(), vocabulary.tokens.size(), size);
  for (uint64_t id = vocabulary.tokens.size(); id < size; ++id) {
    vocabulary.tokens.push_back("[PAD" + std::to_string(id) + "]");
    vocabulary.scores.push_back(0.0f);
    vocabulary.tokenTypes.push_back(
        static_cast<int32_t>(model::TokenType::Unused));
  }
  if (config.bosTokenId)
    vocabulary.bosId = *config.bosTokenId;
  if (config.eosTokenId)
    vocabulary.eosId = vocabulary.paddingId = *config.eosTokenId;

  const fs::path configPath = directory / "tokenizer_config.json";
  if (!fs::exists(configPath, missing))
    return vocabulary;
  Expected<nlohmann::json> document = readJsonObjectFile(
      configPath.string(), kMaxTokenizerConfigBytes, "a tokenizer config");
  if (!document)
    return document.error();
  auto chatTemplate = document->find("chat_template");
  if (chatTemplate != document->end() && !chatTemplate->is_null()) {
    if (!chatTemplate->is_string())
      return makeError("{}: 'chat_template': expected a string (a list of "
                       "named templates is not supported)",
                       configPath.string());
    vocabulary.chatTemplate = chatTemplate->get<std::string>();
  }
  auto addBos = document->find("add_bos_token");
  if (addBos != document->end() && !addBos->is_null()) {
    if (!addBos->is_boolean())
      return makeError("{}: 'add_bos_token': expected true or false, got {}",
                       configPath.string(), addBos->dump());
    vocabulary.addBos = addBos->get<bool>();
  }
  return vocabulary;
}

/// Converts the float tensor `name` to `type` into `destination`.
Status convertFloatTensor(const SafetensorsCheckpoint &checkpoint,
                          const std::string &name, TensorType type,
                          uint8_t *destination, uint64_t size) {
  SafetensorsCheckpoint::Entry entry = checkpoint.find(name);
  const SafetensorsTensor &tensor = *entry.tensor;
  const ByteSpan bytes = entry.file->tensorData(tensor);
  // In slices, so that a 128256 x 2560 embedding is never all f32 at once.
  const uint64_t slice = 1 << 20;
  std::vector<float> values;
  std::vector<uint8_t> encoded;
  uint64_t written = 0;
  for (uint64_t first = 0; first < tensor.elements; first += slice) {
    const uint64_t count = std::min(slice, tensor.elements - first);
    values.resize(count);
    for (uint64_t i = 0; i < count; ++i)
      values[i] = floatElement(tensor.dtype, bytes, first + i);
    encoded.clear();
    TERNC_RETURN_IF_ERROR(gguf::quantize(type, values.data(), count, encoded));
    if (written + encoded.size() > size)
      return makeError("tensor '{}': converted size exceeds {}", name, size);
    std::memcpy(destination + written, encoded.data(), encoded.size());
    written += encoded.size();
  }
  entry.file->releaseTensorData(tensor);
  return Status::success();
}

} // namespace

Expected<ConvertedCheckpoint> convertCheckpoint(const std::string &path) {
  Expected<BitNetConfig> config = readBitNetConfig(configPathOf(path));
  if (!config)
    return config.error();
  Expected<SafetensorsCheckpoint> checkpoint =
      SafetensorsCheckpoint::open(path);
  if (!checkpoint)
    return checkpoint.error();
  auto source = std::make_shared<const Source>(
      Source{checkpoint.take(), config.take()});

  ConvertedCheckpoint converted;
  // Contents are decoded as each tensor is written: a bad one stops the
  // write, which leaves no output.
  std::string errors;
  for (const model::Diagnostic &finding :
       checkBitNetCheckpoint(source->checkpoint, source->config,
                             /*decodeContents=*/false)) {
    if (finding.severity == Severity::Error)
      errors += "\n  " + finding.message;
    else
      converted.warnings.push_back(finding.message);
  }
  if (!errors.empty())
    return makeError("{}: not a usable BitNet b1.58 checkpoint:{}", path,
                     errors);

  const fs::path directory = fs::path(configPathOf(path)).parent_path();
  Expected<model::Vocabulary> vocabulary =
      readVocabulary(directory, source->config);
  if (!vocabulary)
    return vocabulary.error();

  const model::Architecture &arch = *model::findArchitecture("bitnet-b1.58");
  const model::HyperParams &params = source->config.params;
  gguf::GgufWriter &writer = converted.writer;
  writer.set("general.architecture",
             MetadataValue::ofString(std::string(arch.name)));
  std::string name = fs::absolute(directory).filename().string();
  writer.set("general.name", MetadataValue::ofString(
                                 name.empty() ? "bitnet-b1.58" : name));
  model::writeHyperParams(writer, arch, params, vocabulary->addBos);
  writer.set("general.file_type", MetadataValue::ofU32(kFileTypeI2S));
  model::writeVocabulary(writer, *vocabulary);
  writer.set("general.quantization_version", MetadataValue::ofU32(2));

  for (const TensorSpec &spec : model::tensorSpecs(arch, params)) {
    const std::string hfName = huggingFaceName(spec.name);
    if (spec.role == TensorRole::Ternary) {
      TERNC_RETURN_IF_ERROR(writer.addTensor(
          spec.name, TensorType::I2_S, spec.ne,
          [source, hfName](uint8_t *destination, uint64_t size) -> Status {
            Expected<TernaryMatrix> matrix = decodeTernaryWeight(
                source->checkpoint, source->config, hfName);
            // A pass over a multi-GB checkpoint holds one tensor's pages.
            SafetensorsCheckpoint::Entry entry =
                source->checkpoint.find(hfName);
            entry.file->releaseTensorData(*entry.tensor);
            if (!matrix)
              return matrix.error();
            std::vector<float> values(matrix->trits.size());
            for (size_t i = 0; i < values.size(); ++i)
              values[i] = matrix->trits[i] * matrix->scale;
            std::vector<uint8_t> encoded;
            TERNC_RETURN_IF_ERROR(gguf::quantize(
                TensorType::I2_S, values.data(), values.size(), encoded));
            if (encoded.size() != size)
              return makeError("tensor '{}': I2_S size {}, expected {}",
                               hfName, encoded.size(), size);
            std::memcpy(destination, encoded.data(), size);
            return Status::success();
          }));
      continue;
    }
    if (!source->checkpoint.find(hfName).tensor)
      continue; // A tied LM head (the check required everything else).
    const TensorType type =
        spec.role == TensorRole::Norm ? TensorType::F32 : TensorType::F16;
    TERNC_RETURN_IF_ERROR(writer.addTensor(
        spec.name, type, spec.ne,
        [source, hfName, type](uint8_t *destination, uint64_t size) {
          return convertFloatTensor(source->checkpoint, hfName, type,
                                    destination, size);
        }));
  }
  return converted;
}

Expected<std::unique_ptr<ModelFile>> ModelFile::open(const std::string &path) {
  std::unique_ptr<ModelFile> model(new ModelFile());
  if (!isCheckpointPath(path)) {
    Expected<gguf::GgufFile> file = gguf::GgufFile::open(path);
    if (!file)
      return file.error();
    model->file_.emplace(file.take());
    return model;
  }
  Expected<ConvertedCheckpoint> converted = convertCheckpoint(path);
  if (!converted)
    return converted.error();
  Expected<std::vector<uint8_t>> bytes = converted->writer.writeToMemory();
  if (!bytes)
    return bytes.error();
  model->converted_ = bytes.take();
  model->warnings_ = std::move(converted->warnings);
  Expected<gguf::GgufFile> file = gguf::GgufFile::parse(
      ByteSpan{model->converted_.data(), model->converted_.size()}, path);
  if (!file)
    return file.error();
  model->file_.emplace(file.take());
  return model;
}

} // namespace ternc::checkpoint
