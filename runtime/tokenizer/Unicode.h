//===- Unicode.h - Code point classes and UTF-8 -----------------*- C++ -*-===//
//
// What the pre-tokenizer regexes ask of a code point (\p{L}, \p{N}, \p{P},
// \s), from a range table generated at build time from the Unicode Character
// Database (generate_unicode_tables.py), and the UTF-8 conversions the
// tokenizer needs.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_TOKENIZER_UNICODE_H
#define TERNC_RUNTIME_TOKENIZER_UNICODE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ternc::tokenizer {

/// The classes of one code point. Each of \p{L}, \p{N} and \p{P} is a set of
/// general categories, so a code point is in at most one of them; \s (the
/// White_Space property) is independent of them.
struct CodePointClass {
  /// \p{L}: general category Lu, Ll, Lt, Lm or Lo.
  bool letter = false;
  /// \p{N}: Nd, Nl or No.
  bool number = false;
  /// \p{P}: Pc, Pd, Ps, Pe, Pi, Pf or Po.
  bool punctuation = false;
  /// \s: the White_Space property.
  bool whiteSpace = false;
};

/// The classes of `codePoint` (none for unassigned code points and values
/// beyond U+10FFFF).
CodePointClass classify(uint32_t codePoint);

/// The Unicode version the class table was generated from, e.g. "15.0.0".
std::string_view unicodeVersion();

/// U+FFFD, which stands for each byte of malformed UTF-8.
inline constexpr uint32_t kReplacementCharacter = 0xFFFD;

/// Decodes UTF-8. Each byte that does not start a well-formed sequence
/// (shortest form, no surrogates, at most U+10FFFF) becomes U+FFFD, as in
/// llama.cpp, so any byte string decodes.
std::vector<uint32_t> decodeUtf8(std::string_view text);

/// Appends the UTF-8 encoding of `codePoint` (at most U+10FFFF) to `out`.
void appendUtf8(std::string &out, uint32_t codePoint);

/// The length of the UTF-8 sequence that a byte starts, read from its high
/// bits alone: 1 for ASCII and for bytes that cannot start a sequence.
size_t utf8SequenceLength(uint8_t leadByte);

/// The length of the longest suffix of `bytes` that is the beginning of a
/// well-formed UTF-8 sequence still missing bytes (0 when `bytes` ends with a
/// complete character or with bytes no continuation can make valid).
size_t incompleteUtf8SuffixLength(std::string_view bytes);

} // namespace ternc::tokenizer

#endif // TERNC_RUNTIME_TOKENIZER_UNICODE_H
