//===- OutputFile.h - Write a file completely or not at all -----*- C++ -*-===//

#ifndef TERNC_RUNTIME_SUPPORT_OUTPUTFILE_H
#define TERNC_RUNTIME_SUPPORT_OUTPUTFILE_H

#include "runtime/support/Error.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ternc {

/// Writes to a temporary file next to the destination and renames it into
/// place on commit(), so a failed or interrupted write never leaves a partial
/// output file. Destroying an uncommitted OutputFile removes the temporary.
class OutputFile {
public:
  static Expected<std::unique_ptr<OutputFile>> create(const std::string &path);
  ~OutputFile();
  OutputFile(const OutputFile &) = delete;
  OutputFile &operator=(const OutputFile &) = delete;

  /// Appends `size` bytes.
  Status write(const void *data, size_t size);
  /// Appends `count` zero bytes.
  Status writeZeros(size_t count);
  /// Bytes written so far.
  uint64_t position() const { return position_; }
  /// Flushes, closes and renames the temporary file onto the destination.
  Status commit();

private:
  OutputFile(std::string path, std::string tempPath, std::FILE *stream)
      : path_(std::move(path)), tempPath_(std::move(tempPath)),
        stream_(stream) {}

  std::string path_;
  std::string tempPath_;
  std::FILE *stream_;
  uint64_t position_ = 0;
};

/// Receives a file's bytes in order.
using ByteSink = std::function<Status(const void *data, uint64_t size)>;
/// Produces a file's bytes through the sink it is given.
using Serializer = std::function<Status(const ByteSink &sink)>;

/// Writes what `serialize` produces to `path` through an OutputFile: on
/// failure no file is left there.
Status writeSerialized(const std::string &path, const Serializer &serialize);
/// What `serialize` produces, in memory.
Expected<std::vector<uint8_t>> serializeToMemory(const Serializer &serialize);

} // namespace ternc

#endif // TERNC_RUNTIME_SUPPORT_OUTPUTFILE_H
