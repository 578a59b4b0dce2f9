//===- PackWeights.cpp - The weights a compiled model embeds --------------===//

#include "compiler/codegen/PackWeights.h"

#include "compiler/reference/ReferenceOps.h"
#include "dialects/Tern/IR/TernOps.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Bytes.h"

#include "llvm/ADT/StringMap.h"

#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace ternc {

using namespace mlir;

namespace {

/// Writes `values` as f32 bytes into `destination`.
void storeFloats(const std::vector<float> &values, uint8_t *destination) {
  for (size_t i = 0; i < values.size(); ++i)
    storeLittleEndian<float>(destination + 4 * i, values[i]);
}

/// Writes the [rows][columns] f16 matrix `matrix` as groups of `group` rows
/// interleaved element by element (KernelAbi.h's f16_row_interleave), the
/// last group padded with zero rows.
void interleaveRows(const uint8_t *matrix, uint64_t rows, uint64_t columns,
                    uint64_t group, uint8_t *out) {
  const uint64_t groups = (rows + group - 1) / group;
  std::memset(out, 0, groups * group * columns * 2);
  for (uint64_t r = 0; r < rows; ++r)
    for (uint64_t k = 0; k < columns; ++k)
      std::memcpy(out + (((r / group) * columns + k) * group + r % group) * 2,
                  matrix + (r * columns + k) * 2, 2);
}

/// How one weight is written: its packed type and a filler of its bytes.
struct PackedTensor {
  gguf::TensorType type;
  gguf::GgufWriter::Fill fill;
};

/// The packing of `weight` (a tern.weight after layout selection) stored as
/// `tensor` in `file`.
PackedTensor packingOf(tern::WeightOp weight, const gguf::GgufFile &file,
                       const gguf::TensorInfo &tensor) {
  const gguf::TensorInfo *info = &tensor;
  const gguf::GgufFile *source = &file;
  // The file's bytes, when they already are the packed form.
  auto copied = [=](gguf::TensorType type) -> PackedTensor {
    return {type, [=](uint8_t *out, uint64_t size) -> Status {
              std::memcpy(out, source->tensorData(*info).data, size);
              return Status::success();
            }};
  };
  if (auto ternary = dyn_cast<tern::TernaryType>(weight.getType())) {
    if (tensor.type == gguf::TensorType::I2_S)
      return copied(gguf::TensorType::I2_S);
    // The trits are the signs of the decoded values (every storage holds
    // trit * scale); the kernels take the scale from the type.
    float scale = ternary.getScaleValue();
    return {gguf::TensorType::I2_S, [=](uint8_t *out, uint64_t size) -> Status {
              Expected<std::vector<float>> values =
                  gguf::dequantizeTensor(*source, *info);
              if (!values)
                return Status(values.error());
              for (float &value : *values)
                value = value > 0 ? 1.0f : (value < 0 ? -1.0f : 0.0f);
              std::vector<uint8_t> bytes;
              TERNC_RETURN_IF_ERROR(gguf::quantize(gguf::TensorType::I2_S,
                                                   values->data(),
                                                   values->size(), bytes));
              storeLittleEndian<float>(bytes.data() + info->elements / 4, scale);
              std::memcpy(out, bytes.data(), size);
              return Status::success();
            }};
  }
  Type element = cast<RankedTensorType>(weight.getType()).getElementType();
  auto interleave = weight->getAttrOfType<IntegerAttr>("tern.row_interleave");
  if (element.isF16() && tensor.type == gguf::TensorType::F16 && interleave)
    return {gguf::TensorType::F16,
            [=, group = static_cast<uint64_t>(interleave.getInt())](
                uint8_t *out, uint64_t) -> Status {
              interleaveRows(source->tensorData(*info).data, info->rows(),
                             info->ne[0], group, out);
              return Status::success();
            }};
  if (element.isF16() && tensor.type == gguf::TensorType::F16)
    return copied(gguf::TensorType::F16);
  return {gguf::TensorType::F32, [=](uint8_t *out, uint64_t) -> Status {
            Expected<std::vector<float>> values =
                gguf::dequantizeTensor(*source, *info);
            if (!values)
              return Status(values.error());
            storeFloats(*values, out);
            return Status::success();
          }};
}

/// The packed file's tensor holding the row scales of the #tern.row_scaled
/// weight `name`.
std::string rowScalesName(llvm::StringRef name) {
  return (name + ".row_scales").str();
}

/// Adds the #tern.row_scaled form of `tensor`: its int8 rows as an I8 tensor
/// of the same name and their f32 scales as rowScalesName(name). The values
/// are quantized once, when the first of the two is written.
Status addRowScaled(gguf::GgufWriter &writer, const gguf::GgufFile &source,
                    const gguf::TensorInfo &tensor) {
  const gguf::GgufFile *file = &source;
  const gguf::TensorInfo *info = &tensor;
  auto quantized =
      std::make_shared<std::optional<reference::RowScaledMatrix>>();
  auto quantize = [=]() -> Status {
    if (*quantized)
      return Status::success();
    Expected<std::vector<float>> values = gguf::dequantizeTensor(*file, *info);
    if (!values)
      return Status(values.error());
    Expected<reference::RowScaledMatrix> matrix = reference::quantizeRows(
        values->data(), static_cast<int64_t>(info->rows()),
        static_cast<int64_t>(info->ne[0]));
    if (!matrix)
      return makeError("{}: tensor '{}' cannot be quantized to int8: {}",
                       file->name(), info->name, matrix.error().message());
    *quantized = matrix.take();
    return Status::success();
  };
  TERNC_RETURN_IF_ERROR(writer.addTensor(
      std::string(info->name), gguf::TensorType::I8,
      {info->ne[0], info->rows()},
      [=](uint8_t *out, uint64_t size) -> Status {
        TERNC_RETURN_IF_ERROR(quantize());
        std::memcpy(out, (*quantized)->values.data(), size);
        return Status::success();
      }));
  return writer.addTensor(rowScalesName(info->name), gguf::TensorType::F32,
                          {info->rows()},
                          [=](uint8_t *out, uint64_t) -> Status {
                            TERNC_RETURN_IF_ERROR(quantize());
                            storeFloats((*quantized)->scales, out);
                            return Status::success();
                          });
}

} // namespace

Status packWeights(ModuleOp module, const gguf::GgufFile &source,
                   const std::string &backend, const std::string &path,
                   uint32_t alignment) {
  gguf::GgufWriter writer;
  for (const gguf::KeyValue &entry : source.metadata())
    writer.set(std::string(entry.key), gguf::MetadataValue::fromValue(entry.value));
  TERNC_RETURN_IF_ERROR(writer.setAlignment(alignment));
  writer.set("ternc.backend", gguf::MetadataValue::ofString(backend));

  // One packed tensor per GGUF tensor, however many functions use it.
  llvm::StringMap<bool> added;
  Status status = Status::success();
  module.walk([&](tern::WeightOp weight) {
    std::string name = weight.getTensor().str();
    if (!status.ok() || !added.try_emplace(name, true).second)
      return;
    const gguf::TensorInfo *tensor = source.findTensor(name);
    if (!tensor) {
      status = makeError("{}: no tensor '{}' to pack", source.name(), name);
      return;
    }
    if (tern::isRowScaled(weight.getType())) {
      status = addRowScaled(writer, source, *tensor);
      return;
    }
    PackedTensor packed = packingOf(weight, source, *tensor);
    std::vector<uint64_t> ne(tensor->ne.begin(),
                             tensor->ne.begin() + tensor->nDims);
    // Interleaved rows come in whole groups.
    if (auto interleave =
            weight->getAttrOfType<IntegerAttr>("tern.row_interleave")) {
      const uint64_t group = static_cast<uint64_t>(interleave.getInt());
      ne.resize(2, 1);
      ne[1] = (tensor->rows() + group - 1) / group * group;
    }
    status = writer.addTensor(name, packed.type, std::move(ne),
                              std::move(packed.fill));
  });
  TERNC_RETURN_IF_ERROR(status);
  TERNC_RETURN_IF_ERROR(writer.write(path));

  Expected<gguf::GgufFile> packed = gguf::GgufFile::open(path);
  if (!packed)
    return packed.error();
  Builder builder(module.getContext());
  auto offsetOf = [&](llvm::StringRef name) {
    return builder.getI64IntegerAttr(static_cast<int64_t>(
        packed->dataOffset() + packed->findTensor(name)->offset));
  };
  module.walk([&](tern::WeightOp weight) {
    weight->setAttr("tern.weight_offset", offsetOf(weight.getTensor()));
    if (tern::isRowScaled(weight.getType()))
      weight->setAttr("tern.row_scales_offset",
                      offsetOf(rowScalesName(weight.getTensor())));
  });
  return Status::success();
}

} // namespace ternc
