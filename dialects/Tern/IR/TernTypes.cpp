//===- TernTypes.cpp - tern dialect types ---------------------------------===//
//
// Custom syntax and verifiers of #tern.ternary and !tern.kv_cache; the
// TernaryType view and the #tern.row_scaled queries.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tern/IR/TernTypes.h"

#include "backends/common/Q4Layout.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::tern;

//===----------------------------------------------------------------------===//
// TernaryAttr and TernaryType
//===----------------------------------------------------------------------===//

// #tern.ternary<STORAGE, scale = FLOAT>
Attribute TernaryAttr::parse(AsmParser &parser, Type) {
  StringRef storageName;
  double scale;
  SMLoc storageLoc;
  if (parser.parseLess() || parser.getCurrentLocation(&storageLoc) ||
      parser.parseKeyword(&storageName) || parser.parseComma() ||
      parser.parseKeyword("scale") || parser.parseEqual() ||
      parser.parseFloat(scale) || parser.parseGreater())
    return {};
  std::optional<TernaryStorage> storage = symbolizeTernaryStorage(storageName);
  if (!storage) {
    parser.emitError(storageLoc, "unknown ternary storage '")
        << storageName << "' (expected i2_s, tq1_0, tq2_0, f32, f16 or bf16)";
    return {};
  }
  return parser.getChecked<TernaryAttr>(parser.getContext(), *storage,
                                        APFloat(static_cast<float>(scale)));
}

/// The shortest decimal text of at most nine significant digits that parses
/// back to `value` exactly, always with a '.' or an exponent so that MLIR's
/// parser reads it as a float.
static std::string formatScale(float value) {
  std::string text;
  for (int digits = 1; digits <= 9; ++digits) {
    text = llvm::formatv("{0}", llvm::format("%.*g", digits,
                                             static_cast<double>(value)))
               .str();
    if (std::strtof(text.c_str(), nullptr) == value)
      break;
  }
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

void TernaryAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyTernaryStorage(getStorage())
          << ", scale = " << formatScale(getScaleValue()) << ">";
}

LogicalResult TernaryAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  TernaryStorage storage, APFloat scale) {
  if (&scale.getSemantics() != &APFloat::IEEEsingle())
    return emitError() << "the scale must be an f32";
  float value = scale.convertToFloat();
  if (!std::isfinite(value) || value < 0)
    return emitError() << "the scale must be finite and non-negative, got "
                       << static_cast<double>(value);
  return success();
}

LogicalResult
TernaryAttr::verifyEncoding(ArrayRef<int64_t> shape, Type elementType,
                            function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() != 2)
    return emitError() << "a ternary weight is a matrix (out x in), got "
                       << shape.size() << " dimensions";
  if (llvm::any_of(shape, [](int64_t d) { return d <= 0; }))
    return emitError() << "ternary weight dimensions must be positive";
  if (!elementType.isInteger(2))
    return emitError() << "a ternary weight's elements are i2, not "
                       << elementType;
  return success();
}

bool TernaryType::classof(Type type) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  return tensor && llvm::isa_and_nonnull<TernaryAttr>(tensor.getEncoding());
}

TernaryType TernaryType::get(MLIRContext *context, ArrayRef<int64_t> shape,
                             TernaryStorage storage, APFloat scale) {
  return llvm::cast<TernaryType>(
      RankedTensorType::get(shape, IntegerType::get(context, 2),
                            TernaryAttr::get(context, storage, scale)));
}

//===----------------------------------------------------------------------===//
// Row-scaled int8 matrices
//===----------------------------------------------------------------------===//

bool mlir::tern::isRowScaled(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa_and_nonnull<RowScaledAttr>(tensor.getEncoding());
}

bool mlir::tern::isRowScaledQ4(Type type) {
  return isRowScaled(type) &&
         cast<RankedTensorType>(type).getElementType().isInteger(4);
}

bool mlir::tern::hasRowScaledShape(Type type) {
  if (!isRowScaledQ4(type))
    return true;
  const int64_t columns = cast<RankedTensorType>(type).getShape().back();
  return columns % ternc::backends::kQ4Group == 0 &&
         columns <= ternc::backends::kQ4MaxIn;
}

//===----------------------------------------------------------------------===//
// KVCacheType
//===----------------------------------------------------------------------===//

LogicalResult KVCacheType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t layers, int64_t capacity,
                                  int64_t kvHeads, int64_t headDim,
                                  Type elementType) {
  if (layers <= 0 || capacity <= 0 || kvHeads <= 0 || headDim <= 0)
    return emitError() << "KV cache dimensions must be positive (layers "
                       << layers << ", capacity " << capacity << ", kv_heads "
                       << kvHeads << ", head_dim " << headDim << ")";
  if (!elementType.isF16() && !elementType.isF32())
    return emitError() << "KV cache elements must be f16 or f32, got "
                       << elementType;
  return success();
}
