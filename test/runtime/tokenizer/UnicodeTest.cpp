//===- UnicodeTest.cpp - Code point classes and UTF-8 helpers -------------===//

#include "runtime/tokenizer/Unicode.h"

#include <gtest/gtest.h>

using namespace ternc::tokenizer;

namespace {

/// The classes of `codePoint` as a string of L, N, P and S (white space).
std::string classesOf(uint32_t codePoint) {
  CodePointClass c = classify(codePoint);
  return std::string(c.letter ? "L" : "") + (c.number ? "N" : "") +
         (c.punctuation ? "P" : "") + (c.whiteSpace ? "S" : "");
}

TEST(UnicodeTest, TableComesFromTheUnicodeCharacterDatabase) {
  // Debian 12's unicode-data is Unicode 15.0.
  EXPECT_FALSE(unicodeVersion().empty());
  EXPECT_NE(unicodeVersion().find('.'), std::string_view::npos);
}

TEST(UnicodeTest, ClassifiesAscii) {
  EXPECT_EQ(classesOf('a'), "L");
  EXPECT_EQ(classesOf('Z'), "L");
  EXPECT_EQ(classesOf('7'), "N");
  for (char p : std::string("!\"#%&'()*,-./:;?@[\\]_{}"))
    EXPECT_EQ(classesOf(p), "P") << p;
  // Symbols (Sc, Sm, Sk) are not \p{P}.
  for (char s : std::string("$+<=>^`|~"))
    EXPECT_EQ(classesOf(s), "") << s;
  for (char w : std::string(" \t\n\v\f\r"))
    EXPECT_EQ(classesOf(w), "S") << int(w);
  EXPECT_EQ(classesOf(0), "");
  EXPECT_EQ(classesOf(0x7F), "");
}

TEST(UnicodeTest, ClassifiesBeyondAscii) {
  EXPECT_EQ(classesOf(0x00E9), "L"); // é
  EXPECT_EQ(classesOf(0x0416), "L"); // Ж
  EXPECT_EQ(classesOf(0x4E2D), "L"); // 中, inside a First/Last range
  EXPECT_EQ(classesOf(0xAC00), "L"); // 가, Hangul syllables range
  EXPECT_EQ(classesOf(0x02B0), "L"); // ʰ, Lm
  EXPECT_EQ(classesOf(0x0301), "");  // combining acute accent, Mn
  EXPECT_EQ(classesOf(0x0663), "N"); // ٣, Nd
  EXPECT_EQ(classesOf(0x00BD), "N"); // ½, No
  EXPECT_EQ(classesOf(0x216B), "N"); // Ⅻ, Nl
  EXPECT_EQ(classesOf(0x00AB), "P"); // «, Pi
  EXPECT_EQ(classesOf(0x2014), "P"); // —, Pd
  EXPECT_EQ(classesOf(0x3001), "P"); // 、
  EXPECT_EQ(classesOf(0x20AC), "");  // €, Sc
  EXPECT_EQ(classesOf(0x1F600), ""); // 😀, So
  EXPECT_EQ(classesOf(0x200B), "");  // zero width space, Cf
  EXPECT_EQ(classesOf(0x0378), "");  // unassigned
  EXPECT_EQ(classesOf(0x110000), "");
}

TEST(UnicodeTest, WhiteSpaceIsTheWhiteSpaceProperty) {
  for (uint32_t w : {0x0085u, 0x00A0u, 0x1680u, 0x2000u, 0x200Au, 0x2028u,
                     0x2029u, 0x202Fu, 0x205Fu, 0x3000u})
    EXPECT_TRUE(classify(w).whiteSpace) << std::hex << w;
  // Not White_Space, although some regex engines treat them as \s.
  for (uint32_t n : {0x001Cu, 0x001Fu, 0x180Eu, 0x200Bu, 0xFEFFu})
    EXPECT_FALSE(classify(n).whiteSpace) << std::hex << n;
}

TEST(UnicodeTest, DecodesUtf8) {
  EXPECT_EQ(decodeUtf8("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80"),
            (std::vector<uint32_t>{'a', 0xE9, 0x4E2D, 0x1F600}));
  EXPECT_TRUE(decodeUtf8("").empty());
}

TEST(UnicodeTest, EachMalformedByteBecomesOneReplacementCharacter) {
  constexpr uint32_t R = kReplacementCharacter;
  // A stray continuation byte, a truncated sequence, an overlong '/', a
  // surrogate, a value beyond U+10FFFF and a byte that never occurs.
  EXPECT_EQ(decodeUtf8(std::string("\x80") + "a"),
            (std::vector<uint32_t>{R, 'a'}));
  EXPECT_EQ(decodeUtf8(std::string("\xE4\xB8") + "a"),
            (std::vector<uint32_t>{R, R, 'a'}));
  EXPECT_EQ(decodeUtf8("\xC0\xAF"), (std::vector<uint32_t>{R, R}));
  EXPECT_EQ(decodeUtf8("\xED\xA0\x80"), (std::vector<uint32_t>{R, R, R}));
  EXPECT_EQ(decodeUtf8("\xF4\x90\x80\x80"),
            (std::vector<uint32_t>{R, R, R, R}));
  EXPECT_EQ(decodeUtf8("\xFF"), (std::vector<uint32_t>{R}));
}

TEST(UnicodeTest, EncodesUtf8) {
  std::string out;
  for (uint32_t c : {0x24u, 0xE9u, 0x20ACu, 0x1F600u})
    appendUtf8(out, c);
  EXPECT_EQ(out, "$\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(UnicodeTest, SequenceLengthFromTheLeadByte) {
  EXPECT_EQ(utf8SequenceLength('a'), 1u);
  EXPECT_EQ(utf8SequenceLength(0x80), 1u);
  EXPECT_EQ(utf8SequenceLength(0xC3), 2u);
  EXPECT_EQ(utf8SequenceLength(0xE4), 3u);
  EXPECT_EQ(utf8SequenceLength(0xF0), 4u);
}

TEST(UnicodeTest, FindsAnIncompleteCharacterAtTheEnd) {
  EXPECT_EQ(incompleteUtf8SuffixLength(""), 0u);
  EXPECT_EQ(incompleteUtf8SuffixLength("abc"), 0u);
  EXPECT_EQ(incompleteUtf8SuffixLength("a\xF0"), 1u);
  EXPECT_EQ(incompleteUtf8SuffixLength("a\xF0\x9F"), 2u);
  EXPECT_EQ(incompleteUtf8SuffixLength("a\xF0\x9F\x98"), 3u);
  EXPECT_EQ(incompleteUtf8SuffixLength("a\xF0\x9F\x98\x80"), 0u);
  EXPECT_EQ(incompleteUtf8SuffixLength("\xC3"), 1u);
  // Bytes that no continuation can make valid are not held back.
  EXPECT_EQ(incompleteUtf8SuffixLength("a\x80"), 0u);
  EXPECT_EQ(incompleteUtf8SuffixLength(std::string("\xF0") + "a"), 0u);
  EXPECT_EQ(incompleteUtf8SuffixLength("\xE0\x80"), 0u); // overlong
  EXPECT_EQ(incompleteUtf8SuffixLength("\xF5"), 0u);
}

} // namespace
