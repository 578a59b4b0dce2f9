//===- PackWeights.cpp - The weights a compiled model embeds --------------===//

#include "compiler/codegen/PackWeights.h"

#include "backends/common/Q4Layout.h"
#include "backends/common/RowInterleave.h"
#include "compiler/reference/ReferenceOps.h"
#include "compiler/transforms/WeightPacking.h"
#include "dialects/Tern/IR/TernOps.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Bytes.h"
#include "runtime/support/OutputFile.h"

#include "llvm/ADT/StringSet.h"

#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace ternc {

using namespace mlir;

namespace {

/// Writes `values` as f32 bytes into `destination`.
void storeFloats(const std::vector<float> &values, uint8_t *destination) {
  for (size_t i = 0; i < values.size(); ++i)
    storeLittleEndian<float>(destination + 4 * i, values[i]);
}

using Fill = gguf::GgufWriter::Fill;

/// The fills of a #tern.row_scaled weight's two packed tensors (its rows,
/// which `writeRows(matrix, out)` writes from the Matrix that
/// `quantizeTensor(file, tensor)` makes, then their f32 scales). The values
/// are quantized once, when the first of the two is written.
template <typename Matrix, typename Quantize, typename WriteRows>
std::vector<Fill> rowScaledFills(const gguf::GgufFile &file,
                                 const gguf::TensorInfo &tensor,
                                 Quantize quantizeTensor, WriteRows writeRows) {
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
  return {[=](uint8_t *out, uint64_t) -> Status {
            TERNC_RETURN_IF_ERROR(quantize());
            writeRows(**quantized, out);
            return Status::success();
          },
          [=](uint8_t *out, uint64_t) -> Status {
            TERNC_RETURN_IF_ERROR(quantize());
            storeFloats((*quantized)->scales, out);
            return Status::success();
          }};
}

/// The fills of the packed tensors of `weight` (a tern.weight after layout
/// selection, WeightPacking.h's packedTensorsOf), stored as `tensor` in
/// `file`, in the same order.
Expected<std::vector<Fill>> fillsOf(tern::WeightOp weight,
                                    const gguf::GgufFile &file,
                                    const gguf::TensorInfo &tensor) {
  const gguf::TensorInfo *info = &tensor;
  const gguf::GgufFile *source = &file;
  if (tern::isRowScaledQ4(weight.getType())) {
    const auto in = static_cast<int64_t>(tensor.ne[0]);
    const int64_t rowBytes = backends::q4RowBytes(in);
    return rowScaledFills<reference::Q4Matrix>(
        file, tensor, reference::quantizeTensorRowsQ4,
        [=](const reference::Q4Matrix &matrix, uint8_t *out) {
          const auto rows = static_cast<int64_t>(matrix.values.shape(0));
          for (int64_t r = 0; r < rows; ++r)
            backends::packQ4Row(&matrix.values(r, 0),
                                &matrix.groupScales(r, 0), in,
                                out + r * rowBytes);
        });
  }
  if (tern::isRowScaled(weight.getType()))
    return rowScaledFills<reference::RowScaledMatrix>(
        file, tensor, reference::quantizeTensorRows,
        [](const reference::RowScaledMatrix &matrix, uint8_t *out) {
          std::memcpy(out, matrix.values.data(), matrix.values.size());
        });
  // The file's bytes, when they already are the packed form.
  Fill copied = [=](uint8_t *out, uint64_t size) -> Status {
    std::memcpy(out, source->tensorData(*info).data, size);
    return Status::success();
  };
  if (auto ternary = dyn_cast<tern::TernaryType>(weight.getType())) {
    if (ternary.getStorage() != tern::TernaryStorage::I2_S)
      return makeError("{}: weight '{}': ternc packs ternary weights as I2_S "
                       "only, not {}",
                       file.name(), tensor.name,
                       tern::stringifyTernaryStorage(ternary.getStorage()).str());
    auto interleave =
        weight->getAttrOfType<IntegerAttr>(tern::kRowInterleaveAttr);
    if (tensor.type == gguf::TensorType::I2_S && !interleave)
      return std::vector<Fill>{copied};
    // The trits are the signs of the decoded values (every storage holds
    // trit * scale); the kernels take the scale from the type, and the
    // file's I2_S trailer keeps it after the last (padded) row.
    const float scale = ternary.getScaleValue();
    const int64_t group = interleave ? interleave.getInt() : 1;
    return std::vector<Fill>{[=](uint8_t *out, uint64_t size) -> Status {
      std::vector<uint8_t> bytes;
      const uint8_t *trits = nullptr;
      if (info->type == gguf::TensorType::I2_S) {
        trits = source->tensorData(*info).data;
      } else {
        Expected<std::vector<float>> values =
            gguf::dequantizeTensor(*source, *info);
        if (!values)
          return Status(values.error());
        for (float &value : *values)
          value = value > 0 ? 1.0f : (value < 0 ? -1.0f : 0.0f);
        TERNC_RETURN_IF_ERROR(gguf::quantize(
            gguf::TensorType::I2_S, values->data(), values->size(), bytes));
        trits = bytes.data();
      }
      const int64_t rows = static_cast<int64_t>(info->rows());
      const int64_t in = static_cast<int64_t>(info->ne[0]);
      const uint64_t codes = static_cast<uint64_t>(
          (rows + group - 1) / group * group * in / 4);
      if (codes + sizeof(float) > size)
        return makeError("{}: weight '{}': {} bytes of packed I2_S do not "
                         "fit the {} planned",
                         source->name(), info->name, codes + sizeof(float),
                         size);
      std::memset(out, 0, size);
      if (group > 1)
        backends::interleaveI2SRows(trits, rows, in, group, out);
      else
        std::memcpy(out, trits, codes);
      storeLittleEndian<float>(out + codes, scale);
      return Status::success();
    }};
  }
  Type element = cast<RankedTensorType>(weight.getType()).getElementType();
  if (element.isF16()) {
    // The importer gives f16 only to tensors the file stores as F16.
    if (tensor.type != gguf::TensorType::F16)
      return makeError("{}: weight '{}' is f16 in the IR but {} in the file",
                       file.name(), tensor.name, gguf::typeName(tensor.type));
    auto interleave =
        weight->getAttrOfType<IntegerAttr>(tern::kRowInterleaveAttr);
    if (!interleave)
      return std::vector<Fill>{copied};
    const int64_t group = interleave.getInt();
    return std::vector<Fill>{[=](uint8_t *out, uint64_t) -> Status {
      // f16 bit patterns, moved as they are.
      backends::interleaveRows(
          reinterpret_cast<const uint16_t *>(source->tensorData(*info).data),
          static_cast<int64_t>(info->rows()), static_cast<int64_t>(info->ne[0]),
          group, reinterpret_cast<uint16_t *>(out));
      return Status::success();
    }};
  }
  return std::vector<Fill>{[=](uint8_t *out, uint64_t) -> Status {
    Expected<std::vector<float>> values =
        gguf::dequantizeTensor(*source, *info);
    if (!values)
      return Status(values.error());
    storeFloats(*values, out);
    return Status::success();
  }};
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
  // How the ternary matmuls quantize their activations, as the IR says
  // (--numerics), for the binary's --version.
  std::set<std::string> activations;
  module.walk([&](Operation *op) {
    if (auto matmul = dyn_cast<tern::BitLinearOp>(op))
      activations.insert(
          tern::stringifyActivationQuant(matmul.getActivations()).str());
    if (auto fused = dyn_cast<tern::RMSNormBitLinearOp>(op))
      activations.insert(
          tern::stringifyActivationQuant(fused.getActivations()).str());
  });
  std::string activationList;
  for (const std::string &name : activations)
    activationList += (activationList.empty() ? "" : ",") + name;
  writer.set("ternc.ternary_activations",
             gguf::MetadataValue::ofString(activationList));

  // Each GGUF tensor is packed once, however many weights read it, in the
  // order tern-plan-weights laid them out; the offsets it recorded are
  // checked against the writer's below.
  llvm::StringSet<> packedWeights;
  std::vector<std::pair<std::string, int64_t>> plannedOffsets;
  Status status = Status::success();
  module.walk([&](tern::WeightOp weight) {
    std::string name = weight.getTensor().str();
    if (!status.ok() || !packedWeights.insert(name).second)
      return;
    const gguf::TensorInfo *tensor = source.findTensor(name);
    if (!tensor) {
      status = makeError("{}: no tensor '{}' to pack", source.name(), name);
      return;
    }
    FailureOr<SmallVector<tern::PackedTensorSpec, 2>> specs =
        tern::packedTensorsOf(weight);
    if (failed(specs)) {
      status = makeError("{}: weight '{}' has no packed form (diagnostic "
                         "above)",
                         source.name(), name);
      return;
    }
    auto offset = weight->getAttrOfType<IntegerAttr>(tern::kWeightOffsetAttr);
    auto scalesOffset =
        weight->getAttrOfType<IntegerAttr>(tern::kRowScalesOffsetAttr);
    if (!offset || (specs->size() > 1 && !scalesOffset)) {
      status = makeError("weight '{}' has no packing plan: run "
                         "tern-plan-weights before packing",
                         name);
      return;
    }
    Expected<std::vector<Fill>> fills = fillsOf(weight, source, *tensor);
    if (!fills) {
      status = fills.error();
      return;
    }
    for (size_t i = 0; i < specs->size() && status.ok(); ++i) {
      tern::PackedTensorSpec &spec = (*specs)[i];
      plannedOffsets.emplace_back(
          spec.name, (i == 0 ? offset : scalesOffset).getInt());
      Fill fill = std::move((*fills)[i]);
      status = writer.addTensor(
          spec.name, spec.type, std::move(spec.ne),
          [fill, &source, tensor](uint8_t *out, uint64_t size) -> Status {
            TERNC_RETURN_IF_ERROR(fill(out, size));
            source.releaseTensorData(*tensor);
            return Status::success();
          });
    }
  });
  TERNC_RETURN_IF_ERROR(status);

  Expected<std::vector<uint64_t>> offsets = writer.tensorDataOffsets();
  if (!offsets)
    return offsets.error();
  for (size_t i = 0; i < plannedOffsets.size(); ++i) {
    const auto &[name, planned] = plannedOffsets[i];
    const uint64_t actual = (*offsets)[i];
    if (static_cast<uint64_t>(planned) != actual)
      return makeError("packed tensor '{}': the IR plans it at offset {} of "
                       "the tensor data, the packed file would put it at {} "
                       "(tern-plan-weights and the packer disagree, e.g. on "
                       "the alignment {})",
                       name, planned, actual, alignment);
  }
  Expected<uint64_t> size = writer.fileSize();
  if (!size)
    return size.error();
  packed.size_ = *size;
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
