//===- Bytes.h - Non-owning views of byte ranges ----------------*- C++ -*-===//

#ifndef TERNC_RUNTIME_SUPPORT_BYTES_H
#define TERNC_RUNTIME_SUPPORT_BYTES_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ternc {

/// A read-only view of `size` bytes starting at `data` (C++17 has no span).
struct ByteSpan {
  const uint8_t *data = nullptr;
  size_t size = 0;

  const uint8_t *begin() const { return data; }
  const uint8_t *end() const { return data + size; }
  /// The bytes [offset, offset + length); the caller checks the bounds.
  ByteSpan slice(size_t offset, size_t length) const {
    return {data + offset, length};
  }
};

/// Reads a little-endian value of trivially copyable type T from `p`, which
/// need not be aligned. ternc supports little-endian hosts only.
template <typename T> T loadLittleEndian(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

/// Writes `value` little-endian at `p`, which need not be aligned.
template <typename T> void storeLittleEndian(uint8_t *p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

} // namespace ternc

#endif // TERNC_RUNTIME_SUPPORT_BYTES_H
