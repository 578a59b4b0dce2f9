//===- LowerToKernels.cpp - tern ops -> calls of the runtime's entries ----===//
//
// Each planned function becomes a function of one `TernStep *` that calls
// one `tern_exec_*` entry (runtime/model/ModelAbi.h) per op, on pointers into
// the step's arena, the packed weights and the logits. It is a dialect
// conversion: a type converter turns tensors (and the KV cache) into
// pointers and indices into i64, and one pattern per op emits its calls on
// the converted operands (OpAdaptor), so a value reaches a kernel only
// through the op that reads it. The entry arguments become the step's
// fields. What the patterns rely on (planned offsets, I2_S weights, kernel
// element types) is checked first, with a diagnostic naming the pass to run.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "compiler/transforms/ArenaLayout.h"
#include "dialects/Tern/IR/ModelEntryPoints.h"
#include "dialects/Tern/IR/TernOps.h"
#include "runtime/model/ModelAbi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/DenseMap.h"

#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <tuple>

namespace mlir::tern {
#define GEN_PASS_DEF_TERNLOWERTOKERNELS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

/// Fields of TernStep, in declaration order: the struct has eight 8-byte
/// fields.
enum StepField : int32_t {
  kExec,
  kWeights,
  kArena,
  kTokens,
  kPosition,
  kValidTokens,
  kLogits,
  kLastLogitsOnly,
  kStepFields
};
// loadStep reads pointers and i64s by these indices: each field is checked
// for its place and, where it is an integer, its type.
static_assert(sizeof(TernStep) == kStepFields * 8 &&
                  offsetof(TernStep, exec) == kExec * 8 &&
                  offsetof(TernStep, weights) == kWeights * 8 &&
                  offsetof(TernStep, arena) == kArena * 8 &&
                  offsetof(TernStep, tokens) == kTokens * 8 &&
                  offsetof(TernStep, position) == kPosition * 8 &&
                  offsetof(TernStep, valid_tokens) == kValidTokens * 8 &&
                  offsetof(TernStep, logits) == kLogits * 8 &&
                  offsetof(TernStep, last_logits_only) == kLastLogitsOnly * 8,
              "StepField must follow TernStep");
static_assert(std::is_same_v<decltype(TernStep::position), int64_t> &&
                  std::is_same_v<decltype(TernStep::valid_tokens), int64_t> &&
                  std::is_same_v<decltype(TernStep::last_logits_only),
                                 int64_t>,
              "loadStep loads these TernStep fields as i64");
// lowerBitLinear stores {ptr, i64, f32, ptr} parts.
static_assert(sizeof(TernBitLinearPart) == 32 &&
                  offsetof(TernBitLinearPart, weights) == 0 &&
                  offsetof(TernBitLinearPart, rows) == 8 &&
                  std::is_same_v<decltype(TernBitLinearPart::rows), int64_t> &&
                  offsetof(TernBitLinearPart, weight_scale) == 16 &&
                  std::is_same_v<decltype(TernBitLinearPart::weight_scale),
                                 float> &&
                  offsetof(TernBitLinearPart, y) == 24,
              "lowerBitLinear's part struct must follow TernBitLinearPart");

/// The names of the compiled functions for @decode and @prefill.
StringRef compiledName(StringRef function) {
  return function == "decode" ? "tern_model_decode" : "tern_model_prefill";
}

/// Rows and columns of a 2-D tensor value.
std::pair<int64_t, int64_t> matrixShape(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return {type.getDimSize(0), type.getDimSize(1)};
}

/// The TernStep fields of each compiled function, loaded at its entry.
using StepFields = std::array<Value, kStepFields>;
using StepFieldsByFunction = llvm::DenseMap<Operation *, StepFields>;

/// tern's values as compiled code holds them: a tensor (activations, token
/// ids, weights of any encoding) is a pointer to its first byte, an index an
/// i64; the KV cache, which the executor owns, an opaque pointer.
class KernelTypeConverter : public TypeConverter {
public:
  explicit KernelTypeConverter(MLIRContext *context) {
    auto pointer = LLVM::LLVMPointerType::get(context);
    addConversion([](Type type) { return type; });
    addConversion([pointer](RankedTensorType) { return pointer; });
    addConversion([pointer](TernaryType) { return pointer; });
    addConversion([pointer](KVCacheType) { return pointer; });
    addConversion(
        [context](IndexType) { return IntegerType::get(context, 64); });
    auto cast = [](OpBuilder &builder, Type type, ValueRange inputs,
                   Location loc) -> std::optional<Value> {
      return builder.create<UnrealizedConversionCastOp>(loc, type, inputs)
          .getResult(0);
    };
    addSourceMaterialization(cast);
    addTargetMaterialization(cast);
  }
};

/// Emits the calls of one op at the rewriter's insertion point: constants,
/// pointer arithmetic on the step's fields, and `tern_exec_*` calls.
class KernelCalls {
public:
  KernelCalls(Operation *op, ConversionPatternRewriter &rewriter,
              const StepFields &step)
      : op_(op), builder_(rewriter), loc_(op->getLoc()), step_(step) {}

  Value field(StepField field) const { return step_[field]; }
  OpBuilder &builder() { return builder_; }
  Location loc() const { return loc_; }
  Type ptrType() { return LLVM::LLVMPointerType::get(builder_.getContext()); }
  Value i64(int64_t value) {
    return builder_.create<arith::ConstantIntOp>(loc_, value, 64);
  }
  Value f32(float value) {
    return builder_.create<arith::ConstantFloatOp>(loc_, APFloat(value),
                                                   builder_.getF32Type());
  }
  /// `base` + `offset` bytes.
  Value byteOffset(Value base, int64_t offset) {
    return builder_.create<LLVM::GEPOp>(loc_, ptrType(), builder_.getI8Type(),
                                        base, ValueRange{i64(offset)});
  }
  /// Calls the runtime entry `name` on the executor and `arguments`,
  /// declaring it on first use (ModelAbiTest checks every declaration
  /// against ModelAbi.h's prototype).
  void call(StringRef name, ArrayRef<Value> arguments);

  /// The rows to compute of a tensor of `tokens` rows: a multi-token
  /// function computes only the step's valid tokens (the padding rows of a
  /// short prompt are never read: every op but attention works row by row,
  /// and attention reads the valid rows' keys and values only).
  Value rowsToCompute(int64_t tokens) {
    return tokens == 1 ? i64(1) : step_[kValidTokens];
  }
  /// rowsToCompute(rows of `value`) times its row length: the element count
  /// of an elementwise op.
  Value elementsToCompute(Value value) {
    auto [tokens, features] = matrixShape(value);
    return builder_.create<arith::MulIOp>(loc_, rowsToCompute(tokens),
                                          i64(features));
  }
  /// Where the op's results go: the arena at their planned offsets, or the
  /// step's logits for the value the function returns.
  SmallVector<Value> placeResults();
  /// The int8 rows and scales in the op's quantization scratch.
  std::pair<Value, Value> quantizedScratch();
  /// The row scales of the #tern.row_scaled weight `weight` (a tern.weight,
  /// checked before the conversion).
  Value rowScalesOf(Value weight) {
    auto scales = weight.getDefiningOp()->getAttrOfType<IntegerAttr>(
        tern::kRowScalesOffsetAttr);
    return byteOffset(step_[kWeights], scales.getInt());
  }
  /// For the LM head of a multi-token function: the input row, output row
  /// and token count to use, which are the last valid row and 1 when the
  /// step asks for the last logits only, else the whole tensors.
  std::tuple<Value, Value, Value>
  lastRowWhenAsked(Value input, int64_t inputWidth, Value output,
                   int64_t outputWidth, int64_t tokens);

private:
  Operation *op_;
  ConversionPatternRewriter &builder_;
  Location loc_;
  const StepFields &step_;
};

/// Whether `value` is what its function returns (the logits).
bool isReturned(Value value) {
  return llvm::any_of(value.getUsers(),
                      [](Operation *user) { return isa<func::ReturnOp>(user); });
}

void KernelCalls::call(StringRef name, ArrayRef<Value> arguments) {
  SmallVector<Value> operands = {step_[kExec]};
  operands.append(arguments.begin(), arguments.end());
  auto module = op_->getParentOfType<ModuleOp>();
  if (!module.lookupSymbol<func::FuncOp>(name)) {
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToEnd(module.getBody());
    auto type = builder_.getFunctionType(ValueRange(operands).getTypes(), {});
    auto declaration = builder_.create<func::FuncOp>(loc_, name, type);
    declaration.setPrivate();
  }
  builder_.create<func::CallOp>(loc_, name, TypeRange{}, operands);
}

SmallVector<Value> KernelCalls::placeResults() {
  auto offsets = op_->getAttrOfType<DenseI64ArrayAttr>(tern::kArenaOffsetsAttr);
  SmallVector<Value> pointers;
  for (auto [result, offset] :
       llvm::zip(op_->getResults(), offsets.asArrayRef()))
    pointers.push_back(isReturned(result) ? step_[kLogits]
                                          : byteOffset(step_[kArena], offset));
  return pointers;
}

std::pair<Value, Value> KernelCalls::quantizedScratch() {
  auto offset = op_->getAttrOfType<IntegerAttr>(tern::kScratchOffsetAttr);
  Value rows = byteOffset(step_[kArena], offset.getInt());
  return {rows, byteOffset(rows, quantizedRowsScratch(op_).scalesOffset)};
}

std::tuple<Value, Value, Value>
KernelCalls::lastRowWhenAsked(Value input, int64_t inputWidth, Value output,
                              int64_t outputWidth, int64_t tokens) {
  Value asked = builder_.create<arith::CmpIOp>(loc_, arith::CmpIPredicate::ne,
                                               step_[kLastLogitsOnly], i64(0));
  Value lastRow =
      builder_.create<arith::SubIOp>(loc_, step_[kValidTokens], i64(1));
  auto rowOf = [&](Value base, int64_t width) {
    Value bytes = builder_.create<arith::MulIOp>(
        loc_, lastRow, i64(width * static_cast<int64_t>(sizeof(float))));
    Value offset = builder_.create<arith::SelectOp>(loc_, asked, bytes, i64(0));
    return builder_
        .create<LLVM::GEPOp>(loc_, ptrType(), builder_.getI8Type(), base,
                             ValueRange{offset})
        .getResult();
  };
  Value count = builder_.create<arith::SelectOp>(loc_, asked, i64(1),
                                                 rowsToCompute(tokens));
  return {rowOf(input, inputWidth), rowOf(output, outputWidth), count};
}

/// The base of the patterns that turn a computing op into kernel calls: it
/// places the results, has `emitCalls` emit the calls on the converted
/// operands, and replaces the op by its results' pointers.
template <typename SourceOp>
class KernelCallPattern : public OpConversionPattern<SourceOp> {
public:
  using OpAdaptor = typename OpConversionPattern<SourceOp>::OpAdaptor;

  KernelCallPattern(const TypeConverter &converter, MLIRContext *context,
                    const StepFieldsByFunction &steps)
      : OpConversionPattern<SourceOp>(converter, context), steps_(steps) {}

  LogicalResult
  matchAndRewrite(SourceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const final {
    auto function = op->template getParentOfType<func::FuncOp>();
    auto step = steps_.find(function);
    if (step == steps_.end())
      return rewriter.notifyMatchFailure(op, "not in a compiled function");
    KernelCalls calls(op, rewriter, step->second);
    SmallVector<Value> results = calls.placeResults();
    emitCalls(op, adaptor, calls, results);
    rewriter.replaceOp(op, results);
    return success();
  }

protected:
  /// Emits the calls that compute `op` into `results`.
  virtual void emitCalls(SourceOp op, OpAdaptor adaptor, KernelCalls &calls,
                         ValueRange results) const = 0;

private:
  const StepFieldsByFunction &steps_;
};

/// tern.weight: a pointer into the packed weights at its planned offset.
class WeightLowering : public OpConversionPattern<WeightOp> {
public:
  WeightLowering(const TypeConverter &converter, MLIRContext *context,
                 const StepFieldsByFunction &steps)
      : OpConversionPattern(converter, context), steps_(steps) {}

  LogicalResult
  matchAndRewrite(WeightOp weight, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto step = steps_.find(weight->getParentOfType<func::FuncOp>());
    if (step == steps_.end())
      return rewriter.notifyMatchFailure(weight, "not in a compiled function");
    KernelCalls calls(weight, rewriter, step->second);
    auto offset = weight->getAttrOfType<IntegerAttr>(tern::kWeightOffsetAttr);
    rewriter.replaceOp(weight,
                       calls.byteOffset(calls.field(kWeights), offset.getInt()));
    return success();
  }

private:
  const StepFieldsByFunction &steps_;
};

/// Quantizes (and for `gamma`, normalizes) `input` into the op's scratch as
/// `activations` says, then multiplies it by all the weights, rows
/// concatenated, in one call that writes each weight's rows into its result.
void emitBitLinear(KernelCalls &calls, Value input, Value inputPointer,
                   Value gammaPointer, std::optional<float> epsilon,
                   ActivationQuant activations, ValueRange weights,
                   ValueRange weightPointers, ValueRange results) {
  OpBuilder &builder = calls.builder();
  Location loc = calls.loc();
  auto [rows, scales] = calls.quantizedScratch();
  auto [tokens, features] = matrixShape(input);
  // The entries of the activations' quantization: _i8 per token, _q8k per
  // block of 256.
  const bool blocks = activations == ActivationQuant::Q8K;
  if (gammaPointer)
    calls.call(blocks ? "tern_exec_rms_norm_quantize_q8k"
                      : "tern_exec_rms_norm_quantize_i8",
               {inputPointer, gammaPointer, calls.rowsToCompute(tokens),
                calls.i64(features), calls.f32(*epsilon), rows, scales});
  else
    calls.call(blocks ? "tern_exec_quantize_rows_q8k"
                      : "tern_exec_quantize_rows_i8",
               {inputPointer, calls.rowsToCompute(tokens), calls.i64(features),
                rows, scales});
  // One TernBitLinearPart per weight, on the stack, and one call for all.
  Type ptr = calls.ptrType();
  auto partType = LLVM::LLVMStructType::getLiteral(
      builder.getContext(),
      {ptr, builder.getI64Type(), builder.getF32Type(), ptr});
  Value parts = builder.create<LLVM::AllocaOp>(
      loc, ptr, partType, calls.i64(static_cast<int64_t>(weights.size())));
  for (auto [index, weight, pointer, result] :
       llvm::enumerate(weights, weightPointers, results)) {
    auto type = cast<TernaryType>(weight.getType());
    Value fields[] = {pointer, calls.i64(type.getOutFeatures()),
                      calls.f32(type.getScaleValue()), result};
    for (auto [field, value] : llvm::enumerate(fields)) {
      Value address = builder.create<LLVM::GEPOp>(
          loc, ptr, partType, parts,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index),
                                 static_cast<int32_t>(field)});
      builder.create<LLVM::StoreOp>(loc, value, address);
    }
  }
  calls.call(blocks ? "tern_exec_bitlinear_i2s_q8k" : "tern_exec_bitlinear_i2s",
             {rows, scales, calls.rowsToCompute(tokens), calls.i64(features),
              calls.i64(static_cast<int64_t>(weights.size())), parts});
}

/// A pattern whose constructor is KernelCallPattern's.
#define TERN_KERNEL_PATTERN(Name, SourceOp)                                    \
  class Name : public KernelCallPattern<SourceOp> {                            \
  public:                                                                      \
    using KernelCallPattern::KernelCallPattern;                                \
                                                                               \
  protected:                                                                   \
    void emitCalls(SourceOp op, OpAdaptor adaptor, KernelCalls &calls,         \
                   ValueRange results) const override;                         \
  };

TERN_KERNEL_PATTERN(EmbedLowering, EmbedOp)
TERN_KERNEL_PATTERN(RMSNormLowering, RMSNormOp)
TERN_KERNEL_PATTERN(BitLinearLowering, BitLinearOp)
TERN_KERNEL_PATTERN(RMSNormBitLinearLowering, RMSNormBitLinearOp)
TERN_KERNEL_PATTERN(LinearLowering, LinearOp)
TERN_KERNEL_PATTERN(RopeLowering, RopeOp)
TERN_KERNEL_PATTERN(AttentionLowering, AttentionOp)
#undef TERN_KERNEL_PATTERN

void EmbedLowering::emitCalls(EmbedOp embed, OpAdaptor adaptor,
                              KernelCalls &calls, ValueRange results) const {
  auto [tokens, features] = matrixShape(embed.getResult());
  Type tableType = embed.getTable().getType();
  if (isRowScaled(tableType)) {
    calls.call(isRowScaledQ4(tableType) ? "tern_exec_embed_q4"
                                        : "tern_exec_embed_i8",
               {adaptor.getTable(), calls.rowScalesOf(embed.getTable()),
                adaptor.getTokens(), calls.rowsToCompute(tokens),
                calls.i64(features), results[0]});
    return;
  }
  bool half = cast<RankedTensorType>(tableType).getElementType().isF16();
  calls.call(half ? "tern_exec_embed_f16" : "tern_exec_embed_f32",
             {adaptor.getTable(), adaptor.getTokens(),
              calls.rowsToCompute(tokens), calls.i64(features), results[0]});
}

void RMSNormLowering::emitCalls(RMSNormOp norm, OpAdaptor adaptor,
                                KernelCalls &calls, ValueRange results) const {
  auto [tokens, features] = matrixShape(norm.getInput());
  calls.call("tern_exec_rms_norm_f32",
             {adaptor.getInput(), adaptor.getGamma(),
              calls.rowsToCompute(tokens), calls.i64(features),
              calls.f32(norm.getEpsilon().convertToFloat()), results[0]});
}

void BitLinearLowering::emitCalls(BitLinearOp matmul, OpAdaptor adaptor,
                                  KernelCalls &calls,
                                  ValueRange results) const {
  emitBitLinear(calls, matmul.getInput(), adaptor.getInput(), Value(),
                std::nullopt, matmul.getActivations(), matmul.getWeights(),
                adaptor.getWeights(), results);
}

void RMSNormBitLinearLowering::emitCalls(RMSNormBitLinearOp fused,
                                         OpAdaptor adaptor, KernelCalls &calls,
                                         ValueRange results) const {
  emitBitLinear(calls, fused.getInput(), adaptor.getInput(),
                adaptor.getGamma(), fused.getEpsilon().convertToFloat(),
                fused.getActivations(), fused.getWeights(),
                adaptor.getWeights(), results);
}

void LinearLowering::emitCalls(LinearOp matmul, OpAdaptor adaptor,
                               KernelCalls &calls, ValueRange results) const {
  auto [tokens, in] = matrixShape(matmul.getInput());
  auto [rows, columns] = matrixShape(matmul.getWeight());
  Type weightType = matmul.getWeight().getType();
  Value input = adaptor.getInput();
  Value output = results[0];
  Value count = calls.rowsToCompute(tokens);
  if (isReturned(matmul.getResult()) && tokens > 1)
    std::tie(input, output, count) =
        calls.lastRowWhenAsked(input, in, output, rows, tokens);
  if (!isRowScaled(weightType)) {
    bool half = cast<RankedTensorType>(weightType).getElementType().isF16();
    calls.call(half ? "tern_exec_linear_f16" : "tern_exec_linear_f32",
               {input, adaptor.getWeight(), count, calls.i64(in),
                calls.i64(rows), output, calls.i64(rows)});
    return;
  }
  auto [quantized, scales] = calls.quantizedScratch();
  calls.call("tern_exec_quantize_rows_i8",
             {input, count, calls.i64(in), quantized, scales});
  calls.call(isRowScaledQ4(weightType) ? "tern_exec_linear_q4"
                                       : "tern_exec_linear_i8",
             {quantized, scales, adaptor.getWeight(),
              calls.rowScalesOf(matmul.getWeight()), count, calls.i64(in),
              calls.i64(rows), output, calls.i64(rows)});
}

void RopeLowering::emitCalls(RopeOp rope, OpAdaptor adaptor,
                             KernelCalls &calls, ValueRange results) const {
  auto [tokens, features] = matrixShape(rope.getInput());
  calls.call(rope.getKind() == RopeKind::Neox ? "tern_exec_rope_neox_f32"
                                              : "tern_exec_rope_norm_f32",
             {adaptor.getInput(), results[0], calls.rowsToCompute(tokens),
              calls.i64(features), calls.i64(rope.getHeadDim()),
              calls.i64(rope.getDims()), adaptor.getPosition(),
              calls.f32(rope.getBase().convertToFloat())});
}

void AttentionLowering::emitCalls(AttentionOp attention, OpAdaptor adaptor,
                                  KernelCalls &calls,
                                  ValueRange results) const {
  // The cache operand is the executor's: the entry reads it by layer.
  auto [tokens, width] = matrixShape(attention.getQuery());
  KVCacheType cache = attention.getCache().getType();
  calls.call("tern_exec_attention",
             {adaptor.getQuery(), adaptor.getKey(), adaptor.getValue(),
              calls.rowsToCompute(tokens), calls.field(kValidTokens),
              adaptor.getPosition(), calls.i64(width / cache.getHeadDim()),
              calls.i64(cache.getKvHeads()), calls.i64(cache.getHeadDim()),
              calls.i64(attention.getLayer()), results[0]});
}

/// An elementwise op: one entry on its operands and element count.
template <typename SourceOp>
class ElementwiseLowering : public KernelCallPattern<SourceOp> {
public:
  using OpAdaptor = typename KernelCallPattern<SourceOp>::OpAdaptor;

  ElementwiseLowering(const TypeConverter &converter, MLIRContext *context,
                      const StepFieldsByFunction &steps, StringRef entry)
      : KernelCallPattern<SourceOp>(converter, context, steps), entry_(entry) {}

protected:
  void emitCalls(SourceOp op, OpAdaptor adaptor, KernelCalls &calls,
                 ValueRange results) const override {
    SmallVector<Value> arguments(adaptor.getOperands());
    arguments.push_back(calls.elementsToCompute(op->getResult(0)));
    arguments.push_back(results[0]);
    calls.call(entry_, arguments);
  }

private:
  StringRef entry_;
};

/// The compiled function returns nothing: its logits are in the step.
class ReturnLowering : public OpConversionPattern<func::ReturnOp> {
public:
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(func::ReturnOp ret, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<func::ReturnOp>(ret);
    return success();
  }
};

/// Checks what the patterns rely on, so that unplanned or unsupported IR
/// gets a diagnostic naming what to run rather than a failed legalization.
LogicalResult checkLowerable(func::FuncOp function) {
  Block &body = function.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret || ret.getNumOperands() != 1 || !ret.getOperand(0).getDefiningOp())
    return function.emitError("must return one computed tensor (the logits)");
  for (Operation &op : body.without_terminator()) {
    if (!isa<TernDialect>(op.getDialect()))
      return op.emitError("tern-lower-to-kernels cannot lower this op");
    if (auto weight = dyn_cast<WeightOp>(op)) {
      if (!weight->getAttrOfType<IntegerAttr>(tern::kWeightOffsetAttr))
        return weight.emitError("weight '")
               << weight.getTensor()
               << "' has no tern.weight_offset: run tern-plan-weights first";
      if (isRowScaled(weight.getType()) &&
          !weight->getAttrOfType<IntegerAttr>(tern::kRowScalesOffsetAttr))
        return weight.emitError("weight '")
               << weight.getTensor()
               << "' has no tern.row_scales_offset: run tern-plan-weights "
                  "first";
      continue;
    }
    auto offsets = op.getAttrOfType<DenseI64ArrayAttr>(tern::kArenaOffsetsAttr);
    if (!offsets || offsets.size() != static_cast<int64_t>(op.getNumResults()))
      return op.emitError("has no arena offsets: run tern-plan-memory first");
    bool bitLinear = isa<BitLinearOp, RMSNormBitLinearOp>(op);
    auto linear = dyn_cast<LinearOp>(op);
    bool rowScaled = linear && isRowScaled(linear.getWeight().getType());
    if ((bitLinear || rowScaled) &&
        !op.getAttrOfType<IntegerAttr>(tern::kScratchOffsetAttr))
      return op.emitError(
          "has no scratch offset: run tern-plan-memory first");
    if (bitLinear)
      for (Value weight : op.getOperands().drop_front())
        if (auto type = dyn_cast<TernaryType>(weight.getType());
            type && type.getStorage() != TernaryStorage::I2_S)
          return op.emitError("no kernel reads ")
                 << stringifyTernaryStorage(type.getStorage())
                 << " weights: run tern-select-weight-layout first";
    if (linear && !rowScaled) {
      Type element =
          cast<RankedTensorType>(linear.getWeight().getType()).getElementType();
      if (!element.isF16() && !element.isF32())
        return linear.emitError("no kernel multiplies by a ")
               << element << " matrix";
    }
  }
  return success();
}

/// Moves `source`'s body into a new function of one `TernStep *` that
/// loads the step's fields first; the entry arguments become those fields
/// (tokens, position; the cache is the executor's). Returns the new
/// function and its fields.
std::pair<func::FuncOp, StepFields> beginCompiledFunction(func::FuncOp source) {
  OpBuilder builder(source);
  Location loc = source.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(builder.getContext());
  auto function = builder.create<func::FuncOp>(
      loc, compiledName(source.getName()), builder.getFunctionType({ptr}, {}));
  function->setAttr(tern::kArenaSizeAttr,
                    source->getAttr(tern::kArenaSizeAttr));
  Block *entry = function.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  auto stepType = LLVM::LLVMStructType::getLiteral(
      builder.getContext(), {ptr, ptr, ptr, ptr, builder.getI64Type(),
                             builder.getI64Type(), ptr, builder.getI64Type()});
  StepFields step;
  for (int32_t field = 0; field < kStepFields; ++field) {
    Type type =
        field == kPosition || field == kValidTokens || field == kLastLogitsOnly
            ? Type(builder.getI64Type())
            : Type(ptr);
    Value address =
        builder.create<LLVM::GEPOp>(loc, ptr, stepType, entry->getArgument(0),
                                    ArrayRef<LLVM::GEPArg>{0, field});
    step[field] = builder.create<LLVM::LoadOp>(loc, type, address);
  }
  Block &body = source.getBody().front();
  // The arguments as the step's fields, in their tern types until the
  // conversion gives the ops the fields themselves.
  Value cache = builder.create<LLVM::ZeroOp>(loc, ptr);
  Value fields[] = {step[kTokens], step[kPosition], cache};
  for (auto [argument, field] : llvm::zip(body.getArguments(), fields))
    argument.replaceAllUsesWith(
        builder
            .create<UnrealizedConversionCastOp>(loc, argument.getType(), field)
            .getResult(0));
  entry->getOperations().splice(entry->end(), body.getOperations());
  return {function, step};
}

/// Folds the casts the conversion leaves (a field cast to a tern type and
/// back) and erases what nothing uses any more.
void removeConversionCasts(func::FuncOp function) {
  function.walk([](UnrealizedConversionCastOp cast) {
    auto input = cast.getInputs().size() == 1
                     ? cast.getInputs()[0].getDefiningOp<
                           UnrealizedConversionCastOp>()
                     : UnrealizedConversionCastOp();
    if (input && input.getInputs().size() == 1 &&
        input.getInputs()[0].getType() == cast.getResult(0).getType())
      cast.getResult(0).replaceAllUsesWith(input.getInputs()[0]);
  });
  // Users come after what they use: erasing backwards frees each cast's
  // input (a field cast, the cache's null pointer) before it is reached.
  SmallVector<Operation *> candidates;
  function.walk([&](Operation *op) {
    if (isa<UnrealizedConversionCastOp, LLVM::ZeroOp>(op))
      candidates.push_back(op);
  });
  for (Operation *op : llvm::reverse(candidates))
    if (op->use_empty())
      op->erase();
}

/// The i64 of a planned or typed fact, by TernModelInfo's field order.
SmallVector<int64_t> modelInfo(ModelEntryPoints entries) {
  KVCacheType cache = entries.cache;
  int64_t linearScratch = 1;
  entries.prefill.walk([&](LinearOp matmul) {
    linearScratch = std::max(linearScratch,
                             matmul.getInput().getType().getDimSize(1));
  });
  auto arena = [](func::FuncOp function) {
    return function->getAttrOfType<IntegerAttr>(tern::kArenaSizeAttr).getInt();
  };
  // Filled by field name, then emitted as the struct's bytes: an array
  // in TernModelInfo's order whatever that order is.
  static_assert(std::is_standard_layout_v<TernModelInfo> &&
                    sizeof(TernModelInfo) % sizeof(int64_t) == 0,
                "TernModelInfo is emitted as an array of int64_t");
  TernModelInfo info{};
  info.abi_version = TERN_MODEL_ABI_VERSION;
  info.kernel_abi_version = TERN_KERNEL_ABI_VERSION;
  info.vocab_size = entries.vocabSize;
  info.prefill_chunk = entries.prefillChunk;
  info.context_length = cache.getCapacity();
  info.layers = cache.getLayers();
  info.kv_heads = cache.getKvHeads();
  info.head_dim = cache.getHeadDim();
  info.kv_cache_f16 = cache.getElementType().isF16() ? 1 : 0;
  info.decode_arena_bytes = arena(entries.decode);
  info.prefill_arena_bytes = arena(entries.prefill);
  info.linear_scratch_floats = linearScratch;
  SmallVector<int64_t> values(sizeof(TernModelInfo) / sizeof(int64_t));
  std::memcpy(values.data(), &info, sizeof(TernModelInfo));
  return values;
}

struct TernLowerToKernelsPass
    : tern::impl::TernLowerToKernelsBase<TernLowerToKernelsPass> {
  using TernLowerToKernelsBase::TernLowerToKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<ModelEntryPoints> entries = getModelEntryPoints(module);
    if (failed(entries))
      return signalPassFailure();
    func::FuncOp decode = entries->decode, prefill = entries->prefill;
    for (func::FuncOp function : {decode, prefill})
      if (!function->getAttrOfType<IntegerAttr>(tern::kArenaSizeAttr)) {
        function.emitError("has no integer tern.arena_size: run "
                           "tern-plan-memory first");
        return signalPassFailure();
      }
    for (func::FuncOp function : {decode, prefill})
      if (failed(checkLowerable(function)))
        return signalPassFailure();
    SmallVector<int64_t> info = modelInfo(*entries);

    StepFieldsByFunction steps;
    SmallVector<func::FuncOp> compiled;
    for (func::FuncOp function : {decode, prefill}) {
      auto [lowered, step] = beginCompiledFunction(function);
      steps[lowered] = step;
      compiled.push_back(lowered);
    }
    decode.erase();
    prefill.erase();

    MLIRContext *context = &getContext();
    KernelTypeConverter converter(context);
    RewritePatternSet patterns(context);
    patterns.add<WeightLowering, EmbedLowering, RMSNormLowering,
                 BitLinearLowering, RMSNormBitLinearLowering, LinearLowering,
                 RopeLowering, AttentionLowering>(converter, context, steps);
    patterns.add<ElementwiseLowering<Relu2Op>>(converter, context, steps,
                                               "tern_exec_relu2_f32");
    patterns.add<ElementwiseLowering<SiluOp>>(converter, context, steps,
                                              "tern_exec_silu_f32");
    patterns.add<ElementwiseLowering<AddOp>>(converter, context, steps,
                                             "tern_exec_add_f32");
    patterns.add<ElementwiseLowering<MulOp>>(converter, context, steps,
                                             "tern_exec_mul_f32");
    patterns.add<ElementwiseLowering<Relu2MulOp>>(converter, context, steps,
                                                  "tern_exec_relu2_mul_f32");
    patterns.add<ElementwiseLowering<SiluMulOp>>(converter, context, steps,
                                                 "tern_exec_silu_mul_f32");
    patterns.add<ReturnLowering>(converter, context);
    ConversionTarget target(*context);
    target.addIllegalDialect<TernDialect>();
    target.addLegalDialect<arith::ArithDialect, LLVM::LLVMDialect>();
    target.addLegalOp<func::FuncOp, func::CallOp, UnrealizedConversionCastOp>();
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [](func::ReturnOp ret) { return ret.getNumOperands() == 0; });
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (func::FuncOp function : compiled) {
      if (failed(applyPartialConversion(function, target, frozen)))
        return signalPassFailure();
      removeConversionCasts(function);
    }

    OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
    Location loc = module.getLoc();
    auto infoType = RankedTensorType::get(
        {static_cast<int64_t>(info.size())}, builder.getI64Type());
    builder.create<LLVM::GlobalOp>(
        loc, LLVM::LLVMArrayType::get(builder.getI64Type(), info.size()),
        /*isConstant=*/true, LLVM::Linkage::External, "tern_model_info",
        DenseIntElementsAttr::get(infoType, ArrayRef<int64_t>(info)));

    // tern_model_kernels() returns the backend's table.
    auto ptr = LLVM::LLVMPointerType::get(&getContext());
    auto accessorType = builder.getFunctionType({}, {ptr});
    auto accessor =
        builder.create<func::FuncOp>(loc, kernelsSymbol, accessorType);
    accessor.setPrivate();
    auto kernels =
        builder.create<func::FuncOp>(loc, "tern_model_kernels", accessorType);
    OpBuilder body = OpBuilder::atBlockBegin(kernels.addEntryBlock());
    auto table = body.create<func::CallOp>(loc, accessor, ValueRange{});
    body.create<func::ReturnOp>(loc, table.getResults());
  }
};

} // namespace
