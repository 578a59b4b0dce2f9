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

} // namespace mlir::tern

#endif // TERNC_DIALECTS_TERN_IR_TERNTYPES_H
