//===- ModelCheck.cpp - Architecture-aware validation of a model ----------===//

#include "compiler/model/ModelCheck.h"

#include "runtime/gguf/Quants.h"
#include "runtime/tokenizer/Tokenizer.h"
#include "runtime/support/Half.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace ternc::model {

using gguf::GgufFile;
using gguf::TensorInfo;
using gguf::TensorType;

size_t CheckReport::count(Severity severity) const {
  return std::count_if(diagnostics.begin(), diagnostics.end(),
                       [&](const Diagnostic &d) { return d.severity == severity; });
}

namespace {

bool isFloatType(TensorType type) {
  return type == TensorType::F32 || type == TensorType::F16 ||
         type == TensorType::BF16;
}

/// Adds |value| to the distinct magnitudes, keeping the set small: two are
/// enough to report a mixed tensor.
void noteMagnitude(TernaryContents &contents, float value) {
  if (!std::isfinite(value)) {
    ++contents.nonFinite;
    return;
  }
  float magnitude = std::fabs(value);
  contents.maxMagnitude = std::max(contents.maxMagnitude, magnitude);
  if (magnitude != 0 && contents.magnitudes.size() < 3)
    contents.magnitudes.insert(magnitude);
}

/// Scans a float tensor in chunks, so multi-GB tensors need no copy.
void scanFloatTensor(const TensorInfo &tensor, ByteSpan data,
                     TernaryContents &contents) {
  constexpr uint64_t kChunk = 1 << 16;
  std::vector<float> values(kChunk);
  uint32_t elementBytes = gguf::typeInfo(tensor.type).blockBytes;
  for (uint64_t start = 0; start < tensor.elements; start += kChunk) {
    uint64_t n = std::min(kChunk, tensor.elements - start);
    ByteSpan chunk = data.slice(start * elementBytes, n * elementBytes);
    Status status = gguf::dequantize(tensor.type, chunk, n, values.data());
    assert(status.ok() && "float chunks always decode");
    (void)status;
    for (uint64_t i = 0; i < n; ++i)
      noteMagnitude(contents, values[i]);
  }
}

/// Counts 2-bit fields equal to 3 in `bytes`.
uint64_t countCodeThree(const uint8_t *bytes, uint64_t size) {
  uint64_t count = 0;
  for (uint64_t i = 0; i < size; ++i) {
    uint8_t both = bytes[i] & (bytes[i] >> 1) & 0x55;
    count += __builtin_popcount(both);
  }
  return count;
}

/// The types ternc can decode, as "F32, F16, ...".
std::string readableTypeNames() {
  std::string names;
  for (int t = 0; t <= static_cast<int>(TensorType::TL2); ++t) {
    const gguf::TensorTypeInfo &info =
        gguf::typeInfo(static_cast<TensorType>(t));
    if (info.dequantizable)
      names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  return names;
}

/// Whether the tensor's type suits its role; the error says why not.
Status checkRoleType(const TensorSpec &spec, const TensorInfo &tensor) {
  const gguf::TensorTypeInfo &info = gguf::typeInfo(tensor.type);
  if (tensor.type == TensorType::TL1 || tensor.type == TensorType::TL2)
    return makeError("tensor '{}' is {}: not supported (its layout depends on "
                     "bitnet.cpp's per-model kernel tiling); re-quantize to "
                     "I2_S or TQ2_0",
                     spec.name, info.name);
  switch (spec.role) {
  case TensorRole::Norm:
    if (isFloatType(tensor.type))
      return Status::success();
    return makeError("norm tensor '{}' is {}: norm weights must be F32, F16 "
                     "or BF16",
                     spec.name, info.name);
  case TensorRole::Scale:
    if (tensor.type == TensorType::F32)
      return Status::success();
    return makeError("scale tensor '{}' is {}, expected F32", spec.name,
                     info.name);
  case TensorRole::Ternary:
    if (info.ternary || isFloatType(tensor.type))
      return Status::success();
    return makeError("tensor '{}' is {}, which cannot hold ternary weights "
                     "exactly; expected I2_S, TQ1_0, TQ2_0, F32, F16 or BF16",
                     spec.name, info.name);
  case TensorRole::Embedding:
  case TensorRole::Output:
    if (info.dequantizable)
      return Status::success();
    return makeError("tensor '{}' is {}, which ternc cannot read "
                     "(supported: {})",
                     spec.name, info.name, readableTypeNames());
  }
  return Status::success();
}

/// Collects diagnostics for one GGUF file.
class Checker {
public:
  Checker(const GgufFile &file, CheckReport &report)
      : file_(file), report_(report) {}

  void run() {
    std::string_view archName = file_.architecture();
    if (archName.empty()) {
      error("metadata key 'general.architecture' is missing or not a string");
      return;
    }
    const Architecture *arch = findArchitecture(archName);
    if (!arch) {
      error(fmt::format("unknown architecture '{}' (ternc knows "
                        "bitnet-b1.58 (alias bitnet-25), bitnet and llama)",
                        archName));
      return;
    }
    report_.architecture = std::string(arch->name);
    if (arch->name != archName)
      info(fmt::format("architecture '{}' is read as its alias '{}'",
                       archName, arch->name));
    Expected<HyperParams> params = readHyperParams(file_, *arch);
    if (!params) {
      error(params.error().message());
      return;
    }
    report_.params = *params;
    checkTokenizer(*params);
    std::vector<TensorSpec> specs = tensorSpecs(*arch, *params);
    std::set<std::string_view> known;
    for (const TensorSpec &spec : specs) {
      known.insert(spec.name);
      checkTensor(spec);
    }
    for (const TensorInfo &tensor : file_.tensors())
      if (!known.count(tensor.name))
        warning(fmt::format("tensor '{}' is not part of architecture '{}' "
                            "and will be ignored",
                            tensor.name, arch->name));
  }

private:
  void add(Severity severity, std::string message) {
    report_.diagnostics.push_back({severity, std::move(message)});
  }
  void error(std::string message) { add(Severity::Error, std::move(message)); }
  void warning(std::string message) {
    add(Severity::Warning, std::move(message));
  }
  void info(std::string message) { add(Severity::Info, std::move(message)); }

  void checkTokenizer(const HyperParams &params) {
    const gguf::Value *model = file_.find("tokenizer.ggml.model");
    if (!model) {
      warning("no tokenizer (tokenizer.ggml.model is missing): text cannot "
              "be tokenized, only token ids run");
      return;
    }
    // The runtime's own tokenizer is the judge of the tokenizer keys.
    Expected<tokenizer::Tokenizer> vocabulary =
        tokenizer::Tokenizer::fromGguf(file_);
    if (!vocabulary) {
      error(vocabulary.error().message());
      return;
    }
    if (vocabulary->size() != params.vocabSize)
      error(fmt::format("tokenizer.ggml.tokens has {} entries but the "
                        "vocabulary size is {}",
                        vocabulary->size(), params.vocabSize));
    if (!file_.find("tokenizer.ggml.pre"))
      info("tokenizer.ggml.pre is absent: llama.cpp's default pre-tokenizer "
           "applies (what bitnet.cpp uses for its official 2B4T file)");
  }

  void checkTensor(const TensorSpec &spec) {
    Expected<const TensorInfo *> tensor = lookUpTensor(file_, spec);
    if (!tensor) {
      error(tensor.error().message());
      return;
    }
    if (!*tensor)
      return;
    ByteSpan data = file_.tensorData(**tensor);
    switch (spec.role) {
    case TensorRole::Norm:
      checkNorm(spec, **tensor, data);
      break;
    case TensorRole::Ternary:
      checkTernary(**tensor, data);
      break;
    default:
      break;
    }
  }

  void checkNorm(const TensorSpec &spec, const TensorInfo &tensor,
                 ByteSpan data) {
    std::vector<float> gamma(tensor.elements);
    Status status =
        gguf::dequantize(tensor.type, data, tensor.elements, gamma.data());
    if (!status.ok()) {
      error(fmt::format("tensor '{}': {}", spec.name, status.error().message()));
      return;
    }
    double sum = 0, squares = 0;
    float lo = gamma[0], hi = gamma[0];
    for (float g : gamma) {
      if (!std::isfinite(g)) {
        error(fmt::format("norm tensor '{}' holds a non-finite value",
                          spec.name));
        return;
      }
      sum += g;
      squares += static_cast<double>(g) * g;
      lo = std::min(lo, g);
      hi = std::max(hi, g);
    }
    double n = static_cast<double>(gamma.size());
    report_.norms.push_back(
        {spec.name, spec.layer, sum / n, std::sqrt(squares / n), lo, hi});
  }

  void checkTernary(const TensorInfo &tensor, ByteSpan data) {
    TernaryContents contents = scanTernary(tensor, data);
    Status usable = checkTernaryContents(tensor, contents);
    if (!usable.ok()) {
      error(usable.error().message());
      return;
    }
    std::string_view type = gguf::typeName(tensor.type);
    if (contents.magnitudes.empty()) {
      warning(fmt::format("tensor '{}' ({}) is all zeros", tensor.name, type));
      return;
    }
    if (contents.magnitudes.size() > 1) {
      auto it = contents.magnitudes.begin();
      float first = *it++, second = *it;
      warning(fmt::format("tensor '{}' ({}) has different block scales (e.g. "
                          "{} and {}); ternc uses one scale per tensor, the "
                          "largest, so weights of blocks with a smaller scale "
                          "grow",
                          tensor.name, type, first, second));
    }
  }

  const GgufFile &file_;
  CheckReport &report_;
};

} // namespace

TernaryContents scanTernary(const TensorInfo &tensor, ByteSpan data) {
  TernaryContents contents;
  switch (tensor.type) {
  case TensorType::I2_S:
    contents.invalidCodes = countCodeThree(data.data, tensor.elements / 4);
    noteMagnitude(contents, gguf::i2sScale(data, tensor.elements));
    break;
  case TensorType::TQ2_0:
  case TensorType::TQ1_0: {
    bool two = tensor.type == TensorType::TQ2_0;
    uint64_t blockBytes = two ? 66 : 54, scaleOffset = two ? 64 : 52;
    for (uint64_t b = 0; b < tensor.elements / 256; ++b) {
      const uint8_t *block = data.data + b * blockBytes;
      if (two)
        contents.invalidCodes += countCodeThree(block, 64);
      noteMagnitude(contents, halfToFloat(loadLittleEndian<uint16_t>(
                                  block + scaleOffset)));
    }
    break;
  }
  default:
    scanFloatTensor(tensor, data, contents);
    break;
  }
  return contents;
}

Status checkTernaryContents(const TensorInfo &tensor,
                            const TernaryContents &contents) {
  std::string_view type = gguf::typeName(tensor.type);
  if (contents.invalidCodes)
    return makeError("tensor '{}' ({}) holds {} invalid 2-bit code(s) 3; "
                     "valid codes are 0, 1, 2 (-1, 0, +1)",
                     tensor.name, type, contents.invalidCodes);
  if (contents.nonFinite)
    return makeError("tensor '{}' ({}) holds {} non-finite value(s) or "
                     "scale(s)",
                     tensor.name, type, contents.nonFinite);
  if (isFloatType(tensor.type) && contents.magnitudes.size() > 1) {
    auto it = contents.magnitudes.begin();
    float first = *it++, second = *it;
    return makeError("tensor '{}' ({}) is not ternary: it holds several "
                     "non-zero magnitudes (e.g. {} and {}) where a ternary "
                     "tensor has one",
                     tensor.name, type, first, second);
  }
  return Status::success();
}

Expected<const TensorInfo *> lookUpTensor(const GgufFile &file,
                                          const TensorSpec &spec) {
  const TensorInfo *tensor = file.findTensor(spec.name);
  if (!tensor) {
    if (spec.required)
      return makeError("tensor '{}' is missing (expected shape {})",
                       spec.name, shapeString(spec.ne));
    return static_cast<const TensorInfo *>(nullptr);
  }
  std::vector<uint64_t> actual(tensor->ne.begin(),
                               tensor->ne.begin() + tensor->nDims);
  if (actual != spec.ne)
    return makeError("tensor '{}' has shape {}, expected {}", spec.name,
                     shapeString(actual), shapeString(spec.ne));
  TERNC_RETURN_IF_ERROR(checkRoleType(spec, *tensor));
  return tensor;
}

CheckReport checkModel(const GgufFile &file) {
  CheckReport report;
  Checker(file, report).run();
  return report;
}

AbsmeanScale absmeanScale(double magnitudeSum, uint64_t count) {
  const float mean = count ? static_cast<float>(magnitudeSum / count) : 0.0f;
  const float inverse = 1.0f / std::max(mean, 1e-5f);
  return {inverse, 1.0f / inverse};
}

} // namespace ternc::model
