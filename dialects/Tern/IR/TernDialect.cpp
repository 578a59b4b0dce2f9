//===- TernDialect.cpp - The tern dialect ---------------------------------===//

#include "dialects/Tern/IR/TernDialect.h"

#include "dialects/Tern/IR/TernOps.h"
#include "dialects/Tern/IR/TernTypes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
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

LogicalResult TernDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  Attribute value = attribute.getValue();
  auto fail = [&](StringRef expected) -> LogicalResult {
    return op->emitError() << "'" << name << "' must be " << expected
                           << ", not " << value;
  };
  auto placed = [&](bool onTheRightOp, StringRef where) -> LogicalResult {
    if (onTheRightOp)
      return success();
    return op->emitError() << "'" << name << "' belongs on " << where
                           << ", not on '" << op->getName() << "'";
  };
  auto i64AtLeast = [&](int64_t least) -> LogicalResult {
    auto integer = dyn_cast<IntegerAttr>(value);
    if (!integer || !integer.getType().isSignlessInteger(64) ||
        integer.getInt() < least)
      return fail(least == 0 ? "a non-negative i64" : "an i64 >= 1");
    return success();
  };
  bool isWeight = isa<WeightOp>(op);
  if (name == kArchitectureAttr) {
    if (failed(placed(isa<ModuleOp>(op), "the module")))
      return failure();
    return isa<StringAttr>(value) ? success() : fail("a string");
  }
  if (name == kHparamsAttr) {
    if (failed(placed(isa<ModuleOp>(op), "the module")))
      return failure();
    return isa<DictionaryAttr>(value) ? success() : fail("a dictionary");
  }
  if (name == kArenaSizeAttr) {
    if (failed(placed(isa<FunctionOpInterface>(op), "a function")))
      return failure();
    return i64AtLeast(0);
  }
  if (name == kArenaOffsetsAttr) {
    auto offsets = dyn_cast<DenseI64ArrayAttr>(value);
    if (!offsets ||
        offsets.size() != static_cast<int64_t>(op->getNumResults()) ||
        llvm::any_of(offsets.asArrayRef(), [](int64_t o) { return o < 0; }))
      return fail("an array<i64> of one non-negative offset per result");
    return success();
  }
  if (name == kScratchOffsetAttr)
    return i64AtLeast(0);
  if (name == kRowInterleaveAttr) {
    if (failed(placed(isWeight, "a tern.weight")))
      return failure();
    return i64AtLeast(1);
  }
  if (name == kWeightOffsetAttr ||
      name == kRowScalesOffsetAttr) {
    if (failed(placed(isWeight, "a tern.weight")))
      return failure();
    return i64AtLeast(0);
  }
  return op->emitError() << "'" << name
                         << "' is not an attribute of the tern dialect";
}
