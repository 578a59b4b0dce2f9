//===- SafetensorsWriter.h - Write safetensors files ------------*- C++ -*-===//
//
// Builds a safetensors file (docs/formats.md §8) from tensors whose bytes a
// callback produces at write time, one tensor at a time, so a checkpoint of
// billions of weights is written without holding it in memory. The header
// lists the tensors in the order they were added, padded with spaces to a
// multiple of 8 bytes as the reference writer does; the file appears only
// once it is complete.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CHECKPOINT_SAFETENSORSWRITER_H
#define TERNC_COMPILER_CHECKPOINT_SAFETENSORSWRITER_H

#include "compiler/checkpoint/SafetensorsFile.h"
#include "runtime/support/OutputFile.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ternc::checkpoint {

/// Accumulates tensors and metadata, then writes one safetensors file.
class SafetensorsWriter {
public:
  /// Produces exactly `size` bytes of tensor data into `destination`.
  using Fill = std::function<Status(uint8_t *destination, uint64_t size)>;
  /// Receives the file's bytes in order.
  using Sink = ByteSink;

  /// Sets `__metadata__[key]`.
  void setMetadata(const std::string &key, std::string value);
  /// Adds a tensor of `dtype` and `shape` (outermost first) whose bytes
  /// `fill` produces at write time. Fails on an empty or repeated name.
  Status addTensor(const std::string &name, Dtype dtype,
                   std::vector<uint64_t> shape, Fill fill);

  /// Writes the file; on failure no file is left at `path`.
  Status write(const std::string &path) const;
  /// Serializes the file into memory (tests).
  Expected<std::vector<uint8_t>> writeToMemory() const;
  /// Serializes the file through `sink`, one tensor's fill at a time.
  Status serialize(const Sink &sink) const;
  /// The bytes of all tensors' data together.
  uint64_t dataSize() const;

private:
  struct PendingTensor {
    std::string name;
    Dtype dtype;
    std::vector<uint64_t> shape;
    uint64_t byteSize;
    Fill fill;
  };
  /// The 8-byte length and the padded JSON header.
  std::vector<uint8_t> header() const;

  std::map<std::string, std::string> metadata_;
  std::vector<PendingTensor> tensors_;
};

} // namespace ternc::checkpoint

#endif // TERNC_COMPILER_CHECKPOINT_SAFETENSORSWRITER_H
