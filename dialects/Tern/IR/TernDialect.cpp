//===- TernDialect.cpp - The tern dialect ---------------------------------===//

#include "dialects/Tern/IR/TernDialect.h"

#include "dialects/Tern/IR/TernOps.h"
#include "dialects/Tern/IR/TernTypes.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tern;

#include "dialects/Tern/IR/TernDialect.cpp.inc"
#include "dialects/Tern/IR/TernEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Tern/IR/TernAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Tern/IR/TernTypes.cpp.inc"

void TernDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tern/IR/TernOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/Tern/IR/TernTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Tern/IR/TernAttrs.cpp.inc"
      >();
}
