//===- SafetensorsBytes.h - safetensors files assembled in tests -*- C++ -*-===//

#ifndef TERNC_TEST_COMPILER_CHECKPOINT_SAFETENSORSBYTES_H
#define TERNC_TEST_COMPILER_CHECKPOINT_SAFETENSORSBYTES_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ternc::test {

/// The bytes of a safetensors file, assembled as the format's documentation
/// describes it (independently of the reader): the header's length
/// (little-endian u64), the header, then `data`.
inline std::vector<uint8_t> safetensorsBytes(const std::string &header,
                                             const std::vector<uint8_t> &data) {
  std::vector<uint8_t> bytes(8 + header.size() + data.size());
  const uint64_t length = header.size();
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(length >> (8 * i));
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  if (!data.empty())
    std::memcpy(bytes.data() + 8 + header.size(), data.data(), data.size());
  return bytes;
}

} // namespace ternc::test

#endif // TERNC_TEST_COMPILER_CHECKPOINT_SAFETENSORSBYTES_H
