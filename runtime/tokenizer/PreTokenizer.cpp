//===- PreTokenizer.cpp - Regex splits before byte-level BPE --------------===//
//
// Each regex is a matcher: a function that returns the length of the match
// starting at the first code point of a piece (0 when there is none), trying
// the regex's alternatives in order as a backtracking regex engine does.
// splitPieces then searches each piece left to right, as llama.cpp's
// std::regex_iterator loop and Hugging Face's Split(Isolated) do: matches and
// the unmatched stretches between them both become pieces.
//
// \s is the Unicode White_Space property, as in Rust's regex and Oniguruma
// (Hugging Face) and llama.cpp's table. Unassigned code points are in no
// class, so they match [^\s\p{L}\p{N}] like any symbol (llama.cpp's custom
// splitters instead leave them unmatched, one per piece).
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/PreTokenizer.h"

#include "runtime/tokenizer/Unicode.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace ternc::tokenizer {

namespace {

//===----------------------------------------------------------------------===//
// Code point tests (the regexes' character classes)
//===----------------------------------------------------------------------===//

/// A character class test; it gets the code point and its Unicode classes.
using CodePointTest = bool (*)(uint32_t codePoint, CodePointClass classes);

/// \p{L}
bool isLetter(uint32_t, CodePointClass classes) { return classes.letter; }
/// \p{N}
bool isNumber(uint32_t, CodePointClass classes) { return classes.number; }
/// \s
bool isWhiteSpace(uint32_t, CodePointClass classes) {
  return classes.whiteSpace;
}
/// [^\s\p{L}\p{N}]
bool isOther(uint32_t, CodePointClass classes) {
  return !classes.whiteSpace && !classes.letter && !classes.number;
}
/// [\r\n]
bool isNewline(uint32_t codePoint, CodePointClass) {
  return codePoint == '\r' || codePoint == '\n';
}
/// [\p{P}\$\+<=>\^~\|]
bool isPunctuationOrOperator(uint32_t codePoint, CodePointClass classes) {
  constexpr std::string_view kOperators = "$+<=>^~|";
  return classes.punctuation ||
         (codePoint < 0x80 &&
          kOperators.find(static_cast<char>(codePoint)) != kOperators.npos);
}
/// [0-9]
bool isAsciiDigit(uint32_t codePoint, CodePointClass) {
  return codePoint >= '0' && codePoint <= '9';
}

//===----------------------------------------------------------------------===//
// Matchers
//===----------------------------------------------------------------------===//

/// The code points of a piece from the matcher's starting position to the
/// piece's end, with their classes.
struct Piece {
  const uint32_t *codePoints;
  const CodePointClass *classes;
  size_t size;

  /// Whether the code point at `index` exists and passes `test`.
  bool passes(size_t index, CodePointTest test) const {
    return index < size && test(codePoints[index], classes[index]);
  }
  /// How many code points from `from` on pass `test`, at most `limit`.
  size_t countWhile(size_t from, CodePointTest test,
                    size_t limit = std::numeric_limits<size_t>::max()) const {
    size_t count = 0;
    while (count < limit && passes(from + count, test))
      ++count;
    return count;
  }
};

/// A regex anchored at the start of a piece: the match length, 0 for none.
using Matcher = size_t (*)(const Piece &piece);

/// 's|'t|'re|'ve|'m|'ll|'d, with the letters in either case when
/// `ignoreCase` (Llama 3's (?i:...); only ASCII letters fold to these).
size_t matchContraction(const Piece &piece, bool ignoreCase) {
  if (piece.size < 2 || piece.codePoints[0] != '\'')
    return 0;
  auto letterAt = [&](size_t index) -> uint32_t {
    uint32_t c = index < piece.size ? piece.codePoints[index] : 0;
    return ignoreCase && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
  };
  uint32_t first = letterAt(1);
  if (first == 's' || first == 't' || first == 'm' || first == 'd')
    return 2;
  uint32_t second = letterAt(2);
  bool twoLetters = (first == 'r' && second == 'e') ||
                    (first == 'v' && second == 'e') ||
                    (first == 'l' && second == 'l');
  return twoLetters ? 3 : 0;
}

/// ` ?X+` for the class X that `inClass` tests.
size_t matchSpaceThenRun(const Piece &piece, CodePointTest inClass) {
  size_t start = piece.codePoints[0] == ' ' && piece.passes(1, inClass) ? 1 : 0;
  size_t run = piece.countWhile(start, inClass);
  return run == 0 ? 0 : start + run;
}

/// \s+(?!\S): a white-space run, less its last code point when a non-space
/// follows (no match when that leaves nothing).
size_t matchWhiteSpaceNotBeforeText(const Piece &piece) {
  size_t run = piece.countWhile(0, isWhiteSpace);
  return run == piece.size ? run : (run == 0 ? 0 : run - 1);
}

/// GPT-2's regex as llama.cpp states it:
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
/// (GPT-2's trailing |\s+ changes nothing: the white space it would match,
/// one code point before a non-space, is left unmatched and becomes a piece
/// of its own anyway).
size_t matchGpt2(const Piece &piece) {
  if (size_t length = matchContraction(piece, /*ignoreCase=*/false))
    return length;
  for (CodePointTest inClass : {isLetter, isNumber, isOther})
    if (size_t length = matchSpaceThenRun(piece, inClass))
      return length;
  return matchWhiteSpaceNotBeforeText(piece);
}

/// Llama 3's regex:
///   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
///    ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
size_t matchLlama3(const Piece &piece) {
  if (size_t length = matchContraction(piece, /*ignoreCase=*/true))
    return length;

  // [^\r\n\p{L}\p{N}]?\p{L}+
  bool prefixed = !piece.passes(0, isNewline) && !piece.passes(0, isLetter) &&
                  !piece.passes(0, isNumber) && piece.passes(1, isLetter);
  if (size_t letters = piece.countWhile(prefixed ? 1 : 0, isLetter))
    return (prefixed ? 1 : 0) + letters;

  // \p{N}{1,3}
  if (size_t digits = piece.countWhile(0, isNumber, 3))
    return digits;

  // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
  if (size_t length = matchSpaceThenRun(piece, isOther))
    return length + piece.countWhile(length, isNewline);

  // \s*[\r\n]+: the white-space run up to its last newline.
  size_t spaces = piece.countWhile(0, isWhiteSpace);
  for (size_t end = spaces; end > 0; --end)
    if (isNewline(piece.codePoints[end - 1], {}))
      return end;

  // \s+(?!\S)|\s+
  if (size_t length = matchWhiteSpaceNotBeforeText(piece))
    return length;
  return spaces;
}

/// [\p{P}\$\+<=>\^~\|]+
size_t matchPunctuationRun(const Piece &piece) {
  return piece.countWhile(0, isPunctuationOrOperator);
}

/// \p{N}+
size_t matchNumberRun(const Piece &piece) {
  return piece.countWhile(0, isNumber);
}

/// [0-9][0-9][0-9]
size_t matchThreeDigits(const Piece &piece) {
  return piece.countWhile(0, isAsciiDigit, 3) == 3 ? 3 : 0;
}

//===----------------------------------------------------------------------===//
// Splitting
//===----------------------------------------------------------------------===//

/// Text as code points and their classes.
struct DecodedText {
  explicit DecodedText(std::string_view text) : codePoints(decodeUtf8(text)) {
    classes.reserve(codePoints.size());
    for (uint32_t codePoint : codePoints)
      classes.push_back(classify(codePoint));
  }

  Piece piece(size_t begin, size_t end) const {
    return {codePoints.data() + begin, classes.data() + begin, end - begin};
  }

  std::vector<uint32_t> codePoints;
  std::vector<CodePointClass> classes;
};

/// Splits every piece of `text` (given by the code point index where each
/// ends) into the matches of `match`, searched left to right, and the
/// stretches between them. Returns the new piece ends.
std::vector<size_t> splitPieces(const DecodedText &text,
                                const std::vector<size_t> &pieceEnds,
                                Matcher match) {
  std::vector<size_t> ends;
  ends.reserve(pieceEnds.size());
  size_t begin = 0;
  for (size_t end : pieceEnds) {
    size_t unmatchedBegin = begin;
    for (size_t pos = begin; pos < end;) {
      size_t length = match(text.piece(pos, end));
      if (length == 0) {
        ++pos;
        continue;
      }
      if (unmatchedBegin < pos)
        ends.push_back(pos);
      pos += length;
      ends.push_back(pos);
      unmatchedBegin = pos;
    }
    if (unmatchedBegin < end)
      ends.push_back(end);
    begin = end;
  }
  return ends;
}

/// The regexes of a pre-tokenizer, in the order they apply.
std::vector<Matcher> regexesOf(PreTokenizer preTokenizer) {
  switch (preTokenizer) {
  case PreTokenizer::Default:
    return {matchPunctuationRun, matchGpt2, matchNumberRun, matchThreeDigits};
  case PreTokenizer::Gpt2:
    return {matchGpt2};
  case PreTokenizer::Llama3:
    return {matchLlama3};
  }
  return {};
}

} // namespace

std::optional<PreTokenizer> preTokenizerNamed(std::string_view name) {
  if (name == "default")
    return PreTokenizer::Default;
  if (name == "gpt-2")
    return PreTokenizer::Gpt2;
  if (name == "llama-bpe" || name == "llama3" || name == "llama-v3")
    return PreTokenizer::Llama3;
  return std::nullopt;
}

std::vector<std::string> preTokenize(PreTokenizer preTokenizer,
                                     std::string_view text) {
  DecodedText decoded(text);
  std::vector<size_t> ends;
  if (!decoded.codePoints.empty())
    ends.push_back(decoded.codePoints.size());
  for (Matcher match : regexesOf(preTokenizer))
    ends = splitPieces(decoded, ends, match);

  std::vector<std::string> pieces;
  pieces.reserve(ends.size());
  size_t begin = 0;
  for (size_t end : ends) {
    std::string &piece = pieces.emplace_back();
    for (size_t i = begin; i < end; ++i)
      appendUtf8(piece, decoded.codePoints[i]);
    begin = end;
  }
  return pieces;
}

} // namespace ternc::tokenizer
