//===- TernTypes.h - tern dialect types and enums ---------------*- C++ -*-===//

#ifndef TERNC_DIALECTS_TERN_IR_TERNTYPES_H
#define TERNC_DIALECTS_TERN_IR_TERNTYPES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/APFloat.h"

#include "dialects/Tern/IR/TernEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Tern/IR/TernTypes.h.inc"

#endif // TERNC_DIALECTS_TERN_IR_TERNTYPES_H
