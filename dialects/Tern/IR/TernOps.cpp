//===- TernOps.cpp - tern dialect operations ------------------------------===//
//
// Shape inference and verification of every op. inferReturnTypes only
// computes the result type, so building an op never fails; verify() checks
// the operands against each other, naming them and their types. The
// InferTypeOpInterface verifier then checks a parsed result type against the
// inferred one.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tern/IR/TernOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::tern;

namespace {

/// `rows x cols` f32, the type of every activation tensor.
RankedTensorType activations(MLIRContext *context, int64_t rows,
                             int64_t cols) {
  return RankedTensorType::get({rows, cols}, Float32Type::get(context));
}

ShapedType shapedOf(Value value) { return cast<ShapedType>(value.getType()); }

/// Checks that the `input` of a matmul has the `in` features of its weight.
LogicalResult verifyMatmulInput(Operation *op, Value input, Value weight,
                                int64_t in) {
  ShapedType inputType = shapedOf(input);
  if (inputType.getDimSize(1) != in)
    return op->emitOpError("'input' ")
           << inputType << " has " << inputType.getDimSize(1)
           << " features but 'weight' " << weight.getType() << " takes "
           << in;
  return success();
}

/// Checks that `gamma` has one entry per feature of `input` and that
/// `epsilon` is positive.
LogicalResult verifyNorm(Operation *op, Value input, Value gamma,
                         FloatAttr epsilon) {
  ShapedType inputType = shapedOf(input), gammaType = shapedOf(gamma);
  if (gammaType.getDimSize(0) != inputType.getDimSize(1))
    return op->emitOpError("'gamma' ")
           << gammaType << " must have one entry per feature of 'input' "
           << inputType;
  if (!(epsilon.getValueAsDouble() > 0))
    return op->emitOpError("'epsilon' must be positive, got ")
           << epsilon.getValueAsDouble();
  return success();
}

/// The result of a matmul of `input` (N x K) with an `out x ...` weight.
LogicalResult inferMatmul(MLIRContext *context, Value input, int64_t out,
                          SmallVectorImpl<Type> &results) {
  results.push_back(activations(context, shapedOf(input).getDimSize(0), out));
  return success();
}

/// The result type of ops whose result has the type of operand 0.
LogicalResult inferFromFirstOperand(ValueRange operands,
                                    SmallVectorImpl<Type> &results) {
  results.push_back(operands[0].getType());
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  if (getTensor().empty())
    return emitOpError("needs the name of a model tensor");
  if (isa<TernaryType>(getType()) && getStorage())
    return emitOpError("'storage' is part of the #tern.ternary encoding; do "
                       "not repeat it as an attribute");
  return success();
}

//===----------------------------------------------------------------------===//
// EmbedOp
//===----------------------------------------------------------------------===//

LogicalResult EmbedOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location>, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties,
    RegionRange regions, SmallVectorImpl<Type> &results) {
  Adaptor adaptor(operands, attributes, properties, regions);
  results.push_back(activations(context,
                                shapedOf(adaptor.getTokens()).getDimSize(0),
                                shapedOf(adaptor.getTable()).getDimSize(1)));
  return success();
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &results) {
  return inferFromFirstOperand(operands, results);
}

LogicalResult RMSNormOp::verify() {
  return verifyNorm(*this, getInput(), getGamma(), getEpsilonAttr());
}

//===----------------------------------------------------------------------===//
// BitLinearOp, RMSNormBitLinearOp, LinearOp
//===----------------------------------------------------------------------===//

/// One result per ternary weight of a (fused) bitlinear op, each the input's
/// tokens by the weight's rows.
static LogicalResult inferTernaryMatmuls(MLIRContext *context, Value input,
                                         ValueRange weights,
                                         SmallVectorImpl<Type> &results) {
  for (Value weight : weights)
    if (failed(inferMatmul(context, input,
                           cast<TernaryType>(weight.getType()).getOutFeatures(),
                           results)))
      return failure();
  return success();
}

/// Every weight of a (fused) bitlinear op multiplies `input`, which Q8_K
/// quantization takes in whole blocks of 256.
static LogicalResult verifyTernaryMatmuls(Operation *op, Value input,
                                          ValueRange weights,
                                          ActivationQuant activations) {
  if (weights.empty())
    return op->emitOpError("needs at least one weight");
  const int64_t features = cast<ShapedType>(input.getType()).getDimSize(1);
  if (activations == ActivationQuant::Q8K && features % 256 != 0)
    return op->emitOpError("quantizes its activations as q8_k, in blocks of "
                           "256, but its input ")
           << input.getType() << " has " << features
           << " features, not a multiple of 256";
  for (Value weight : weights)
    if (failed(verifyMatmulInput(
            op, input, weight,
            cast<TernaryType>(weight.getType()).getInFeatures())))
      return failure();
  return success();
}

LogicalResult BitLinearOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location>, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties,
    RegionRange regions, SmallVectorImpl<Type> &results) {
  Adaptor adaptor(operands, attributes, properties, regions);
  return inferTernaryMatmuls(context, adaptor.getInput(), adaptor.getWeights(),
                             results);
}

LogicalResult BitLinearOp::verify() {
  return verifyTernaryMatmuls(*this, getInput(), getWeights(),
                              getActivations());
}

LogicalResult RMSNormBitLinearOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location>, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties,
    RegionRange regions, SmallVectorImpl<Type> &results) {
  Adaptor adaptor(operands, attributes, properties, regions);
  return inferTernaryMatmuls(context, adaptor.getInput(), adaptor.getWeights(),
                             results);
}

LogicalResult RMSNormBitLinearOp::verify() {
  if (failed(verifyNorm(*this, getInput(), getGamma(), getEpsilonAttr())))
    return failure();
  return verifyTernaryMatmuls(*this, getInput(), getWeights(),
                              getActivations());
}

LogicalResult LinearOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location>, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties,
    RegionRange regions, SmallVectorImpl<Type> &results) {
  Adaptor adaptor(operands, attributes, properties, regions);
  return inferMatmul(context, adaptor.getInput(),
                     shapedOf(adaptor.getWeight()).getDimSize(0), results);
}

LogicalResult LinearOp::verify() {
  return verifyMatmulInput(*this, getInput(), getWeight(),
                           shapedOf(getWeight()).getDimSize(1));
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       ValueRange operands, DictionaryAttr,
                                       OpaqueProperties, RegionRange,
                                       SmallVectorImpl<Type> &results) {
  return inferFromFirstOperand(operands, results);
}

LogicalResult RopeOp::verify() {
  ShapedType inputType = shapedOf(getInput());
  int64_t headDim = getHeadDim(), dims = getDims();
  if (headDim <= 0 || inputType.getDimSize(1) % headDim != 0)
    return emitOpError("'input' ")
           << inputType << " is not a whole number of heads of head_dim "
           << headDim;
  if (dims <= 0 || dims % 2 != 0 || dims > headDim)
    return emitOpError("'dims' ")
           << dims << " must be even, positive and at most head_dim "
           << headDim;
  if (!(getBase().convertToDouble() > 0))
    return emitOpError("'base' must be positive, got ")
           << getBase().convertToDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &results) {
  return inferFromFirstOperand(operands, results);
}

LogicalResult AttentionOp::verify() {
  ShapedType query = shapedOf(getQuery()), key = shapedOf(getKey()),
             value = shapedOf(getValue());
  KVCacheType cache = getCache().getType();
  int64_t tokens = query.getDimSize(0), headDim = cache.getHeadDim();
  int64_t kvWidth = cache.getKvHeads() * headDim;
  if (key.getDimSize(0) != tokens || value.getDimSize(0) != tokens)
    return emitOpError("'query' ")
           << query << ", 'key' " << key << " and 'value' " << value
           << " must have the same number of tokens";
  if (key.getDimSize(1) != kvWidth || value.getDimSize(1) != kvWidth)
    return emitOpError("'key' ")
           << key << " and 'value' " << value
           << " must have kv_heads * head_dim = " << kvWidth
           << " features for cache " << cache;
  if (query.getDimSize(1) % headDim != 0 ||
      (query.getDimSize(1) / headDim) % cache.getKvHeads() != 0)
    return emitOpError("'query' ")
           << query << " must hold a multiple of kv_heads ("
           << cache.getKvHeads() << ") heads of head_dim " << headDim;
  if (tokens > cache.getCapacity())
    return emitOpError() << tokens << " tokens exceed the cache capacity "
                         << cache.getCapacity();
  int64_t layer = getLayerAttr().getInt();
  if (layer < 0 || layer >= cache.getLayers())
    return emitOpError("'layer' ")
           << layer << " is not a layer of cache " << cache;
  return success();
}

//===----------------------------------------------------------------------===//
// AddOp, MulOp, Relu2MulOp, SiluMulOp: defined by Tern_ElementwisePairOp in
// ODS (unary ops infer through SameOperandsAndResultType)
//===----------------------------------------------------------------------===//

namespace {

/// An elementwise pair's rule: operands `first` and `second` have one shape.
LogicalResult verifySameShapes(Operation *op, StringRef first,
                               StringRef second) {
  Type a = op->getOperand(0).getType(), b = op->getOperand(1).getType();
  if (a != b)
    return op->emitOpError("'")
           << first << "' " << a << " and '" << second << "' " << b
           << " must have the same shape";
  return success();
}

} // namespace

#define GET_OP_CLASSES
#include "dialects/Tern/IR/TernOps.cpp.inc"
