//===- TernOps.h - tern dialect operations ----------------------*- C++ -*-===//

#ifndef TERNC_DIALECTS_TERN_IR_TERNOPS_H
#define TERNC_DIALECTS_TERN_IR_TERNOPS_H

#include "dialects/Tern/IR/TernDialect.h"
#include "dialects/Tern/IR/TernTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Tern/IR/TernOps.h.inc"

#endif // TERNC_DIALECTS_TERN_IR_TERNOPS_H
