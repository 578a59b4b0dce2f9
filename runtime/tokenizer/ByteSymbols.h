//===- ByteSymbols.h - GPT-2's byte-level token alphabet --------*- C++ -*-===//
//
// Byte-level BPE vocabularies (tokenizer.ggml.model = "gpt2") store tokens as
// text in which every byte is one code point of GPT-2's bytes_to_unicode: the
// 188 printable bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for
// themselves; the other 68 map, in byte order, to U+0100..U+0143 (so ' ' is
// 'Ġ' U+0120 and '\n' is 'Ċ' U+010A).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_TOKENIZER_BYTESYMBOLS_H
#define TERNC_RUNTIME_TOKENIZER_BYTESYMBOLS_H

#include <string>
#include <string_view>

namespace ternc::tokenizer {

/// The UTF-8 text of the symbols of `bytes`: how GGUF stores byte-level
/// tokens and merges.
std::string encodeByteSymbols(std::string_view bytes);

/// The bytes of a byte-level token's text. A code point that is no symbol is
/// kept as it is (UTF-8 encoded).
std::string decodeByteSymbols(std::string_view text);

} // namespace ternc::tokenizer

#endif // TERNC_RUNTIME_TOKENIZER_BYTESYMBOLS_H
