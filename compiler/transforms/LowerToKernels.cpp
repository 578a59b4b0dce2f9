//===- LowerToKernels.cpp - tern ops -> calls of the runtime's entries ----===//
//
// Each planned function becomes a function of one `TernStep *` that calls
// one `tern_exec_*` entry (runtime/model/ModelAbi.h) per op, on pointers into
// the step's arena, the packed weights and the logits. The ops are lowered
// in program order; tensors become pointers, shapes become constants.
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
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

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

/// Emits the body of one compiled function.
class FunctionLowering {
public:
  FunctionLowering(func::FuncOp source, ModuleOp module)
      : source_(source), module_(module), builder_(source.getContext()) {}

  /// Builds the compiled function from `source`, before it in the module.
  LogicalResult lower();

private:
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
  /// declaring it on first use.
  void call(StringRef name, ArrayRef<Value> arguments);

  /// Loads the TernStep fields the function reads.
  void loadStep(Value step);
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
  /// The pointer standing for the tensor `value` (the step's tokens for the
  /// tokens argument).
  Value pointerOf(Value value) { return pointers_.lookup(value); }
  /// The i64 standing for the index `value` (the step's position for the
  /// position argument, the only index getModelEntryPoints lets ops read).
  Value scalarOf(Value value) { return scalars_.lookup(value); }
  /// The row scales of the #tern.row_scaled weight `value`.
  Value rowScalesOf(Value value) { return rowScales_.lookup(value); }
  /// Places the results of `op`: in the arena at its planned offsets, or in
  /// the step's logits for the returned value.
  LogicalResult placeResults(Operation *op);
  /// Emits the calls that compute `op`.
  LogicalResult lowerOp(Operation *op);
  /// Quantizes (and for `gamma`, normalizes) `input` into `op`'s scratch,
  /// then multiplies it by all the weights, rows concatenated, in one call
  /// that writes each weight's rows into its result.
  LogicalResult lowerBitLinear(Operation *op, Value input, Value gamma,
                               std::optional<float> epsilon,
                               ValueRange weights);
  /// The int8 rows and scales in `op`'s quantization scratch.
  FailureOr<std::pair<Value, Value>> quantizedScratch(Operation *op);
  /// Lowers a tern.linear: f16/f32 weights directly, #tern.row_scaled ones
  /// (int8 or 4-bit) after quantizing the input into the op's scratch.
  LogicalResult lowerLinear(LinearOp matmul);

  /// For the LM head of a multi-token function: the input row, output row
  /// and token count to use, which are the last valid row and 1 when the
  /// step asks for the last logits only, else the whole tensors.
  std::tuple<Value, Value, Value>
  lastRowWhenAsked(Value input, int64_t inputWidth, Value output,
                   int64_t outputWidth, int64_t tokens);

  func::FuncOp source_;
  ModuleOp module_;
  OpBuilder builder_;
  Location loc_ = builder_.getUnknownLoc();
  Value step_[kStepFields];
  Value returned_;
  llvm::DenseMap<Value, Value> pointers_;
  llvm::DenseMap<Value, Value> scalars_;
  llvm::DenseMap<Value, Value> rowScales_;
};

void FunctionLowering::call(StringRef name, ArrayRef<Value> arguments) {
  SmallVector<Value> operands = {step_[kExec]};
  operands.append(arguments.begin(), arguments.end());
  auto type = builder_.getFunctionType(ValueRange(operands).getTypes(), {});
  if (!module_.lookupSymbol<func::FuncOp>(name)) {
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToEnd(module_.getBody());
    auto declaration = builder_.create<func::FuncOp>(loc_, name, type);
    declaration.setPrivate();
  }
  builder_.create<func::CallOp>(loc_, name, TypeRange{}, operands);
}

void FunctionLowering::loadStep(Value step) {
  auto stepType = LLVM::LLVMStructType::getLiteral(
      builder_.getContext(),
      {ptrType(), ptrType(), ptrType(), ptrType(), builder_.getI64Type(),
       builder_.getI64Type(), ptrType(), builder_.getI64Type()});
  for (int32_t field = 0; field < kStepFields; ++field) {
    Type type =
        field == kPosition || field == kValidTokens || field == kLastLogitsOnly
            ? builder_.getI64Type()
            : ptrType();
    Value address = builder_.create<LLVM::GEPOp>(
        loc_, ptrType(), stepType, step,
        ArrayRef<LLVM::GEPArg>{0, field});
    step_[field] = builder_.create<LLVM::LoadOp>(loc_, type, address);
  }
}

LogicalResult FunctionLowering::placeResults(Operation *op) {
  if (op->getNumResults() == 0)
    return success();
  auto offsets = op->getAttrOfType<DenseI64ArrayAttr>(tern::kArenaOffsetsAttr);
  if (!offsets || offsets.size() != static_cast<int64_t>(op->getNumResults()))
    return op->emitError("has no arena offsets: run tern-plan-memory first");
  for (auto [result, offset] : llvm::zip(op->getResults(), offsets.asArrayRef()))
    pointers_[result] = result == returned_ ? step_[kLogits]
                                            : byteOffset(step_[kArena], offset);
  return success();
}

FailureOr<std::pair<Value, Value>>
FunctionLowering::quantizedScratch(Operation *op) {
  auto scratchOffset = op->getAttrOfType<IntegerAttr>(tern::kScratchOffsetAttr);
  if (!scratchOffset)
    return op->emitError("has no scratch offset: run tern-plan-memory first");
  Value rows = byteOffset(step_[kArena], scratchOffset.getInt());
  return std::make_pair(
      rows, byteOffset(rows, quantizedRowsScratch(op).scalesOffset));
}

LogicalResult FunctionLowering::lowerBitLinear(Operation *op, Value input,
                                               Value gamma,
                                               std::optional<float> epsilon,
                                               ValueRange weights) {
  FailureOr<std::pair<Value, Value>> scratch = quantizedScratch(op);
  if (failed(scratch))
    return failure();
  auto [rows, scales] = *scratch;
  auto [tokens, features] = matrixShape(input);
  if (gamma)
    call("tern_exec_rms_norm_quantize_i8",
         {pointerOf(input), pointerOf(gamma), rowsToCompute(tokens),
          i64(features), f32(*epsilon), rows, scales});
  else
    call("tern_exec_quantize_rows_i8", {pointerOf(input), rowsToCompute(tokens),
                                        i64(features), rows, scales});
  // One TernBitLinearPart per weight, on the stack, and one call for all.
  auto partType = LLVM::LLVMStructType::getLiteral(
      builder_.getContext(),
      {ptrType(), builder_.getI64Type(), builder_.getF32Type(), ptrType()});
  Value parts = builder_.create<LLVM::AllocaOp>(
      loc_, ptrType(), partType, i64(static_cast<int64_t>(weights.size())));
  for (auto [index, weight, result] :
       llvm::enumerate(weights, op->getResults())) {
    auto type = cast<TernaryType>(weight.getType());
    if (type.getStorage() != TernaryStorage::I2_S)
      return op->emitError("no kernel reads ")
             << stringifyTernaryStorage(type.getStorage())
             << " weights: run tern-select-weight-layout first";
    Value fields[] = {pointerOf(weight), i64(type.getOutFeatures()),
                      f32(type.getScaleValue()), pointerOf(result)};
    for (auto [field, value] : llvm::enumerate(fields)) {
      Value address = builder_.create<LLVM::GEPOp>(
          loc_, ptrType(), partType, parts,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index),
                                 static_cast<int32_t>(field)});
      builder_.create<LLVM::StoreOp>(loc_, value, address);
    }
  }
  call("tern_exec_bitlinear_i2s",
       {rows, scales, rowsToCompute(tokens), i64(features),
        i64(static_cast<int64_t>(weights.size())), parts});
  return success();
}

std::tuple<Value, Value, Value>
FunctionLowering::lastRowWhenAsked(Value input, int64_t inputWidth,
                                   Value output, int64_t outputWidth,
                                   int64_t tokens) {
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

LogicalResult FunctionLowering::lowerLinear(LinearOp matmul) {
  auto [tokens, in] = matrixShape(matmul.getInput());
  auto [rows, columns] = matrixShape(matmul.getWeight());
  Value weight = matmul.getWeight();
  Type element = cast<RankedTensorType>(weight.getType()).getElementType();
  bool rowScaled = isRowScaled(weight.getType());
  if (!rowScaled && !element.isF16() && !element.isF32())
    return matmul.emitError("no kernel multiplies by a ")
           << element << " matrix";
  Value input = pointerOf(matmul.getInput());
  Value output = pointerOf(matmul.getResult());
  Value count = rowsToCompute(tokens);
  if (matmul.getResult() == returned_ && tokens > 1)
    std::tie(input, output, count) =
        lastRowWhenAsked(input, in, output, rows, tokens);
  if (!rowScaled) {
    call(element.isF16() ? "tern_exec_linear_f16" : "tern_exec_linear_f32",
         {input, pointerOf(weight), count, i64(in), i64(rows), output,
          i64(rows)});
    return success();
  }
  FailureOr<std::pair<Value, Value>> scratch = quantizedScratch(matmul);
  if (failed(scratch))
    return failure();
  auto [quantized, scales] = *scratch;
  call("tern_exec_quantize_rows_i8",
       {input, count, i64(in), quantized, scales});
  call(isRowScaledQ4(weight.getType()) ? "tern_exec_linear_q4"
                                       : "tern_exec_linear_i8",
       {quantized, scales, pointerOf(weight), rowScalesOf(weight), count,
        i64(in), i64(rows), output, i64(rows)});
  return success();
}

LogicalResult FunctionLowering::lowerOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](WeightOp weight) -> LogicalResult {
        auto offset =
            weight->getAttrOfType<IntegerAttr>(tern::kWeightOffsetAttr);
        if (!offset)
          return weight.emitError("weight '")
                 << weight.getTensor()
                 << "' has no tern.weight_offset: run tern-plan-weights first";
        pointers_[weight.getResult()] =
            byteOffset(step_[kWeights], offset.getInt());
        if (!isRowScaled(weight.getType()))
          return success();
        auto scales =
            weight->getAttrOfType<IntegerAttr>(tern::kRowScalesOffsetAttr);
        if (!scales)
          return weight.emitError("weight '")
                 << weight.getTensor()
                 << "' has no tern.row_scales_offset: run "
                    "tern-plan-weights first";
        rowScales_[weight.getResult()] =
            byteOffset(step_[kWeights], scales.getInt());
        return success();
      })
      .Case([&](EmbedOp embed) {
        auto [tokens, features] = matrixShape(embed.getResult());
        Value table = embed.getTable();
        if (isRowScaled(table.getType())) {
          call(isRowScaledQ4(table.getType()) ? "tern_exec_embed_q4"
                                              : "tern_exec_embed_i8",
               {pointerOf(table), rowScalesOf(table), pointerOf(embed.getTokens()),
                rowsToCompute(tokens), i64(features),
                pointerOf(embed.getResult())});
          return success();
        }
        bool half =
            cast<RankedTensorType>(table.getType()).getElementType().isF16();
        call(half ? "tern_exec_embed_f16" : "tern_exec_embed_f32",
             {pointerOf(table), pointerOf(embed.getTokens()), rowsToCompute(tokens),
              i64(features), pointerOf(embed.getResult())});
        return success();
      })
      .Case([&](RMSNormOp norm) {
        auto [tokens, features] = matrixShape(norm.getInput());
        call("tern_exec_rms_norm_f32",
             {pointerOf(norm.getInput()), pointerOf(norm.getGamma()),
              rowsToCompute(tokens), i64(features),
              f32(norm.getEpsilon().convertToFloat()),
              pointerOf(norm.getResult())});
        return success();
      })
      .Case([&](BitLinearOp matmul) {
        return lowerBitLinear(matmul, matmul.getInput(), Value(), std::nullopt,
                              matmul.getWeights());
      })
      .Case([&](RMSNormBitLinearOp fused) {
        return lowerBitLinear(fused, fused.getInput(), fused.getGamma(),
                              fused.getEpsilon().convertToFloat(),
                              fused.getWeights());
      })
      .Case([&](LinearOp matmul) { return lowerLinear(matmul); })
      .Case([&](RopeOp rope) {
        auto [tokens, features] = matrixShape(rope.getInput());
        call(rope.getKind() == RopeKind::Neox ? "tern_exec_rope_neox_f32"
                                              : "tern_exec_rope_norm_f32",
             {pointerOf(rope.getInput()), pointerOf(rope.getResult()),
              rowsToCompute(tokens), i64(features), i64(rope.getHeadDim()),
              i64(rope.getDims()), scalarOf(rope.getPosition()),
              f32(rope.getBase().convertToFloat())});
        return success();
      })
      .Case([&](AttentionOp attention) {
        auto [tokens, width] = matrixShape(attention.getQuery());
        KVCacheType cache = attention.getCache().getType();
        call("tern_exec_attention",
             {pointerOf(attention.getQuery()), pointerOf(attention.getKey()),
              pointerOf(attention.getValue()), rowsToCompute(tokens),
              step_[kValidTokens], scalarOf(attention.getPosition()),
              i64(width / cache.getHeadDim()), i64(cache.getKvHeads()),
              i64(cache.getHeadDim()), i64(attention.getLayer()),
              pointerOf(attention.getResult())});
        return success();
      })
      .Case<Relu2Op, SiluOp>([&](Operation *unary) {
        call(isa<Relu2Op>(unary) ? "tern_exec_relu2_f32" : "tern_exec_silu_f32",
             {pointerOf(unary->getOperand(0)),
              elementsToCompute(unary->getResult(0)),
              pointerOf(unary->getResult(0))});
        return success();
      })
      .Case<AddOp, MulOp, Relu2MulOp, SiluMulOp>([&](Operation *binary) {
        StringRef name =
            llvm::TypeSwitch<Operation *, StringRef>(binary)
                .Case([](AddOp) { return "tern_exec_add_f32"; })
                .Case([](MulOp) { return "tern_exec_mul_f32"; })
                .Case([](Relu2MulOp) { return "tern_exec_relu2_mul_f32"; })
                .Case([](SiluMulOp) { return "tern_exec_silu_mul_f32"; });
        call(name, {pointerOf(binary->getOperand(0)),
                    pointerOf(binary->getOperand(1)),
                    elementsToCompute(binary->getResult(0)),
                    pointerOf(binary->getResult(0))});
        return success();
      })
      .Default([](Operation *unknown) {
        return unknown->emitError("tern-lower-to-kernels cannot lower this op");
      });
}

LogicalResult FunctionLowering::lower() {
  Block &body = source_.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret || ret.getNumOperands() != 1 || !ret.getOperand(0).getDefiningOp())
    return source_.emitError("must return one computed tensor (the logits)");
  returned_ = ret.getOperand(0);

  builder_.setInsertionPoint(source_);
  auto function = builder_.create<func::FuncOp>(
      source_.getLoc(), compiledName(source_.getName()),
      builder_.getFunctionType({ptrType()}, {}));
  function->setAttr(tern::kArenaSizeAttr,
                    source_->getAttr(tern::kArenaSizeAttr));
  builder_.setInsertionPointToStart(function.addEntryBlock());
  loadStep(function.getArgument(0));
  // The entry arguments the ops read (tokens, position; the cache is the
  // executor's): TernStep's fields.
  pointers_[source_.getArgument(0)] = step_[kTokens];
  scalars_[source_.getArgument(1)] = step_[kPosition];
  for (Operation &op : body.without_terminator()) {
    loc_ = op.getLoc();
    if (!isa<WeightOp>(op) && failed(placeResults(&op)))
      return failure();
    if (failed(lowerOp(&op)))
      return failure();
  }
  builder_.create<func::ReturnOp>(ret.getLoc());
  return success();
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
    SmallVector<int64_t> info = modelInfo(*entries);
    for (func::FuncOp function : {decode, prefill})
      if (failed(FunctionLowering(function, module).lower()))
        return signalPassFailure();
    decode.erase();
    prefill.erase();

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
