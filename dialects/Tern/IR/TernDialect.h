//===- TernDialect.h - The tern dialect -------------------------*- C++ -*-===//

#ifndef TERNC_DIALECTS_TERN_IR_TERNDIALECT_H
#define TERNC_DIALECTS_TERN_IR_TERNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Tern/IR/TernDialect.h.inc"

#endif // TERNC_DIALECTS_TERN_IR_TERNDIALECT_H
