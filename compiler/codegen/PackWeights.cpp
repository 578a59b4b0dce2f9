//===- PackWeights.cpp - The weights a compiled model embeds --------------===//

#include "compiler/codegen/PackWeights.h"

#include "backends/common/Q4Layout.h"
#include "backends/common/RowInterleave.h"
#include "compiler/reference/ReferenceOps.h"
#include "dialects/Tern/IR/TernOps.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Bytes.h"
#include "runtime/support/OutputFile.h"

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

/// One tensor of the packed file: its name, type, dimensions (ne[0]
/// innermost) and a filler of its bytes.
struct PackedTensor {
  std::string name;
  gguf::TensorType type;
  std::vector<uint64_t> ne;
  gguf::GgufWriter::Fill fill;
};

/// The packed file's tensor holding the row scales of the #tern.row_scaled
/// weight `name`.
std::string rowScalesName(llvm::StringRef name) {
  return (name + ".row_scales").str();
}

/// The #tern.row_scaled form of `tensor`: its rows of `rowBytes` bytes as
/// an I8 tensor of the same name, which `writeRows(matrix, out)` writes from
/// the Matrix that `quantizeTensor(file, tensor)` makes, and their f32
/// scales as rowScalesName(name). The values are quantized once, when the
/// first of the two is written.
template <typename Matrix, typename Quantize, typename WriteRows>
std::vector<PackedTensor>
rowScaledPacking(const gguf::GgufFile &file, const gguf::TensorInfo &tensor,
                 Quantize quantizeTensor, uint64_t rowBytes,
                 WriteRows writeRows) {
  const gguf::GgufFile *source = &file;
  const gguf::TensorInfo *info = &tensor;
  auto quantized = std::make_shared<std::optional<Matrix>>();
  auto quantize = [=]() -> Status {
    if (*quantized)
      return Status::success();
    Expected<Matrix> matrix = quantizeTensor(*source, *info);
    if (!matrix)
      return matrix.error();
    *quantized = matrix.take();
    return Status::success();
  };
  std::vector<PackedTensor> packed;
  packed.push_back({std::string(info->name),
                    gguf::TensorType::I8,
                    {rowBytes, info->rows()},
                    [=](uint8_t *out, uint64_t) -> Status {
                      TERNC_RETURN_IF_ERROR(quantize());
                      writeRows(**quantized, out);
                      return Status::success();
                    }});
  packed.push_back({rowScalesName(info->name),
                    gguf::TensorType::F32,
                    {info->rows()},
                    [=](uint8_t *out, uint64_t) -> Status {
                      TERNC_RETURN_IF_ERROR(quantize());
                      storeFloats((*quantized)->scales, out);
                      return Status::success();
                    }});
  return packed;
}

/// rowScaledPacking of an int8 #tern.row_scaled weight: its rows as they
/// are (reference::quantizeRows).
std::vector<PackedTensor> int8Packing(const gguf::GgufFile &file,
                                      const gguf::TensorInfo &tensor) {
  return rowScaledPacking<reference::RowScaledMatrix>(
      file, tensor, reference::quantizeTensorRows, tensor.ne[0],
      [](const reference::RowScaledMatrix &matrix, uint8_t *out) {
        std::memcpy(out, matrix.values.data(), matrix.values.size());
      });
}

/// rowScaledPacking of a 4-bit #tern.row_scaled weight: each row's
/// reference::quantizeRowsQ4 values and sub-scales packed as
/// backends/common/Q4Layout.h says.
std::vector<PackedTensor> q4Packing(const gguf::GgufFile &file,
                                    const gguf::TensorInfo &tensor) {
  const auto in = static_cast<int64_t>(tensor.ne[0]);
  const int64_t rowBytes = backends::q4RowBytes(in);
  return rowScaledPacking<reference::Q4Matrix>(
      file, tensor, reference::quantizeTensorRowsQ4,
      static_cast<uint64_t>(rowBytes),
      [=](const reference::Q4Matrix &matrix, uint8_t *out) {
        const auto rows = static_cast<int64_t>(matrix.values.shape(0));
        for (int64_t r = 0; r < rows; ++r)
          backends::packQ4Row(&matrix.values(r, 0), &matrix.groupScales(r, 0),
                              in, out + r * rowBytes);
      });
}

/// The packed tensors of `weight` (a tern.weight after layout selection)
/// stored as `tensor` in `file`: one, or two for a #tern.row_scaled weight.
std::vector<PackedTensor> packingOf(tern::WeightOp weight,
                                    const gguf::GgufFile &file,
                                    const gguf::TensorInfo &tensor) {
  if (tern::isRowScaledQ4(weight.getType()))
    return q4Packing(file, tensor);
  if (tern::isRowScaled(weight.getType()))
    return int8Packing(file, tensor);
  const gguf::TensorInfo *info = &tensor;
  const gguf::GgufFile *source = &file;
  std::vector<uint64_t> ne(tensor.ne.begin(), tensor.ne.begin() + tensor.nDims);
  auto one = [&](gguf::TensorType type, gguf::GgufWriter::Fill fill) {
    return std::vector<PackedTensor>{
        {std::string(tensor.name), type, ne, std::move(fill)}};
  };
  // The file's bytes, when they already are the packed form.
  auto copied = [=](uint8_t *out, uint64_t size) -> Status {
    std::memcpy(out, source->tensorData(*info).data, size);
    return Status::success();
  };
  if (auto ternary = dyn_cast<tern::TernaryType>(weight.getType())) {
    if (tensor.type == gguf::TensorType::I2_S)
      return one(gguf::TensorType::I2_S, copied);
    // The trits are the signs of the decoded values (every storage holds
    // trit * scale); the kernels take the scale from the type.
    float scale = ternary.getScaleValue();
    return one(
        gguf::TensorType::I2_S, [=](uint8_t *out, uint64_t size) -> Status {
          Expected<std::vector<float>> values =
              gguf::dequantizeTensor(*source, *info);
          if (!values)
            return Status(values.error());
          for (float &value : *values)
            value = value > 0 ? 1.0f : (value < 0 ? -1.0f : 0.0f);
          std::vector<uint8_t> bytes;
          TERNC_RETURN_IF_ERROR(gguf::quantize(
              gguf::TensorType::I2_S, values->data(), values->size(), bytes));
          storeLittleEndian<float>(bytes.data() + info->elements / 4, scale);
          std::memcpy(out, bytes.data(), size);
          return Status::success();
        });
  }
  Type element = cast<RankedTensorType>(weight.getType()).getElementType();
  auto interleave =
      weight->getAttrOfType<IntegerAttr>(tern::kRowInterleaveAttr);
  if (element.isF16() && tensor.type == gguf::TensorType::F16 && interleave) {
    // Interleaved rows come in whole groups.
    const int64_t group = interleave.getInt();
    const uint64_t groupRows = static_cast<uint64_t>(group);
    ne.resize(2, 1);
    ne[1] = (tensor.rows() + groupRows - 1) / groupRows * groupRows;
    return one(gguf::TensorType::F16, [=](uint8_t *out, uint64_t) -> Status {
      // f16 bit patterns, moved as they are.
      backends::interleaveRows(
          reinterpret_cast<const uint16_t *>(source->tensorData(*info).data),
          static_cast<int64_t>(info->rows()), static_cast<int64_t>(info->ne[0]),
          group, reinterpret_cast<uint16_t *>(out));
      return Status::success();
    });
  }
  if (element.isF16() && tensor.type == gguf::TensorType::F16)
    return one(gguf::TensorType::F16, copied);
  return one(gguf::TensorType::F32, [=](uint8_t *out, uint64_t) -> Status {
    Expected<std::vector<float>> values =
        gguf::dequantizeTensor(*source, *info);
    if (!values)
      return Status(values.error());
    storeFloats(*values, out);
    return Status::success();
  });
}

} // namespace

Expected<PackedWeights> PackedWeights::plan(ModuleOp module,
                                            const gguf::GgufFile &source,
                                            const std::string &backend,
                                            uint32_t alignment) {
  PackedWeights packed;
  gguf::GgufWriter &writer = packed.writer_;
  for (const gguf::KeyValue &entry : source.metadata())
    writer.set(std::string(entry.key),
               gguf::MetadataValue::fromValue(entry.value));
  TERNC_RETURN_IF_ERROR(writer.setAlignment(alignment));
  writer.set("ternc.backend", gguf::MetadataValue::ofString(backend));

  // Each GGUF tensor is packed once, however many functions use it; its
  // index in the file follows the order of first use.
  llvm::StringMap<size_t> indices;
  Status status = Status::success();
  module.walk([&](tern::WeightOp weight) {
    std::string name = weight.getTensor().str();
    if (!status.ok() || indices.count(name))
      return;
    const gguf::TensorInfo *tensor = source.findTensor(name);
    if (!tensor) {
      status = makeError("{}: no tensor '{}' to pack", source.name(), name);
      return;
    }
    for (PackedTensor &tensorPacking : packingOf(weight, source, *tensor)) {
      if (!status.ok())
        break;
      const size_t index = indices.size();
      indices[tensorPacking.name] = index;
      gguf::GgufWriter::Fill fill = std::move(tensorPacking.fill);
      status = writer.addTensor(
          tensorPacking.name, tensorPacking.type, std::move(tensorPacking.ne),
          [fill, &source, tensor](uint8_t *out, uint64_t size) -> Status {
            TERNC_RETURN_IF_ERROR(fill(out, size));
            source.releaseTensorData(*tensor);
            return Status::success();
          });
    }
  });
  TERNC_RETURN_IF_ERROR(status);

  Expected<std::vector<uint64_t>> offsets = writer.tensorOffsets();
  if (!offsets)
    return offsets.error();
  Expected<uint64_t> size = writer.fileSize();
  if (!size)
    return size.error();
  packed.size_ = *size;
  Builder builder(module.getContext());
  auto offsetOf = [&](llvm::StringRef name) {
    return builder.getI64IntegerAttr(
        static_cast<int64_t>((*offsets)[indices.lookup(name)]));
  };
  module.walk([&](tern::WeightOp weight) {
    weight->setAttr(tern::kWeightOffsetAttr, offsetOf(weight.getTensor()));
    if (tern::isRowScaled(weight.getType()))
      weight->setAttr(tern::kRowScalesOffsetAttr,
                      offsetOf(rowScalesName(weight.getTensor())));
  });
  return packed;
}

Status PackedWeights::serialize(const gguf::GgufWriter::Sink &sink,
                                const Progress &progress) const {
  uint64_t done = 0;
  return writer_.serialize([&](const void *data, uint64_t size) -> Status {
    TERNC_RETURN_IF_ERROR(sink(data, size));
    done += size;
    if (progress)
      progress(done, size_);
    return Status::success();
  });
}

Status PackedWeights::write(const std::string &path,
                            const Progress &progress) const {
  Expected<std::unique_ptr<OutputFile>> file = OutputFile::create(path);
  if (!file)
    return file.error();
  TERNC_RETURN_IF_ERROR(serialize(
      [&](const void *data, uint64_t size) {
        return (*file)->write(data, size);
      },
      progress));
  return (*file)->commit();
}

} // namespace ternc
