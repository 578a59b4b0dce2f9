//===- GgufImporter.cpp - GGUF model -> tern IR ---------------------------===//
//
// First every tensor the architecture defines is looked up and checked (shape
// and storage type, ternary contents and the one scale per tensor), which
// gives each weight its IR type. Then the decode and prefill functions are
// built from the same layer recipe (docs/formats.md §4), each op inferring its
// result type.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GgufImporter.h"

#include "compiler/model/Architecture.h"
#include "compiler/model/ModelCheck.h"
#include "dialects/Tern/IR/TernOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"

#include <map>

namespace ternc {

using gguf::GgufFile;
using gguf::TensorInfo;
using gguf::TensorType;
using model::Architecture;
using model::HyperParams;
using model::TensorRole;
using model::TensorSpec;
using namespace mlir;

namespace {

/// The IR shape of a GGUF tensor: dimensions reversed, outermost first.
SmallVector<int64_t> irShape(const TensorInfo &tensor) {
  SmallVector<int64_t> shape;
  for (uint32_t d = tensor.nDims; d-- > 0;)
    shape.push_back(static_cast<int64_t>(tensor.ne[d]));
  return shape;
}

tern::TernaryStorage ternaryStorage(TensorType type) {
  switch (type) {
  case TensorType::I2_S: return tern::TernaryStorage::I2_S;
  case TensorType::TQ1_0: return tern::TernaryStorage::TQ1_0;
  case TensorType::TQ2_0: return tern::TernaryStorage::TQ2_0;
  case TensorType::F16: return tern::TernaryStorage::F16;
  case TensorType::BF16: return tern::TernaryStorage::BF16;
  default: return tern::TernaryStorage::F32;
  }
}

/// How one GGUF tensor appears in the IR.
struct WeightView {
  Type type;
  /// The file's encoding when the IR element type does not say it.
  StringAttr storage;
};

/// Builds the tern module of one model.
class Importer {
public:
  Importer(MLIRContext &context, const GgufFile &file,
           const Architecture &arch, const HyperParams &params,
           const ImportOptions &options)
      : context_(context), file_(file), arch_(arch), params_(params),
        options_(options) {}

  /// Checks every tensor and computes its IR type.
  Status prepare() {
    int64_t capacity = options_.contextLength
                           ? options_.contextLength
                           : static_cast<int64_t>(params_.contextLength);
    if (capacity <= 0)
      return makeError("{}: the context length ({}) must be positive",
                       file_.name(), capacity);
    if (options_.prefillChunk <= 0 || options_.prefillChunk > capacity)
      return makeError("{}: the prefill chunk ({} tokens) must be between 1 "
                       "and the context length ({})",
                       file_.name(), options_.prefillChunk, capacity);
    cacheType_ = tern::KVCacheType::get(
        &context_, static_cast<int64_t>(params_.blockCount), capacity,
        static_cast<int64_t>(params_.headCountKv),
        static_cast<int64_t>(params_.headDim()), Float16Type::get(&context_));
    // Check every tensor (shape, type) before reading any of them.
    std::vector<TensorSpec> specs = model::tensorSpecs(arch_, params_);
    for (const TensorSpec &spec : specs) {
      Expected<const TensorInfo *> tensor = model::lookUpTensor(file_, spec);
      if (!tensor)
        return makeError("{}: {}", file_.name(), tensor.error().message());
      if (*tensor)
        checked_[spec.name] = *tensor;
    }
    for (const TensorSpec &spec : specs)
      if (checked_.count(spec.name) && spec.role != TensorRole::Scale)
        TERNC_RETURN_IF_ERROR(prepareWeight(spec, *checked_.at(spec.name)));
    return Status::success();
  }

  OwningOpRef<ModuleOp> build() {
    OpBuilder builder(&context_);
    OwningOpRef<ModuleOp> module = ModuleOp::create(nameLoc(file_.name()));
    (*module)->setAttr(tern::kArchitectureAttr,
                       builder.getStringAttr(arch_.name));
    (*module)->setAttr(tern::kHparamsAttr, hyperParamsAttr(builder));
    builder.setInsertionPointToEnd(module->getBody());
    buildEntry(builder, "decode", 1);
    buildEntry(builder, "prefill", options_.prefillChunk);
    return module;
  }

private:
  Location nameLoc(StringRef name) {
    return NameLoc::get(StringAttr::get(&context_, name));
  }

  Status prepareWeight(const TensorSpec &spec, const TensorInfo &tensor) {
    SmallVector<int64_t> shape = irShape(tensor);
    WeightView view;
    if (spec.role == TensorRole::Ternary) {
      const bool floatWeights = tensor.type == TensorType::F32 ||
                                tensor.type == TensorType::F16 ||
                                tensor.type == TensorType::BF16;
      if (options_.numerics == Numerics::LlamaCpp && floatWeights)
        return makeError(
            "{}: tensor '{}' is {}: --numerics=llama.cpp follows llama.cpp's "
            "TQ1_0/TQ2_0 matmuls, and llama.cpp multiplies float weights "
            "unquantized, which ternc does not (its ternary weights always "
            "run on quantized activations); use --numerics=bitnet",
            file_.name(), spec.name, gguf::typeName(tensor.type));
      Expected<float> scale = ternaryScale(spec, tensor);
      if (!scale)
        return scale.error();
      view.type = tern::TernaryType::get(&context_, shape,
                                         ternaryStorage(tensor.type),
                                         APFloat(*scale));
    } else {
      Type element;
      switch (tensor.type) {
      case TensorType::F16: element = Float16Type::get(&context_); break;
      case TensorType::BF16: element = BFloat16Type::get(&context_); break;
      default: element = Float32Type::get(&context_); break;
      }
      // Norms are read as f32 whatever their storage.
      if (spec.role == TensorRole::Norm)
        element = Float32Type::get(&context_);
      view.type = RankedTensorType::get(shape, element);
      bool elementSaysStorage =
          (tensor.type == TensorType::F32 && element.isF32()) ||
          (tensor.type == TensorType::F16 && element.isF16()) ||
          (tensor.type == TensorType::BF16 && element.isBF16());
      if (!elementSaysStorage)
        view.storage = StringAttr::get(&context_, gguf::typeName(tensor.type));
    }
    weights_[spec.name] = view;
    return Status::success();
  }

  /// The one scale of a ternary tensor, times its optional per-matmul
  /// `.scale` tensor (an F32 {1}, checked by lookUpTensor; only
  /// architectures with matmulScales define them).
  Expected<float> ternaryScale(const TensorSpec &spec,
                               const TensorInfo &tensor) {
    model::TernaryContents contents =
        model::scanTernary(tensor, file_.tensorData(tensor));
    // Packing reads the tensor again much later: hold no pages until then.
    file_.releaseTensorData(tensor);
    Status usable = model::checkTernaryContents(tensor, contents);
    if (!usable.ok())
      return makeError("{}: {}", file_.name(), usable.error().message());
    float scale = contents.maxMagnitude;
    std::string scaleName =
        spec.name.substr(0, spec.name.rfind(".weight")) + ".scale";
    auto factor = checked_.find(scaleName);
    if (factor != checked_.end()) {
      float value =
          loadLittleEndian<float>(file_.tensorData(*factor->second).data);
      scale *= value;
      if (!std::isfinite(scale) || !(value > 0))
        return makeError("{}: tensor '{}' holds {}, expected a positive "
                         "factor",
                         file_.name(), scaleName, value);
    }
    return scale;
  }

  DictionaryAttr hyperParamsAttr(OpBuilder &builder) {
    auto integer = [&](uint64_t v) {
      return builder.getI64IntegerAttr(static_cast<int64_t>(v));
    };
    return builder.getDictionaryAttr({
        builder.getNamedAttr("block_count", integer(params_.blockCount)),
        builder.getNamedAttr("context_length", integer(params_.contextLength)),
        builder.getNamedAttr("embedding_length",
                             integer(params_.embeddingLength)),
        builder.getNamedAttr("feed_forward_length",
                             integer(params_.feedForwardLength)),
        builder.getNamedAttr("head_count", integer(params_.headCount)),
        builder.getNamedAttr("head_count_kv", integer(params_.headCountKv)),
        builder.getNamedAttr("rms_epsilon",
                             builder.getF32FloatAttr(params_.rmsEpsilon)),
        builder.getNamedAttr("rope_dimension_count",
                             integer(params_.ropeDimensionCount)),
        builder.getNamedAttr("rope_freq_base",
                             builder.getF32FloatAttr(params_.ropeFreqBase)),
        builder.getNamedAttr("vocab_size", integer(params_.vocabSize)),
    });
  }

  Value weight(OpBuilder &builder, const std::string &name) {
    const WeightView &view = weights_.at(name);
    return builder.create<tern::WeightOp>(nameLoc(name), view.type,
                                          builder.getStringAttr(name),
                                          view.storage);
  }

  Value rmsNorm(OpBuilder &builder, Value input, const std::string &gamma) {
    return builder.create<tern::RMSNormOp>(
        nameLoc(gamma), input, weight(builder, gamma),
        builder.getF32FloatAttr(params_.rmsEpsilon));
  }

  Value bitLinear(OpBuilder &builder, Value input, const std::string &name) {
    Value matrix = weight(builder, name);
    tern::TernaryStorage storage =
        cast<tern::TernaryType>(matrix.getType()).getStorage();
    const bool llamaCppBlocks = options_.numerics == Numerics::LlamaCpp &&
                                (storage == tern::TernaryStorage::TQ1_0 ||
                                 storage == tern::TernaryStorage::TQ2_0);
    return builder
        .create<tern::BitLinearOp>(nameLoc(name), input, ValueRange{matrix},
                                   llamaCppBlocks
                                       ? tern::ActivationQuant::Q8K
                                       : tern::ActivationQuant::PerToken)
        .getResult(0);
  }

  Value rope(OpBuilder &builder, Value input, Value position, Location loc) {
    tern::RopeKind kind = arch_.rope == model::RopeKind::Neox
                              ? tern::RopeKind::Neox
                              : tern::RopeKind::Norm;
    return builder.create<tern::RopeOp>(loc, input, position, kind,
                                        APFloat(params_.ropeFreqBase),
                                        params_.ropeDimensionCount,
                                        params_.headDim());
  }

  /// One transformer block; returns the new residual stream.
  Value buildLayer(OpBuilder &builder, Value x, Value position, Value cache,
                   uint64_t layer) {
    std::string blk = "blk." + std::to_string(layer) + ".";
    auto w = [&](const char *name) { return blk + name + ".weight"; };

    Value h = rmsNorm(builder, x, w("attn_norm"));
    Value q = bitLinear(builder, h, w("attn_q"));
    Value k = bitLinear(builder, h, w("attn_k"));
    Value v = bitLinear(builder, h, w("attn_v"));
    Location attnLoc = nameLoc(blk + "attn");
    q = rope(builder, q, position, attnLoc);
    k = rope(builder, k, position, attnLoc);
    Value a = builder.create<tern::AttentionOp>(attnLoc, q, k, v, cache,
                                                position, layer);
    if (arch_.subNorms)
      a = rmsNorm(builder, a, w("attn_sub_norm"));
    x = builder.create<tern::AddOp>(attnLoc, x,
                                    bitLinear(builder, a, w("attn_output")));

    h = rmsNorm(builder, x, w("ffn_norm"));
    Value gate = bitLinear(builder, h, w("ffn_gate"));
    Value up = bitLinear(builder, h, w("ffn_up"));
    Location ffnLoc = nameLoc(blk + "ffn");
    Value activated =
        arch_.ffnActivation == model::FfnActivation::Relu2
            ? builder.create<tern::Relu2Op>(ffnLoc, gate).getResult()
            : builder.create<tern::SiluOp>(ffnLoc, gate).getResult();
    Value f = builder.create<tern::MulOp>(ffnLoc, activated, up);
    if (arch_.subNorms)
      f = rmsNorm(builder, f, w("ffn_sub_norm"));
    return builder.create<tern::AddOp>(ffnLoc, x,
                                       bitLinear(builder, f, w("ffn_down")));
  }

  void buildEntry(OpBuilder &builder, StringRef name, int64_t tokens) {
    Type tokenType =
        RankedTensorType::get({tokens}, builder.getIntegerType(32));
    Type logitsType = RankedTensorType::get(
        {tokens, static_cast<int64_t>(params_.vocabSize)},
        builder.getF32Type());
    auto function = builder.create<func::FuncOp>(
        nameLoc(name), name,
        builder.getFunctionType(
            {tokenType, builder.getIndexType(), cacheType_}, {logitsType}));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(function.addEntryBlock());
    Value tokenIds = function.getArgument(0);
    Value position = function.getArgument(1);
    Value cache = function.getArgument(2);

    Value x = builder.create<tern::EmbedOp>(
        nameLoc("token_embd"), weight(builder, "token_embd.weight"), tokenIds);
    for (uint64_t layer = 0; layer < params_.blockCount; ++layer)
      x = buildLayer(builder, x, position, cache, layer);
    Value h = rmsNorm(builder, x, "output_norm.weight");
    // The LM head is output.weight when present, else tied to token_embd.
    std::string head = weights_.count("output.weight") ? "output.weight"
                                                       : "token_embd.weight";
    Value logits = builder.create<tern::LinearOp>(nameLoc("output"), h,
                                                  weight(builder, head));
    builder.create<func::ReturnOp>(nameLoc(name), logits);
  }

  MLIRContext &context_;
  const GgufFile &file_;
  const Architecture &arch_;
  const HyperParams &params_;
  const ImportOptions &options_;
  tern::KVCacheType cacheType_;
  /// The tensors of the architecture's specs present in the file, checked.
  std::map<std::string, const TensorInfo *> checked_;
  std::map<std::string, WeightView> weights_;
};

} // namespace

Expected<OwningOpRef<ModuleOp>> importGguf(MLIRContext &context,
                                           const GgufFile &file,
                                           const ImportOptions &options) {
  std::string_view archName = file.architecture();
  const Architecture *arch = model::findArchitecture(archName);
  if (!arch)
    return makeError("{}: unknown architecture '{}' (ternc imports "
                     "bitnet-b1.58 (alias bitnet-25), bitnet and llama)",
                     file.name(), archName);
  Expected<HyperParams> params = model::readHyperParams(file, *arch);
  if (!params)
    return params.error();
  Importer importer(context, file, *arch, *params, options);
  TERNC_RETURN_IF_ERROR(importer.prepare());
  OwningOpRef<ModuleOp> module = importer.build();
  if (failed(verify(*module)))
    return makeError("{}: the imported module does not verify (a ternc bug; "
                     "the diagnostics above say where)",
                     file.name());
  return module;
}

} // namespace ternc
