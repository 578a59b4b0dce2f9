//===- TernDialect.h - The tern dialect -------------------------*- C++ -*-===//

#ifndef TERNC_DIALECTS_TERN_IR_TERNDIALECT_H
#define TERNC_DIALECTS_TERN_IR_TERNDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

#include "dialects/Tern/IR/TernDialect.h.inc"

namespace mlir::tern {

/// The names of the dialect's discardable attributes (declared in
/// TernBase.td, checked by TernDialect::verifyOperationAttribute), for the
/// code that sets and reads them.
inline constexpr llvm::StringLiteral kArchitectureAttr =
    TernDialect::ArchitectureAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kHparamsAttr =
    TernDialect::HparamsAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kArenaSizeAttr =
    TernDialect::ArenaSizeAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kArenaOffsetsAttr =
    TernDialect::ArenaOffsetsAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kScratchOffsetAttr =
    TernDialect::ScratchOffsetAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kRowInterleaveAttr =
    TernDialect::RowInterleaveAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kWeightOffsetAttr =
    TernDialect::WeightOffsetAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kRowScalesOffsetAttr =
    TernDialect::RowScalesOffsetAttrHelper::getNameStr();

} // namespace mlir::tern

#endif // TERNC_DIALECTS_TERN_IR_TERNDIALECT_H
