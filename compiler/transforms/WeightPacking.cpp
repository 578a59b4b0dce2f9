//===- WeightPacking.cpp - What the packed model file holds per weight ----===//

#include "compiler/transforms/WeightPacking.h"

#include "backends/common/Q4Layout.h"

#include <optional>

using namespace mlir;
using namespace mlir::tern;
namespace gguf = ternc::gguf;

std::string mlir::tern::rowScalesTensorName(StringRef tensor) {
  return (tensor + ".row_scales").str();
}

namespace {

/// The GGUF type that holds ternary weights in `storage`, where the packer
/// can write one.
std::optional<gguf::TensorType> packedTernaryType(TernaryStorage storage) {
  switch (storage) {
  case TernaryStorage::I2_S: return gguf::TensorType::I2_S;
  case TernaryStorage::TQ1_0: return gguf::TensorType::TQ1_0;
  case TernaryStorage::TQ2_0: return gguf::TensorType::TQ2_0;
  default: return std::nullopt;
  }
}

} // namespace

FailureOr<SmallVector<PackedTensorSpec, 2>>
mlir::tern::packedTensorsOf(WeightOp weight) {
  auto ternary = dyn_cast<TernaryType>(weight.getType());
  auto tensor = dyn_cast<RankedTensorType>(weight.getType());
  if (!ternary && !tensor)
    return weight.emitError("weight '")
           << weight.getTensor() << "' is neither ternary nor a ranked tensor";
  ArrayRef<int64_t> shape = ternary ? ternary.getShape() : tensor.getShape();
  std::vector<uint64_t> ne;
  for (int64_t dim : llvm::reverse(shape)) {
    if (dim < 0)
      return weight.emitError("weight '")
             << weight.getTensor() << "' has a dynamic shape";
    ne.push_back(static_cast<uint64_t>(dim));
  }
  SmallVector<PackedTensorSpec, 2> specs;
  auto add = [&](std::string name, gguf::TensorType type,
                 std::vector<uint64_t> dims) -> LogicalResult {
    std::optional<uint64_t> bytes =
        gguf::tensorByteSize(type, dims.data(), static_cast<uint32_t>(dims.size()));
    if (!bytes || *bytes > uint64_t(INT64_MAX))
      return weight.emitError("packed tensor '")
             << name << "' of weight '" << weight.getTensor()
             << "' is too large";
    specs.push_back({std::move(name), type, std::move(dims), *bytes});
    return success();
  };
  const std::string name = weight.getTensor().str();
  // Interleaved rows (every dimension but the innermost) come in whole
  // groups; the verifier keeps the group at least 1.
  if (auto interleave =
          weight->getAttrOfType<IntegerAttr>(kRowInterleaveAttr)) {
    const uint64_t group = static_cast<uint64_t>(interleave.getInt());
    uint64_t rows = 1;
    bool overflow = false;
    for (size_t i = 1; i < ne.size(); ++i)
      overflow |= __builtin_mul_overflow(rows, ne[i], &rows);
    if (overflow || rows > uint64_t(INT64_MAX) - group)
      return weight.emitError("weight '") << name << "' is too large";
    ne.resize(2);
    ne[1] = (rows + group - 1) / group * group;
  }

  if (ternary) {
    std::optional<gguf::TensorType> type =
        packedTernaryType(ternary.getStorage());
    if (!type)
      return weight.emitError("weight '")
             << name << "' is stored as "
             << stringifyTernaryStorage(ternary.getStorage())
             << ", which has no packed ternary form (run "
                "tern-select-weight-layout with a ternary layout first)";
    if (failed(add(name, *type, ne)))
      return failure();
    return specs;
  }
  if (isRowScaled(weight.getType())) {
    if (ne.size() != 2)
      return weight.emitError("row-scaled weight '")
             << name << "' is not a matrix";
    const uint64_t rowBytes =
        isRowScaledQ4(weight.getType())
            ? static_cast<uint64_t>(
                  ternc::backends::q4RowBytes(static_cast<int64_t>(ne[0])))
            : ne[0];
    if (failed(add(name, gguf::TensorType::I8, {rowBytes, ne[1]})) ||
        failed(add(rowScalesTensorName(name), gguf::TensorType::F32, {ne[1]})))
      return failure();
    return specs;
  }
  Type element = tensor.getElementType();
  if (!element.isF16()) {
    if (failed(add(name, gguf::TensorType::F32, ne)))
      return failure();
    return specs;
  }
  if (failed(add(name, gguf::TensorType::F16, ne)))
    return failure();
  return specs;
}
