//===- Unicode.cpp - Code point classes and UTF-8 for the tokenizer -------===//
//
// The class table comes from UnicodeTables.inc, which CMake generates in the
// build tree from the Unicode Character Database (see
// generate_unicode_tables.py).
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/Unicode.h"

#include <algorithm>
#include <iterator>

namespace ternc::tokenizer {

namespace {

// The class bits of a table entry.
constexpr uint8_t kLetter = 1;
constexpr uint8_t kNumber = 2;
constexpr uint8_t kPunctuation = 4;
constexpr uint8_t kWhiteSpace = 8;

/// Code points first..last (inclusive) all have the classes `flags`.
struct CodePointRange {
  uint32_t first;
  uint32_t last;
  uint8_t flags;
};

#include "runtime/tokenizer/UnicodeTables.inc"

/// What a UTF-8 lead byte announces: the sequence length (0 for a byte that
/// cannot start one) and the range of the second byte, which excludes
/// overlong forms, surrogates and values beyond U+10FFFF. Later bytes are
/// 0x80..0xBF.
struct LeadByte {
  size_t length;
  uint8_t secondMin;
  uint8_t secondMax;
};

LeadByte describeLeadByte(uint8_t byte) {
  if (byte < 0x80)
    return {1, 0, 0};
  if (byte >= 0xC2 && byte <= 0xDF)
    return {2, 0x80, 0xBF};
  if (byte == 0xE0)
    return {3, 0xA0, 0xBF};
  if (byte == 0xED)
    return {3, 0x80, 0x9F};
  if (byte >= 0xE1 && byte <= 0xEF)
    return {3, 0x80, 0xBF};
  if (byte == 0xF0)
    return {4, 0x90, 0xBF};
  if (byte >= 0xF1 && byte <= 0xF3)
    return {4, 0x80, 0xBF};
  if (byte == 0xF4)
    return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

/// How many bytes at the start of `bytes` (the first being a valid lead byte
/// described by `lead`) belong to a well-formed sequence, at most its length.
size_t wellFormedPrefixLength(std::string_view bytes, LeadByte lead) {
  size_t length = 1;
  while (length < lead.length && length < bytes.size()) {
    auto byte = static_cast<uint8_t>(bytes[length]);
    uint8_t min = length == 1 ? lead.secondMin : 0x80;
    uint8_t max = length == 1 ? lead.secondMax : 0xBF;
    if (byte < min || byte > max)
      break;
    ++length;
  }
  return length;
}

} // namespace

CodePointClass classify(uint32_t codePoint) {
  const CodePointRange *end = std::end(kCodePointRanges);
  const CodePointRange *range = std::upper_bound(
      std::begin(kCodePointRanges), end, codePoint,
      [](uint32_t value, const CodePointRange &r) { return value < r.first; });
  CodePointClass result;
  if (range == std::begin(kCodePointRanges) || codePoint > (--range)->last)
    return result;
  result.letter = range->flags & kLetter;
  result.number = range->flags & kNumber;
  result.punctuation = range->flags & kPunctuation;
  result.whiteSpace = range->flags & kWhiteSpace;
  return result;
}

std::string_view unicodeVersion() { return kUnicodeVersion; }

std::vector<uint32_t> decodeUtf8(std::string_view text) {
  std::vector<uint32_t> codePoints;
  codePoints.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    auto lead = static_cast<uint8_t>(text[pos]);
    LeadByte described = describeLeadByte(lead);
    if (described.length == 0 ||
        wellFormedPrefixLength(text.substr(pos), described) <
            described.length) {
      codePoints.push_back(kReplacementCharacter);
      ++pos;
      continue;
    }
    // The payload bits of the lead byte, then six bits per continuation byte.
    static constexpr uint8_t kLeadPayloadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t codePoint = lead & kLeadPayloadMask[described.length];
    for (size_t i = 1; i < described.length; ++i)
      codePoint =
          (codePoint << 6) | (static_cast<uint8_t>(text[pos + i]) & 0x3F);
    codePoints.push_back(codePoint);
    pos += described.length;
  }
  return codePoints;
}

void appendUtf8(std::string &out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xC0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xE0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  }
}

size_t utf8SequenceLength(uint8_t leadByte) {
  // By the high four bits: 0xxx -> 1, 10xx (continuation) -> 1, 110x -> 2,
  // 1110 -> 3, 1111 -> 4.
  static constexpr uint8_t kLengthByHighBits[16] = {1, 1, 1, 1, 1, 1, 1, 1,
                                                    1, 1, 1, 1, 2, 2, 3, 4};
  return kLengthByHighBits[leadByte >> 4];
}

size_t incompleteUtf8SuffixLength(std::string_view bytes) {
  // A sequence is at most 4 bytes, so an incomplete one starts at one of the
  // last 3 bytes: the last byte that is not a continuation byte (10xxxxxx).
  for (size_t suffix = 1; suffix <= std::min<size_t>(3, bytes.size());
       ++suffix) {
    std::string_view tail = bytes.substr(bytes.size() - suffix);
    auto first = static_cast<uint8_t>(tail[0]);
    if ((first & 0xC0) == 0x80)
      continue;
    LeadByte lead = describeLeadByte(first);
    return lead.length > suffix && wellFormedPrefixLength(tail, lead) == suffix
               ? suffix
               : 0;
  }
  return 0;
}

} // namespace ternc::tokenizer
