//===- TernTypes.h - tern dialect types, attributes and enums --*- C++ -*-===//

#ifndef TERNC_DIALECTS_TERN_IR_TERNTYPES_H
#define TERNC_DIALECTS_TERN_IR_TERNTYPES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/APFloat.h"

#include "dialects/Tern/IR/TernEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Tern/IR/TernAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Tern/IR/TernTypes.h.inc"

namespace mlir::tern {

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
