//===- InterpreterTest.cpp - Golden tests of the reference interpreter ----===//
//
// The interpreter is the golden model every compiled binary is compared with,
// so it is checked here against a second implementation of the forward pass:
// plain loops over std::vector written from docs/formats.md §4 alone,
// reading the weights through gguf::dequantize and sharing no code with the
// interpreter or compiler/reference. The tests also check that the KV cache
// gives the same logits however a sequence is split into calls, and that
// context overflow and unknown token ids are errors that change nothing.
//
//===----------------------------------------------------------------------===//

#include "compiler/interpreter/Interpreter.h"

#include "compiler/import/GgufImporter.h"
#include "compiler/model/Architecture.h"
#include "compiler/model/SyntheticModel.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Half.h"
#include "test/utils/SyntheticModelFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>
#include <ostream>
#include <tuple>

using namespace ternc;
using gguf::GgufFile;
using gguf::TensorInfo;
using gguf::TensorType;

namespace {

//===----------------------------------------------------------------------===//
// The plain forward pass
//===----------------------------------------------------------------------===//

/// The numerics the plain forward pass follows; each matches one value of
/// InterpreterOptions::f16Cache.
enum class Precision {
  /// Everything in f32 (bitnet.cpp with --kv-type f32).
  F32,
  /// bitnet.cpp's default: K and V cached as f16, queries and attention
  /// probabilities rounded to f16 before their products.
  F16Cache,
};

/// Rounds `value` to the nearest IEEE half and back, as storing it in an F16
/// tensor does.
float roundToHalf(float value) { return halfToFloat(floatToHalf(value)); }

/// A ternary matrix of `rows` x `cols` (GGUF ne = {cols, rows}): trits in
/// {-1, 0, 1}, row-major, and one scale for the whole tensor.
struct TernaryMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<int8_t> trits;
  float scale = 0;
};

/// A float matrix of `rows` x `cols`, row-major, and the type it was stored
/// as.
struct FloatMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> values;
  TensorType storage = TensorType::F32;
};

/// The weights of one transformer block; the sub-norms are empty when the
/// architecture has none.
struct LayerWeights {
  std::vector<float> attnNorm, attnSubNorm, ffnNorm, ffnSubNorm;
  TernaryMatrix query, key, value, attnOutput, gate, up, down;
};

/// A whole model, decoded.
struct PlainModel {
  const model::Architecture *arch = nullptr;
  model::HyperParams params;
  FloatMatrix embedding, head;
  std::vector<float> outputNorm;
  std::vector<LayerWeights> layers;
};

/// Decodes every element of `name` to f32.
void decodeTensor(const GgufFile &file, const std::string &name,
                  std::vector<float> &values, const TensorInfo **info) {
  const TensorInfo *tensor = file.findTensor(name);
  ASSERT_NE(tensor, nullptr) << name;
  values.resize(tensor->elements);
  Status decoded = gguf::dequantize(tensor->type, file.tensorData(*tensor),
                                    tensor->elements, values.data());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  if (info)
    *info = tensor;
}

void loadVector(const GgufFile &file, const std::string &name,
                std::vector<float> &values) {
  decodeTensor(file, name, values, nullptr);
}

void loadFloatMatrix(const GgufFile &file, const std::string &name,
                     FloatMatrix &matrix) {
  const TensorInfo *info = nullptr;
  ASSERT_NO_FATAL_FAILURE(decodeTensor(file, name, matrix.values, &info));
  matrix.cols = static_cast<int64_t>(info->ne[0]);
  matrix.rows = static_cast<int64_t>(info->rows());
  matrix.storage = info->type;
}

/// Reads the ternary weight `<prefix>.weight`: trits are the signs of the
/// decoded values and the scale their largest magnitude (for I2_S, the stored
/// scale), times `<prefix>.scale` when the file has one.
void loadTernaryMatrix(const GgufFile &file, const std::string &prefix,
                       TernaryMatrix &matrix) {
  std::vector<float> values;
  const TensorInfo *info = nullptr;
  ASSERT_NO_FATAL_FAILURE(
      decodeTensor(file, prefix + ".weight", values, &info));
  matrix.cols = static_cast<int64_t>(info->ne[0]);
  matrix.rows = static_cast<int64_t>(info->rows());
  matrix.trits.resize(values.size());
  float magnitude = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    matrix.trits[i] = values[i] > 0 ? 1 : (values[i] < 0 ? -1 : 0);
    magnitude = std::max(magnitude, std::fabs(values[i]));
  }
  // The weight must really be ternary times one scale, or the trits above
  // would not describe it.
  for (float value : values)
    ASSERT_TRUE(value == 0 || std::fabs(value) == magnitude)
        << prefix << " holds " << value << " besides +-" << magnitude;
  matrix.scale = magnitude;
  if (file.findTensor(prefix + ".scale")) {
    std::vector<float> factor;
    ASSERT_NO_FATAL_FAILURE(loadVector(file, prefix + ".scale", factor));
    matrix.scale *= factor.at(0);
  }
}

void loadPlainModel(const GgufFile &file, PlainModel &model) {
  model.arch = model::findArchitecture(file.architecture());
  ASSERT_NE(model.arch, nullptr) << file.architecture();
  Expected<model::HyperParams> params =
      model::readHyperParams(file, *model.arch);
  ASSERT_TRUE(params.ok()) << params.error().message();
  model.params = *params;

  ASSERT_NO_FATAL_FAILURE(
      loadFloatMatrix(file, "token_embd.weight", model.embedding));
  ASSERT_NO_FATAL_FAILURE(
      loadVector(file, "output_norm.weight", model.outputNorm));
  bool separateHead = file.findTensor("output.weight") != nullptr;
  ASSERT_NO_FATAL_FAILURE(loadFloatMatrix(
      file, separateHead ? "output.weight" : "token_embd.weight", model.head));

  model.layers.resize(model.params.blockCount);
  for (size_t l = 0; l < model.layers.size(); ++l) {
    std::string blk = "blk." + std::to_string(l) + ".";
    LayerWeights &layer = model.layers[l];
    ASSERT_NO_FATAL_FAILURE(
        loadVector(file, blk + "attn_norm.weight", layer.attnNorm));
    ASSERT_NO_FATAL_FAILURE(
        loadVector(file, blk + "ffn_norm.weight", layer.ffnNorm));
    if (model.arch->subNorms) {
      ASSERT_NO_FATAL_FAILURE(
          loadVector(file, blk + "attn_sub_norm.weight", layer.attnSubNorm));
      ASSERT_NO_FATAL_FAILURE(
          loadVector(file, blk + "ffn_sub_norm.weight", layer.ffnSubNorm));
    }
    std::pair<const char *, TernaryMatrix *> matmuls[] = {
        {"attn_q", &layer.query},  {"attn_k", &layer.key},
        {"attn_v", &layer.value},  {"attn_output", &layer.attnOutput},
        {"ffn_gate", &layer.gate}, {"ffn_up", &layer.up},
        {"ffn_down", &layer.down}};
    for (auto &[name, matrix] : matmuls)
      ASSERT_NO_FATAL_FAILURE(loadTernaryMatrix(file, blk + name, *matrix));
  }
}

/// RMSNorm(x) * gamma: x / sqrt(mean(x^2) + eps), the f32 squares summed in
/// double, then the product with the weight, as ggml_rms_norm + ggml_mul.
std::vector<float> rmsNorm(const std::vector<float> &x,
                           const std::vector<float> &gamma, float epsilon) {
  double sumOfSquares = 0;
  for (float v : x)
    sumOfSquares += static_cast<double>(v * v);
  float mean = static_cast<float>(sumOfSquares / x.size());
  float scale = 1.0f / std::sqrt(mean + epsilon);
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = x[i] * scale * gamma[i];
  return y;
}

/// BitLinear (the I2_S matmul): per-token absmax int8 activations times the
/// trits, the integer dot rescaled by the activation and weight scales.
std::vector<float> bitLinear(const TernaryMatrix &w,
                             const std::vector<float> &x) {
  double amax = 1e-5;
  for (float v : x)
    amax = std::max(amax, std::fabs(static_cast<double>(v)));
  float activationScale = static_cast<float>(127.0 / amax);
  std::vector<int32_t> quantized(x.size());
  for (size_t k = 0; k < x.size(); ++k) {
    // nearbyint rounds half to even in the default rounding mode, as ggml's
    // 1.5*2^23 magic addition does.
    float rounded = std::nearbyint(x[k] * activationScale);
    quantized[k] = static_cast<int32_t>(std::clamp(rounded, -128.0f, 127.0f));
  }
  std::vector<float> y(w.rows);
  for (int64_t r = 0; r < w.rows; ++r) {
    int32_t dot = 0;
    for (int64_t k = 0; k < w.cols; ++k)
      dot += w.trits[r * w.cols + k] * quantized[k];
    y[r] = static_cast<float>(dot) / activationScale * w.scale;
  }
  return y;
}

/// Rotates the first `dims` dimensions of one head vector for `position`:
/// pair j is (j, j + dims/2) for NEOX and (2j, 2j + 1) for NORM, turned by
/// theta_j = position * base^(-2j/dims), computed as ggml_rope_cache_init
/// does, by repeated float multiplication.
void applyRope(float *head, int64_t dims, int64_t position, float base,
               model::RopeKind kind) {
  const float thetaScale = powf(base, -2.0f / static_cast<float>(dims));
  float theta = static_cast<float>(position);
  for (int64_t pair = 0; pair < dims / 2; ++pair) {
    bool neox = kind == model::RopeKind::Neox;
    int64_t first = neox ? pair : 2 * pair;
    int64_t second = neox ? pair + dims / 2 : 2 * pair + 1;
    float cosine = cosf(theta), sine = sinf(theta);
    float x0 = head[first], x1 = head[second];
    head[first] = x0 * cosine - x1 * sine;
    head[second] = x0 * sine + x1 * cosine;
    theta *= thetaScale;
  }
}

/// softmax(scores) in f32 with the sum in double, as ggml_soft_max: the
/// exponentials are multiplied by the f32 reciprocal of the sum.
std::vector<float> softmax(const std::vector<float> &scores) {
  float largest = *std::max_element(scores.begin(), scores.end());
  std::vector<float> probabilities(scores.size());
  double sum = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    probabilities[i] = expf(scores[i] - largest);
    sum += probabilities[i];
  }
  float inverse = static_cast<float>(1.0 / sum);
  for (float &p : probabilities)
    p *= inverse;
  return probabilities;
}

/// The cached keys and values of one sequence: per layer, position-major
/// rows of kvDim values.
struct PlainCache {
  std::vector<std::vector<float>> keys, values;
  int64_t positions = 0;
};

/// Causal grouped-query attention of one token (the last cached position) to
/// every cached position: query head h reads KV head h / (heads / kvHeads),
/// scores scaled by 1/sqrt(headDim).
std::vector<float> attention(const model::HyperParams &p,
                             const std::vector<float> &query,
                             const std::vector<float> &keys,
                             const std::vector<float> &values,
                             int64_t positions, Precision precision) {
  const int64_t headDim = p.headDim(), kvDim = p.kvDim();
  const int64_t group = p.headCount / p.headCountKv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
  std::vector<float> out(query.size());
  for (int64_t h = 0; h < static_cast<int64_t>(p.headCount); ++h) {
    const int64_t kvOffset = (h / group) * headDim;
    std::vector<float> scores(positions);
    for (int64_t t = 0; t < positions; ++t) {
      double dot = 0;
      for (int64_t d = 0; d < headDim; ++d)
        dot += static_cast<double>(query[h * headDim + d]) *
               keys[t * kvDim + kvOffset + d];
      scores[t] = static_cast<float>(dot) * scale;
    }
    std::vector<float> probabilities = softmax(scores);
    if (precision == Precision::F16Cache)
      for (float &probability : probabilities)
        probability = roundToHalf(probability);
    for (int64_t d = 0; d < headDim; ++d) {
      double sum = 0;
      for (int64_t t = 0; t < positions; ++t)
        sum += static_cast<double>(probabilities[t]) *
               values[t * kvDim + kvOffset + d];
      out[h * headDim + d] = static_cast<float>(sum);
    }
  }
  return out;
}

/// The FFN's gated activation: relu(g)^2 * u or silu(g) * u.
std::vector<float> gatedActivation(model::FfnActivation activation,
                                   const std::vector<float> &gate,
                                   const std::vector<float> &up) {
  std::vector<float> out(gate.size());
  for (size_t i = 0; i < gate.size(); ++i) {
    float g = gate[i];
    float activated = activation == model::FfnActivation::Relu2
                          ? std::max(g, 0.0f) * std::max(g, 0.0f)
                          : g / (1.0f + expf(-g));
    out[i] = activated * up[i];
  }
  return out;
}

/// The LM head: logits = head · x, with x rounded to f16 first when the head
/// is F16 (ggml converts the activations to the weight's vec_dot type).
std::vector<float> lmHead(const FloatMatrix &head, std::vector<float> x) {
  if (head.storage == TensorType::F16)
    for (float &v : x)
      v = roundToHalf(v);
  std::vector<float> logits(head.rows);
  for (int64_t r = 0; r < head.rows; ++r) {
    double dot = 0;
    for (int64_t k = 0; k < head.cols; ++k)
      dot += static_cast<double>(head.values[r * head.cols + k]) * x[k];
    logits[r] = static_cast<float>(dot);
  }
  return logits;
}

void addInPlace(std::vector<float> &x, const std::vector<float> &delta) {
  for (size_t i = 0; i < x.size(); ++i)
    x[i] += delta[i];
}

/// Runs one token through the model at the cache's next position, appends
/// its keys and values, and returns its logits.
std::vector<float> forwardToken(const PlainModel &model, int32_t token,
                                PlainCache &cache, Precision precision) {
  const model::HyperParams &p = model.params;
  const float eps = p.rmsEpsilon;
  const int64_t headDim = p.headDim(), position = cache.positions;
  cache.keys.resize(model.layers.size());
  cache.values.resize(model.layers.size());

  std::vector<float> x(
      model.embedding.values.begin() + token * model.embedding.cols,
      model.embedding.values.begin() + (token + 1) * model.embedding.cols);
  for (size_t l = 0; l < model.layers.size(); ++l) {
    const LayerWeights &layer = model.layers[l];
    std::vector<float> h = rmsNorm(x, layer.attnNorm, eps);
    std::vector<float> q = bitLinear(layer.query, h);
    std::vector<float> k = bitLinear(layer.key, h);
    std::vector<float> v = bitLinear(layer.value, h);
    for (uint64_t head = 0; head < p.headCount; ++head)
      applyRope(&q[head * headDim], p.ropeDimensionCount, position,
                p.ropeFreqBase, model.arch->rope);
    for (uint64_t head = 0; head < p.headCountKv; ++head)
      applyRope(&k[head * headDim], p.ropeDimensionCount, position,
                p.ropeFreqBase, model.arch->rope);
    if (precision == Precision::F16Cache)
      for (std::vector<float> *vector : {&q, &k, &v})
        for (float &value : *vector)
          value = roundToHalf(value);
    cache.keys[l].insert(cache.keys[l].end(), k.begin(), k.end());
    cache.values[l].insert(cache.values[l].end(), v.begin(), v.end());

    std::vector<float> a = attention(p, q, cache.keys[l], cache.values[l],
                                     position + 1, precision);
    if (!layer.attnSubNorm.empty())
      a = rmsNorm(a, layer.attnSubNorm, eps);
    addInPlace(x, bitLinear(layer.attnOutput, a));

    h = rmsNorm(x, layer.ffnNorm, eps);
    std::vector<float> f =
        gatedActivation(model.arch->ffnActivation, bitLinear(layer.gate, h),
                        bitLinear(layer.up, h));
    if (!layer.ffnSubNorm.empty())
      f = rmsNorm(f, layer.ffnSubNorm, eps);
    addInPlace(x, bitLinear(layer.down, f));
  }
  cache.positions = position + 1;
  return lmHead(model.head, rmsNorm(x, model.outputNorm, eps));
}

/// The logits of `tokens` fed from position 0, row-major [tokens][vocab].
std::vector<float> plainForward(const PlainModel &model,
                                const std::vector<int32_t> &tokens,
                                Precision precision) {
  PlainCache cache;
  std::vector<float> logits;
  for (int32_t token : tokens) {
    std::vector<float> row = forwardToken(model, token, cache, precision);
    logits.insert(logits.end(), row.begin(), row.end());
  }
  return logits;
}

//===----------------------------------------------------------------------===//
// Fixture
//===----------------------------------------------------------------------===//

/// A synthetic model of one architecture and weight storage.
struct ModelKind {
  std::string arch;
  TensorType weights;
};

std::string kindName(const ModelKind &kind) {
  std::string name =
      kind.arch + "_" + std::string(gguf::typeName(kind.weights));
  std::replace_if(
      name.begin(), name.end(),
      [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

void PrintTo(const ModelKind &kind, std::ostream *out) {
  *out << kindName(kind);
}

const ModelKind kModelKinds[] = {
    {"bitnet-b1.58", TensorType::I2_S},
    {"bitnet", TensorType::TQ2_0},
    {"llama", TensorType::TQ1_0},
    {"llama", TensorType::F16},
};

/// Twelve token ids spread over the 1024-token built-in vocabulary,
/// including its first and last.
const std::vector<int32_t> kPrompt = {1, 517, 42,  1023, 256, 7,
                                      7, 900, 333, 0,    64,  811};

/// Small enough that kPrompt takes a full chunk and a padded one.
constexpr int64_t kPrefillChunk = 8;

/// Writes, opens and imports a synthetic model, and runs it.
class InterpreterFixture {
protected:
  InterpreterFixture() {
    context_.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect>();
  }

  /// Writes and opens the model; the file stays valid for the test.
  void writeModel(const ModelKind &kind) {
    model::SyntheticModelOptions options;
    options.architecture = kind.arch;
    options.weightType = kind.weights;
    model_ = std::make_unique<test::SyntheticModelFile>(options);
    ASSERT_TRUE(model_->file());
    file_ = model_->file();
  }

  /// Imports the open model and prepares an interpreter for it.
  std::unique_ptr<Interpreter> makeInterpreter(const ImportOptions &import,
                                               Precision precision) {
    Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
        importGguf(context_, *file_, import);
    EXPECT_TRUE(module.ok()) << module.error().message();
    if (!module.ok())
      return nullptr;
    modules_.push_back(module.take());
    InterpreterOptions options;
    options.f16Cache = precision == Precision::F16Cache;
    Expected<std::unique_ptr<Interpreter>> interpreter =
        Interpreter::create(*modules_.back(), *file_, options);
    EXPECT_TRUE(interpreter.ok()) << interpreter.error().message();
    return interpreter.ok() ? interpreter.take() : nullptr;
  }

  static ImportOptions chunkedImport() {
    ImportOptions options;
    options.prefillChunk = kPrefillChunk;
    return options;
  }

  mlir::MLIRContext context_;
  std::unique_ptr<test::SyntheticModelFile> model_;
  const GgufFile *file_ = nullptr;
  std::vector<mlir::OwningOpRef<mlir::ModuleOp>> modules_;
};

/// The largest differences between two [tokens][vocab] logit arrays.
struct LogitAgreement {
  /// max |actual - expected| over all logits.
  double maxAbsDiff = 0;
  /// max over rows of max |diff| / max |expected logit| of that row.
  double maxRelativeDiff = 0;
  double minCosine = 1;
};

/// Compares `actual` with `expected` row by row, failing the test for any
/// row outside the bound of the golden tests.
LogitAgreement compareLogits(const std::vector<float> &actual,
                             const std::vector<float> &expected,
                             int64_t vocab) {
  LogitAgreement agreement;
  EXPECT_EQ(actual.size(), expected.size());
  if (actual.size() != expected.size())
    return agreement;
  for (size_t row = 0; row * vocab < expected.size(); ++row) {
    double rowDiff = 0, rowMagnitude = 0, dot = 0, actualNorm = 0,
           expectedNorm = 0;
    for (int64_t i = 0; i < vocab; ++i) {
      double a = actual[row * vocab + i], e = expected[row * vocab + i];
      rowDiff = std::max(rowDiff, std::fabs(a - e));
      rowMagnitude = std::max(rowMagnitude, std::fabs(e));
      dot += a * e;
      actualNorm += a * a;
      expectedNorm += e * e;
    }
    double cosine = dot / std::sqrt(actualNorm * expectedNorm);
    // Both sides perform the same sequence of rounded operations (int8
    // activation codes, f16 roundings, f32 scalings) with their long sums in
    // double, so they may differ only by f32 ulps where libm calls or the
    // order of a sum differ. An ulp that rounds to the same int8 code and the
    // same f16 value leaves the logits within a few f32 ulps: far inside
    // 1e-4 of the row's largest logit (plus 1e-5 absolute for rows of
    // near-zero logits) and a cosine of 1 - 1e-5. An ulp that lands on a
    // rounding boundary of an int8 code or an f16 value is rare with random
    // data but moves the logits by ~1e-3 relative, and fails here on
    // purpose: it means the two disagree on a rounded operation.
    EXPECT_LE(rowDiff, 1e-4 * rowMagnitude + 1e-5) << "token " << row;
    EXPECT_GT(cosine, 0.99999) << "token " << row;
    agreement.maxAbsDiff = std::max(agreement.maxAbsDiff, rowDiff);
    agreement.maxRelativeDiff =
        std::max(agreement.maxRelativeDiff, rowDiff / rowMagnitude);
    agreement.minCosine = std::min(agreement.minCosine, cosine);
  }
  return agreement;
}

/// Runs `tokens` through `interpreter` in a new session, in calls of the
/// sizes `split` (which sums to tokens.size()), and concatenates the logits.
std::vector<float> forwardInCalls(Interpreter &interpreter,
                                  const std::vector<int32_t> &tokens,
                                  const std::vector<size_t> &split) {
  InterpreterSession session = interpreter.newSession();
  std::vector<float> logits;
  size_t begin = 0;
  for (size_t count : split) {
    std::vector<int32_t> call(tokens.begin() + begin,
                              tokens.begin() + begin + count);
    Expected<std::vector<float>> result = interpreter.forward(session, call);
    EXPECT_TRUE(result.ok()) << result.error().message();
    if (!result.ok())
      return {};
    logits.insert(logits.end(), result->begin(), result->end());
    begin += count;
    EXPECT_EQ(session.position(), static_cast<int64_t>(begin));
  }
  EXPECT_EQ(begin, tokens.size());
  return logits;
}

/// Checks that `pieces` (logits of a sequence fed in several calls) agree
/// with `whole` (the same fed in one call) to 1e-4 of each row's largest
/// logit, and returns the largest such relative difference.
double compareSplitLogits(const std::vector<float> &pieces,
                          const std::vector<float> &whole, int64_t vocab) {
  EXPECT_EQ(pieces.size(), whole.size());
  if (pieces.size() != whole.size())
    return INFINITY;
  double worst = 0;
  for (size_t row = 0; row * vocab < whole.size(); ++row) {
    double magnitude = 0, diff = 0;
    for (int64_t i = 0; i < vocab; ++i) {
      magnitude =
          std::max<double>(magnitude, std::fabs(whole[row * vocab + i]));
      diff = std::max<double>(
          diff, std::fabs(pieces[row * vocab + i] - whole[row * vocab + i]));
    }
    EXPECT_LE(diff, 1e-4 * magnitude) << "token " << row;
    worst = std::max(worst, diff / magnitude);
  }
  return worst;
}

//===----------------------------------------------------------------------===//
// Golden: the interpreter against the plain forward pass
//===----------------------------------------------------------------------===//

std::string precisionName(Precision precision) {
  return precision == Precision::F32 ? "f32" : "f16cache";
}

void PrintTo(Precision precision, std::ostream *out) {
  *out << precisionName(precision);
}

using GoldenCase = std::tuple<ModelKind, Precision>;

class InterpreterGoldenTest : public InterpreterFixture,
                              public ::testing::TestWithParam<GoldenCase> {};

TEST_P(InterpreterGoldenTest, LogitsMatchThePlainForwardPass) {
  const auto &[kind, precision] = GetParam();
  ASSERT_NO_FATAL_FAILURE(writeModel(kind));
  PlainModel plain;
  ASSERT_NO_FATAL_FAILURE(loadPlainModel(*file_, plain));
  std::unique_ptr<Interpreter> interpreter =
      makeInterpreter(chunkedImport(), precision);
  ASSERT_TRUE(interpreter);
  ASSERT_EQ(interpreter->vocabSize(),
            static_cast<int64_t>(plain.params.vocabSize));

  InterpreterSession session = interpreter->newSession();
  Expected<std::vector<float>> logits = interpreter->forward(session, kPrompt);
  ASSERT_TRUE(logits.ok()) << logits.error().message();
  EXPECT_EQ(session.position(), static_cast<int64_t>(kPrompt.size()));
  std::vector<float> expected = plainForward(plain, kPrompt, precision);
  LogitAgreement agreement =
      compareLogits(*logits, expected, interpreter->vocabSize());
  std::printf("  max |diff| %.3g, max |diff|/max|logit| %.3g, min cosine "
              "%.9f\n",
              agreement.maxAbsDiff, agreement.maxRelativeDiff,
              agreement.minCosine);
  // The precisions must really differ, or the two cases test one thing.
  Precision other =
      precision == Precision::F32 ? Precision::F16Cache : Precision::F32;
  EXPECT_NE(expected, plainForward(plain, kPrompt, other));
}

std::string goldenCaseName(const ::testing::TestParamInfo<GoldenCase> &info) {
  return kindName(std::get<0>(info.param)) + "_" +
         precisionName(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(
    AllModels, InterpreterGoldenTest,
    ::testing::Combine(::testing::ValuesIn(kModelKinds),
                       ::testing::Values(Precision::F32, Precision::F16Cache)),
    goldenCaseName);

//===----------------------------------------------------------------------===//
// KV cache: the same logits however the sequence is split into calls
//===----------------------------------------------------------------------===//

class InterpreterCacheTest : public InterpreterFixture,
                             public ::testing::TestWithParam<GoldenCase> {};

TEST_P(InterpreterCacheTest, SplittingTheSequenceKeepsTheLogits) {
  const auto &[kind, precision] = GetParam();
  ASSERT_NO_FATAL_FAILURE(writeModel(kind));
  std::unique_ptr<Interpreter> interpreter =
      makeInterpreter(chunkedImport(), precision);
  ASSERT_TRUE(interpreter);
  const int64_t vocab = interpreter->vocabSize();

  std::vector<float> whole =
      forwardInCalls(*interpreter, kPrompt, {kPrompt.size()});
  const std::vector<std::vector<size_t>> splits = {
      // A prefill of 9 (a full chunk and a padded one), then decodes.
      {9, 1, 1, 1},
      // Decodes only.
      std::vector<size_t>(kPrompt.size(), 1),
      // Prefills starting mid-sequence, across a chunk boundary.
      {5, 7},
  };
  for (const std::vector<size_t> &split : splits) {
    std::vector<float> pieces = forwardInCalls(*interpreter, kPrompt, split);
    double worst = compareSplitLogits(pieces, whole, vocab);
    // Every row is computed from the same cache contents by the same
    // operations however the sequence is split, so the logits are not just
    // close but bit-identical.
    EXPECT_EQ(std::memcmp(pieces.data(), whole.data(),
                          whole.size() * sizeof(float)),
              0)
        << "split of " << split.size() << " calls differs by up to " << worst
        << " of the largest logit";
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllModels, InterpreterCacheTest,
    ::testing::Combine(::testing::ValuesIn(kModelKinds),
                       ::testing::Values(Precision::F32, Precision::F16Cache)),
    goldenCaseName);

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

class InterpreterErrorTest : public InterpreterFixture, public ::testing::Test {
protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(writeModel(kModelKinds[0])); }
};

TEST_F(InterpreterErrorTest, ContextOverflowIsAnErrorThatChangesNothing) {
  ImportOptions import = chunkedImport();
  import.contextLength = 16;
  std::unique_ptr<Interpreter> interpreter =
      makeInterpreter(import, Precision::F16Cache);
  ASSERT_TRUE(interpreter);
  ASSERT_EQ(interpreter->contextLength(), 16);

  InterpreterSession fresh = interpreter->newSession();
  std::vector<int32_t> tooMany(17, 5);
  Expected<std::vector<float>> overflow = interpreter->forward(fresh, tooMany);
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.error().message().find("context"), std::string::npos)
      << overflow.error().message();
  EXPECT_EQ(fresh.position(), 0);

  InterpreterSession session = interpreter->newSession();
  ASSERT_TRUE(interpreter->forward(session, kPrompt).ok());
  Expected<std::vector<float>> late =
      interpreter->forward(session, {1, 2, 3, 4, 5});
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message().find("context"), std::string::npos)
      << late.error().message();
  EXPECT_EQ(session.position(), 12);

  // The failed call left the cache usable: the sequence can still fill the
  // context exactly, through a padded last chunk, with the right logits.
  Expected<std::vector<float>> last =
      interpreter->forward(session, {1, 2, 3, 4});
  ASSERT_TRUE(last.ok()) << last.error().message();
  EXPECT_EQ(session.position(), 16);
  std::vector<int32_t> sequence = kPrompt;
  sequence.insert(sequence.end(), {1, 2, 3, 4});
  std::vector<float> whole = forwardInCalls(*interpreter, sequence, {16});
  std::vector<float> lastRows(whole.end() - last->size(), whole.end());
  compareSplitLogits(*last, lastRows, interpreter->vocabSize());
}

TEST_F(InterpreterErrorTest, AModuleThatBreaksTheEntryContractIsAnError) {
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      importGguf(context_, *file_, chunkedImport());
  ASSERT_TRUE(module.ok()) << module.error().message();
  // A @prefill renamed away: no crash, an error naming what is missing.
  auto prefill = (*module)->lookupSymbol<mlir::func::FuncOp>("prefill");
  ASSERT_TRUE(prefill);
  prefill.setName("prefill_elsewhere");
  Expected<std::unique_ptr<Interpreter>> interpreter =
      Interpreter::create(**module, *file_, InterpreterOptions());
  ASSERT_FALSE(interpreter.ok());
  EXPECT_EQ(interpreter.error().message(),
            "not a tern model: a tern model module needs the functions "
            "@decode and @prefill");
}

TEST_F(InterpreterErrorTest, OutOfVocabularyTokenIsAnErrorNamingIt) {
  std::unique_ptr<Interpreter> interpreter =
      makeInterpreter(chunkedImport(), Precision::F16Cache);
  ASSERT_TRUE(interpreter);
  const int32_t vocab = static_cast<int32_t>(interpreter->vocabSize());
  InterpreterSession session = interpreter->newSession();
  ASSERT_TRUE(interpreter->forward(session, {1, 2}).ok());
  for (int32_t bad : {vocab, -1, 1 << 30}) {
    for (std::vector<int32_t> tokens :
         {std::vector<int32_t>{bad}, std::vector<int32_t>{3, bad, 4}}) {
      Expected<std::vector<float>> result =
          interpreter->forward(session, tokens);
      ASSERT_FALSE(result.ok()) << bad;
      EXPECT_NE(result.error().message().find(std::to_string(bad)),
                std::string::npos)
          << result.error().message();
      EXPECT_EQ(session.position(), 2);
    }
  }
}

} // namespace
