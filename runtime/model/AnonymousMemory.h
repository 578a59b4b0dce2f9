//===- AnonymousMemory.h - Page-aligned zeroed memory from mmap -*- C++ -*-===//
//
// The runtime's large buffers (KV cache, arenas, loaded weights) come from
// anonymous mappings: page aligned (so 64-byte aligned), zero on first touch
// and backed lazily, so a cache sized for the whole context costs memory
// only as positions fill.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_ANONYMOUSMEMORY_H
#define TERNC_RUNTIME_MODEL_ANONYMOUSMEMORY_H

#include "runtime/support/Error.h"

#include <cstddef>
#include <cstdint>

namespace ternc {

/// An owned anonymous private mapping, unmapped on destruction. Move-only.
class AnonymousMemory {
public:
  /// An empty buffer.
  AnonymousMemory() = default;
  /// Maps `bytes` zeroed bytes (none for 0); with `hugePages`, asks the
  /// kernel for transparent huge pages (a hint that may be ignored). `what`
  /// names the buffer in the error message.
  static Expected<AnonymousMemory> allocate(size_t bytes, bool hugePages,
                                            const char *what);

  AnonymousMemory(AnonymousMemory &&other) noexcept;
  AnonymousMemory &operator=(AnonymousMemory &&other) noexcept;
  AnonymousMemory(const AnonymousMemory &) = delete;
  AnonymousMemory &operator=(const AnonymousMemory &) = delete;
  ~AnonymousMemory();

  uint8_t *data() const { return data_; }
  size_t size() const { return size_; }

  /// Makes the buffer read-only (after it has been filled).
  Status protectReadOnly();

private:
  AnonymousMemory(uint8_t *data, size_t size, size_t mapped)
      : data_(data), size_(size), mapped_(mapped) {}
  void release();

  uint8_t *data_ = nullptr;
  size_t size_ = 0;
  /// Bytes actually mapped: size_ rounded up to the page size.
  size_t mapped_ = 0;
};

} // namespace ternc

#endif // TERNC_RUNTIME_MODEL_ANONYMOUSMEMORY_H
