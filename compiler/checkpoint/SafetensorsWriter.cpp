//===- SafetensorsWriter.cpp - Write safetensors files --------------------===//

#include "compiler/checkpoint/SafetensorsWriter.h"

#include "runtime/support/OutputFile.h"

#include <nlohmann/json.hpp>

namespace ternc::checkpoint {

void SafetensorsWriter::setMetadata(const std::string &key,
                                    std::string value) {
  metadata_[key] = std::move(value);
}

Status SafetensorsWriter::addTensor(const std::string &name, Dtype dtype,
                                    std::vector<uint64_t> shape, Fill fill) {
  if (name.empty() || name == "__metadata__")
    return makeError("safetensors tensor name '{}' is reserved or empty",
                     name);
  for (const PendingTensor &tensor : tensors_)
    if (tensor.name == name)
      return makeError("safetensors tensor '{}' added twice", name);
  uint64_t elements = 1;
  for (uint64_t dimension : shape)
    elements *= dimension;
  tensors_.push_back({name, dtype, std::move(shape),
                      elements * dtypeSize(dtype), std::move(fill)});
  return Status::success();
}

uint64_t SafetensorsWriter::dataSize() const {
  uint64_t size = 0;
  for (const PendingTensor &tensor : tensors_)
    size += tensor.byteSize;
  return size;
}

std::vector<uint8_t> SafetensorsWriter::header() const {
  nlohmann::ordered_json document = nlohmann::ordered_json::object();
  if (!metadata_.empty())
    document["__metadata__"] = metadata_;
  uint64_t offset = 0;
  for (const PendingTensor &tensor : tensors_) {
    document[tensor.name] = {{"dtype", std::string(dtypeName(tensor.dtype))},
                             {"shape", tensor.shape},
                             {"data_offsets",
                              {offset, offset + tensor.byteSize}}};
    offset += tensor.byteSize;
  }
  std::string text = document.dump();
  text.resize((text.size() + 7) / 8 * 8, ' ');
  std::vector<uint8_t> bytes(8);
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(uint64_t(text.size()) >> (8 * i));
  bytes.insert(bytes.end(), text.begin(), text.end());
  return bytes;
}

Status SafetensorsWriter::serialize(const Sink &sink) const {
  std::vector<uint8_t> head = header();
  TERNC_RETURN_IF_ERROR(sink(head.data(), head.size()));
  std::vector<uint8_t> buffer;
  for (const PendingTensor &tensor : tensors_) {
    buffer.assign(tensor.byteSize, 0);
    Status filled = tensor.fill(buffer.data(), tensor.byteSize);
    if (!filled.ok())
      return makeError("tensor '{}': {}", tensor.name,
                       filled.error().message());
    TERNC_RETURN_IF_ERROR(sink(buffer.data(), buffer.size()));
  }
  return Status::success();
}

Status SafetensorsWriter::write(const std::string &path) const {
  return writeSerialized(path, [this](const ByteSink &sink) {
    return serialize(sink);
  });
}

Expected<std::vector<uint8_t>> SafetensorsWriter::writeToMemory() const {
  return serializeToMemory(
      [this](const ByteSink &sink) { return serialize(sink); });
}

} // namespace ternc::checkpoint
