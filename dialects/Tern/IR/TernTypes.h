//===- TernTypes.h - tern dialect types, attributes and enums --*- C++ -*-===//

#ifndef TERNC_DIALECTS_TERN_IR_TERNTYPES_H
#define TERNC_DIALECTS_TERN_IR_TERNTYPES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TensorEncoding.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/APFloat.h"

#include "dialects/Tern/IR/TernEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Tern/IR/TernAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Tern/IR/TernTypes.h.inc"

namespace mlir::tern {

/// A ternary weight matrix: `tensor<OUTxINxi2, #tern.ternary<STORAGE, scale
/// = S>>`, values in {-1, 0, +1} times one f32 scale. A view of the ranked
/// tensors with that encoding (as TensorType is of the builtin tensors), so
/// that passes can `dyn_cast<TernaryType>` a weight's type.
class TernaryType : public RankedTensorType {
public:
  using RankedTensorType::RankedTensorType;

  /// Whether `type` is a ternary weight matrix.
  static bool classof(Type type);
  /// The ternary matrix of `shape` (out x in) stored as `storage`.
  static TernaryType get(MLIRContext *context, ArrayRef<int64_t> shape,
                         TernaryStorage storage, APFloat scale);

  TernaryAttr getTernaryEncoding() const {
    return llvm::cast<TernaryAttr>(getEncoding());
  }
  /// How the weight's bytes are stored.
  TernaryStorage getStorage() const {
    return getTernaryEncoding().getStorage();
  }
  /// The per-tensor scale.
  float getScaleValue() const { return getTernaryEncoding().getScaleValue(); }
  /// Rows (output features).
  int64_t getOutFeatures() const { return getDimSize(0); }
  /// Columns (input features).
  int64_t getInFeatures() const { return getDimSize(1); }
};

/// Whether `type` is a tensor with the #tern.row_scaled encoding (an int8
/// matrix with one scale per row).
bool isRowScaled(Type type);

/// Whether `type` is a #tern.row_scaled tensor of 4-bit values (groups of
/// 32 columns with 8-bit sub-scales).
bool isRowScaledQ4(Type type);

/// Whether the shape of the #tern.row_scaled tensor `type` suits its
/// element type: any for i8; for i4, a multiple of 32 columns up to 8192
/// (the longest row whose dot products are exact in int32).
bool hasRowScaledShape(Type type);

} // namespace mlir::tern

#endif // TERNC_DIALECTS_TERN_IR_TERNTYPES_H
