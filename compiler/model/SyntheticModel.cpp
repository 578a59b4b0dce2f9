//===- SyntheticModel.cpp - Random models of real architectures -----------===//

#include "compiler/model/SyntheticModel.h"

#include "compiler/model/ModelCheck.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Half.h"
#include "runtime/support/Random.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

namespace ternc::model {

using gguf::GgufWriter;
using gguf::MetadataValue;
using gguf::TensorType;

namespace {

/// Uniform in [0, 1) from the top 24 bits: exactly representable floats.
float uniform(SplitMix64 &rng) {
  return static_cast<float>(rng.next() >> 40) * 0x1p-24f;
}

/// Roughly normal with mean 0 and deviation 1 (sum of four uniforms, drawn
/// in a fixed order so that every compiler gives the same value).
float roughNormal(SplitMix64 &rng) {
  float sum = 0;
  for (int i = 0; i < 4; ++i)
    sum += uniform(rng);
  return (sum - 2.0f) * 1.7320508f;
}

/// A generator seeded by the model seed and the tensor's name, so each
/// tensor's values do not depend on the order tensors are generated in.
SplitMix64 tensorRng(uint64_t seed, const std::string &name) {
  uint64_t hash = 0xcbf29ce484222325ull; // FNV-1a
  for (char c : name)
    hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return SplitMix64(seed * 0x9e3779b97f4a7c15ull ^ hash);
}

/// `value` rounded to the nearest bf16 value that f16 holds exactly too
/// (magnitudes under 2^-17 become 0), so that a Hugging Face checkpoint's
/// bf16 tensors and a GGUF's f16 or f32 ones hold the same numbers.
float bf16AndF16(float value) {
  float rounded = bfloat16ToFloat(floatToBfloat16(value));
  return std::fabs(rounded) < 0x1p-17f ? 0.0f : rounded;
}

/// Gamma values shaped like the official 2B4T's (docs/formats.md §6): attn_norm
/// around 1/sqrt(n_embd), ffn_norm 1.1-1.6, sub-norms growing from ~0.015 to
/// ~12 (attn) or ~0.2 to ~17 (ffn) with depth, output_norm around 0.1
/// times `outputGain`.
std::vector<float> normValues(const TensorSpec &spec, const HyperParams &p,
                              float outputGain, SplitMix64 &rng) {
  double depth = p.blockCount > 1
                     ? static_cast<double>(spec.layer) / (p.blockCount - 1)
                     : 0.0;
  auto growing = [&](double first, double last) {
    return first * std::pow(last / first, depth);
  };
  double center, spread;
  if (spec.name.find("attn_norm") != std::string::npos)
    center = 1.0 / std::sqrt(static_cast<double>(p.embeddingLength)),
    spread = 0.35;
  else if (spec.name.find("ffn_norm") != std::string::npos)
    center = 1.35, spread = 0.18;
  else if (spec.name.find("attn_sub_norm") != std::string::npos)
    center = growing(0.015, 12.0), spread = 0.25;
  else if (spec.name.find("ffn_sub_norm") != std::string::npos)
    center = growing(0.2, 17.0), spread = 0.3;
  else
    center = 0.1, spread = 0.2;
  std::vector<float> values(spec.ne[0]);
  for (float &v : values)
    v = static_cast<float>(center * (1.0 + spread * (2.0 * uniform(rng) - 1)));
  if (spec.name == "output_norm.weight")
    for (float &v : values)
      v *= outputGain;
  for (float &v : values)
    v = bf16AndF16(v);
  return values;
}

uint32_t fileType(TensorType weightType) {
  switch (weightType) {
  case TensorType::F32: return 0;
  case TensorType::F16: return 1;
  case TensorType::BF16: return 32;
  case TensorType::TQ1_0: return 36;
  case TensorType::TQ2_0: return 37;
  default: return 40; // bitnet.cpp's LLAMA_FTYPE_MOSTLY_I2_S.
  }
}

bool isQuantized(TensorType type) {
  return type != TensorType::F32 && type != TensorType::F16 &&
         type != TensorType::BF16;
}

Status validateOptions(const SyntheticModelOptions &options) {
  static const TensorType kWeightTypes[] = {
      TensorType::I2_S, TensorType::TQ1_0, TensorType::TQ2_0,
      TensorType::F16,  TensorType::BF16,  TensorType::F32};
  static const TensorType kEmbeddingTypes[] = {
      TensorType::F16, TensorType::F32, TensorType::Q8_0};
  if (std::find(std::begin(kWeightTypes), std::end(kWeightTypes),
                options.weightType) == std::end(kWeightTypes))
    return makeError("--weight-type {} is not supported (expected i2_s, "
                     "tq1_0, tq2_0, f16, bf16 or f32)",
                     gguf::typeName(options.weightType));
  if (std::find(std::begin(kEmbeddingTypes), std::end(kEmbeddingTypes),
                options.embeddingType) == std::end(kEmbeddingTypes))
    return makeError("--embed-type {} is not supported (expected f16, f32 "
                     "or q8_0)",
                     gguf::typeName(options.embeddingType));
  if (!std::isfinite(options.outputNormGain) || options.outputNormGain <= 0)
    return makeError("--output-norm-gain {} is not a positive finite number",
                     options.outputNormGain);
  return Status::success();
}

/// Pads `vocabulary` with unused tokens up to `size` (the 2b4t preset keeps
/// the official 128256-token shape whatever the tokenizer).
void padVocabulary(Vocabulary &vocabulary, uint64_t size) {
  for (uint64_t id = vocabulary.tokens.size(); id < size; ++id) {
    vocabulary.tokens.push_back("<|ternc_unused_" + std::to_string(id) + "|>");
    vocabulary.scores.push_back(0.0f);
    vocabulary.tokenTypes.push_back(static_cast<int32_t>(TokenType::Unused));
  }
}

/// Encodes the values `generate` produces for `spec`, chunk by chunk, as
/// `type` into exactly `size` bytes at `destination`.
Status encodeTensor(const TensorSpec &spec, TensorType type,
                    uint8_t *destination, uint64_t size,
                    const std::function<Status(const FloatRowsConsumer &)>
                        &generate) {
  std::vector<uint8_t> encoded;
  uint64_t written = 0;
  TERNC_RETURN_IF_ERROR(generate(
      [&](const std::vector<float> &values, uint64_t) -> Status {
        encoded.clear();
        TERNC_RETURN_IF_ERROR(
            gguf::quantize(type, values.data(), values.size(), encoded));
        if (written + encoded.size() > size)
          return makeError("tensor '{}': encoded size exceeds {}", spec.name,
                           size);
        std::memcpy(destination + written, encoded.data(), encoded.size());
        written += encoded.size();
        return Status::success();
      }));
  if (written != size)
    return makeError("tensor '{}': encoded {} bytes, expected {}", spec.name,
                     written, size);
  return Status::success();
}

} // namespace

Expected<HyperParams> presetHyperParams(const std::string &preset,
                                        uint64_t vocabSize) {
  HyperParams p;
  p.rmsEpsilon = 1e-5f;
  p.ropeFreqBase = 500000.0f;
  if (preset == "tiny") {
    // Every matmul row length is a multiple of 256 (TQ1_0/TQ2_0 blocks) and
    // the head dimension is 2B4T's 128.
    p.contextLength = 2048;
    p.embeddingLength = 512;
    p.blockCount = 2;
    p.feedForwardLength = 1280;
    p.headCount = 4;
    p.headCountKv = 2;
    p.vocabSize = vocabSize;
  } else if (preset == "2b4t") {
    // BitNet b1.58 2B4T's shapes, for every architecture: benchmarks of
    // llama.cpp's formats (arch bitnet) and of an untied LM head (llama)
    // need them too.
    p.contextLength = 4096;
    p.embeddingLength = 2560;
    p.blockCount = 30;
    p.feedForwardLength = 6912;
    p.headCount = 20;
    p.headCountKv = 5;
    p.vocabSize = 128256;
  } else {
    return makeError("--preset '{}' is unknown (expected tiny or 2b4t)",
                     preset);
  }
  p.ropeDimensionCount = p.headDim();
  return p;
}

Expected<SyntheticModel>
makeSyntheticModel(const SyntheticModelOptions &options) {
  const Architecture *arch = findArchitecture(options.architecture);
  if (!arch)
    return makeError("--arch '{}' is unknown (expected bitnet-b1.58, "
                     "bitnet-25, bitnet or llama)",
                     options.architecture);
  TERNC_RETURN_IF_ERROR(validateOptions(options));

  SyntheticModel model;
  model.architecture = arch;
  model.options = options;
  model.vocabulary = builtinVocabulary();
  if (!options.tokenizerJson.empty()) {
    Expected<Vocabulary> imported = importTokenizerJson(options.tokenizerJson);
    if (!imported)
      return imported.error();
    model.vocabulary = imported.take();
  }
  Expected<HyperParams> params =
      presetHyperParams(options.preset, model.vocabulary.tokens.size());
  if (!params)
    return params.error();
  if (model.vocabulary.tokens.size() > params->vocabSize)
    return makeError("the tokenizer has {} tokens, more than the {} of "
                     "--preset {}",
                     model.vocabulary.tokens.size(), params->vocabSize,
                     options.preset);
  padVocabulary(model.vocabulary, params->vocabSize);
  model.params = *params;
  return model;
}

std::vector<TensorSpec> SyntheticModel::tensors() const {
  std::vector<TensorSpec> written;
  for (TensorSpec &spec : tensorSpecs(*architecture, params))
    if (spec.role != TensorRole::Scale &&
        (spec.role != TensorRole::Output || architecture->separateOutput))
      written.push_back(std::move(spec));
  return written;
}

Status SyntheticModel::generateFloat(const TensorSpec &spec,
                                     uint64_t rowsPerChunk,
                                     const FloatRowsConsumer &consume) const {
  SplitMix64 rng = tensorRng(options.seed, spec.name);
  if (spec.role == TensorRole::Norm) {
    std::vector<float> values =
        normValues(spec, params, options.outputNormGain, rng);
    return consume(values, 1);
  }
  const uint64_t rowLength = spec.ne[0], rows = spec.ne[1];
  std::vector<float> values;
  for (uint64_t row = 0; row < rows; row += rowsPerChunk) {
    const uint64_t n = std::min(rowsPerChunk, rows - row);
    values.resize(n * rowLength);
    for (float &v : values)
      v = bf16AndF16(0.02f * roughNormal(rng));
    TERNC_RETURN_IF_ERROR(consume(values, n));
  }
  return Status::success();
}

SyntheticTernary SyntheticModel::ternary(const TensorSpec &spec) const {
  SplitMix64 rng = tensorRng(options.seed, spec.name);
  SyntheticTernary matrix;
  matrix.masterMagnitude = bfloat16ToFloat(floatToBfloat16(
      (0.5f + uniform(rng)) / std::sqrt(static_cast<float>(spec.ne[0]))));
  matrix.trits.resize(spec.ne[0] * spec.ne[1]);
  uint64_t nonZero = 0;
  for (int8_t &trit : matrix.trits) {
    uint64_t r = rng.next() % 10;
    trit = r < 3 ? -1 : (r < 7 ? 0 : 1);
    nonZero += trit != 0;
  }
  // Every master's magnitude is the same bf16 value, so their sum is exact.
  matrix.scale =
      absmeanScale(static_cast<double>(nonZero) * matrix.masterMagnitude,
                   matrix.trits.size())
          .scale;
  return matrix;
}

Status writeSyntheticModel(const SyntheticModelOptions &options,
                           const std::string &path) {
  Expected<SyntheticModel> synthetic = makeSyntheticModel(options);
  if (!synthetic)
    return synthetic.error();
  const SyntheticModel &model = *synthetic;
  const Architecture &arch = *model.architecture;

  // bitnet.cpp writes I2_S with its fork's type ids, whatever the arch.
  gguf::TypeIdConvention convention =
      options.weightType == TensorType::I2_S
          ? gguf::TypeIdConvention::BitnetCpp
          : gguf::conventionForArchitecture(arch.name);
  GgufWriter writer(convention);
  writer.set("general.architecture", MetadataValue::ofString(
                                         std::string(options.architecture)));
  writer.set("general.name",
             MetadataValue::ofString("ternc-synthetic-" + options.preset));
  writeHyperParams(writer, arch, model.params, model.vocabulary.addBos);
  writer.set("general.file_type",
             MetadataValue::ofU32(fileType(options.weightType)));
  writeVocabulary(writer, model.vocabulary);
  if (isQuantized(options.weightType) || isQuantized(options.embeddingType))
    writer.set("general.quantization_version", MetadataValue::ofU32(2));

  for (const TensorSpec &spec : model.tensors()) {
    const bool ternary = spec.role == TensorRole::Ternary;
    const TensorType type = ternary ? options.weightType
                            : spec.role == TensorRole::Norm
                                ? TensorType::F32
                                : options.embeddingType;
    TERNC_RETURN_IF_ERROR(writer.addTensor(
        spec.name, type, spec.ne,
        [&model, spec, type, ternary](uint8_t *destination,
                                      uint64_t size) -> Status {
          return encodeTensor(
              spec, type, destination, size,
              [&](const FloatRowsConsumer &consume) -> Status {
                if (!ternary)
                  return model.generateFloat(spec, 1024, consume);
                // A ternary type takes the whole tensor at once: one scale.
                SyntheticTernary matrix = model.ternary(spec);
                std::vector<float> values(matrix.trits.size());
                for (size_t i = 0; i < values.size(); ++i)
                  values[i] = matrix.trits[i] * matrix.scale;
                return consume(values, spec.ne[1]);
              });
        }));
  }
  return writer.write(path);
}

} // namespace ternc::model
