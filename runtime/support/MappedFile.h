//===- MappedFile.h - Read-only memory mapping of a file --------*- C++ -*-===//

#ifndef TERNC_RUNTIME_SUPPORT_MAPPEDFILE_H
#define TERNC_RUNTIME_SUPPORT_MAPPEDFILE_H

#include "runtime/support/Bytes.h"
#include "runtime/support/Error.h"

#include <memory>
#include <string>

namespace ternc {

/// A whole file mapped read-only (MAP_PRIVATE), unmapped on destruction.
/// Tensor data is used in place: nothing is copied at open time.
class MappedFile {
public:
  /// Maps `path`; an empty file maps to an empty span.
  static Expected<std::unique_ptr<MappedFile>> open(const std::string &path);
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  ByteSpan bytes() const { return {data_, size_}; }
  /// Drops the process's pages of `range` (within bytes()): they are read
  /// again from the file if touched later. Keeps the memory a single pass
  /// over a large file holds at a time small.
  void release(ByteSpan range) const;
  const std::string &path() const { return path_; }

private:
  MappedFile(std::string path, const uint8_t *data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}

  std::string path_;
  const uint8_t *data_;
  size_t size_;
};

} // namespace ternc

#endif // TERNC_RUNTIME_SUPPORT_MAPPEDFILE_H
