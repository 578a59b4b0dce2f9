//===- ByteSymbols.cpp - GPT-2's byte-level token alphabet ----------------===//

#include "runtime/tokenizer/ByteSymbols.h"

#include "runtime/tokenizer/Unicode.h"

#include <array>
#include <cstdint>
#include <optional>

namespace ternc::tokenizer {
namespace {

/// The two directions of bytes_to_unicode.
class ByteSymbolTable {
public:
  static constexpr uint32_t kSymbolLimit = 0x144;

  ByteSymbolTable() {
    uint32_t nextUnprintable = 0x100;
    for (uint32_t byte = 0; byte < 256; ++byte) {
      bool printable = (byte >= '!' && byte <= '~') ||
                       (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
      symbolOfByte[byte] = printable ? byte : nextUnprintable++;
      byteOfSymbol[symbolOfByte[byte]] = static_cast<uint8_t>(byte);
    }
  }

  std::array<uint32_t, 256> symbolOfByte{};
  std::array<std::optional<uint8_t>, kSymbolLimit> byteOfSymbol{};
};

const ByteSymbolTable &table() {
  static const ByteSymbolTable symbols;
  return symbols;
}

} // namespace

std::string encodeByteSymbols(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size() * 2);
  for (char byte : bytes)
    appendUtf8(text, table().symbolOfByte[static_cast<uint8_t>(byte)]);
  return text;
}

std::string decodeByteSymbols(std::string_view text) {
  std::string bytes;
  for (uint32_t codePoint : decodeUtf8(text)) {
    if (codePoint < ByteSymbolTable::kSymbolLimit &&
        table().byteOfSymbol[codePoint])
      bytes += static_cast<char>(*table().byteOfSymbol[codePoint]);
    else
      appendUtf8(bytes, codePoint);
  }
  return bytes;
}

} // namespace ternc::tokenizer
