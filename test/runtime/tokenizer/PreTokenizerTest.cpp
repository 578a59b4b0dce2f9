//===- PreTokenizerTest.cpp - The regex splits, computed by hand ----------===//
//
// Every expected split here was worked out from the regexes
// (docs/formats.md §5.2), not by running the code.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/PreTokenizer.h"

#include <gtest/gtest.h>

using namespace ternc::tokenizer;
using Pieces = std::vector<std::string>;

namespace {

TEST(PreTokenizerTest, NamesAsLlamaCppSpellsThem) {
  EXPECT_EQ(preTokenizerNamed("default"), PreTokenizer::Default);
  EXPECT_EQ(preTokenizerNamed("gpt-2"), PreTokenizer::Gpt2);
  for (const char *name : {"llama-bpe", "llama3", "llama-v3"})
    EXPECT_EQ(preTokenizerNamed(name), PreTokenizer::Llama3) << name;
  EXPECT_EQ(preTokenizerNamed("qwen2"), std::nullopt);
  EXPECT_EQ(preTokenizerNamed(""), std::nullopt);
}

TEST(PreTokenizerTest, EmptyTextHasNoPieces) {
  for (PreTokenizer p :
       {PreTokenizer::Default, PreTokenizer::Gpt2, PreTokenizer::Llama3})
    EXPECT_TRUE(preTokenize(p, "").empty());
}

//===----------------------------------------------------------------------===//
// Default: [\p{P}\$\+<=>\^~\|]+, then GPT-2's regex, \p{N}+, [0-9]{3}
//===----------------------------------------------------------------------===//

TEST(DefaultPreTokenizerTest, PunctuationWordsAndDigitTriples) {
  // 1: "Hello" "," " world" "!!" " 123 4567"; 2: " 123" " 4567" split;
  // 3: " " "123", " " "4567"; 4: "456" "7".
  EXPECT_EQ(
      preTokenize(PreTokenizer::Default, "Hello, world!! 123 4567"),
      (Pieces{"Hello", ",", " world", "!!", " ", "123", " ", "456", "7"}));
}

TEST(DefaultPreTokenizerTest, PunctuationRunsComeFirst) {
  // The apostrophe is \p{P}, so split 1 cuts "'m" before GPT-2's regex sees
  // the contraction; $ + = < > ~ | ^ are listed in split 1 too.
  EXPECT_EQ(preTokenize(PreTokenizer::Default, "I'm $5+3=8 <ok> a~b|c^d"),
            (Pieces{"I", "'",  "m", " ",  "$", "5", "+", "3", "=", "8", " ",
                    "<", "ok", ">", " a", "~", "b", "|", "c", "^", "d"}));
  // The backtick (Sk) is the one ASCII symbol split 1 leaves alone.
  EXPECT_EQ(preTokenize(PreTokenizer::Default, "`x` ``"),
            (Pieces{"`", "x", "`", " ``"}));
}

TEST(DefaultPreTokenizerTest, WhiteSpaceRuns) {
  // "  b": \s+(?!\S) takes one space, " ?\p{L}+" the other with the letter.
  // "\t\tc": the first tab by \s+(?!\S); the second matches nothing before
  // "c" and is a piece of its own. A newline at the end matches \s+(?!\S).
  EXPECT_EQ(preTokenize(PreTokenizer::Default, "a  b\t\tc\n"),
            (Pieces{"a", " ", " b", "\t", "\t", "c", "\n"}));
  EXPECT_EQ(preTokenize(PreTokenizer::Default, "   "), (Pieces{"   "}));
}

TEST(DefaultPreTokenizerTest, UnicodeClasses) {
  // « (Pi) and »— (Pf, Pd) are \p{P}; Arabic-Indic digits are \p{N} but not
  // [0-9], so split 4 leaves them whole.
  EXPECT_EQ(preTokenize(PreTokenizer::Default,
                        "\u00abGr\u00fc\u00dfe\u00bb\u2014\u0661\u0662\u0663"
                        "\u0664"),
            (Pieces{"\u00ab", "Gr\u00fc\u00dfe", "\u00bb\u2014",
                    "\u0661\u0662\u0663\u0664"}));
}

TEST(DefaultPreTokenizerTest, LongDigitRunsGoInThrees) {
  EXPECT_EQ(preTokenize(PreTokenizer::Default, "x12345678"),
            (Pieces{"x", "123", "456", "78"}));
}

//===----------------------------------------------------------------------===//
// GPT-2
//===----------------------------------------------------------------------===//

TEST(Gpt2PreTokenizerTest, ContractionsAreLowerCaseOnly) {
  EXPECT_EQ(preTokenize(PreTokenizer::Gpt2, "Don't stop   now!!"),
            (Pieces{"Don", "'t", " stop", "  ", " now", "!!"}));
  EXPECT_EQ(preTokenize(PreTokenizer::Gpt2, "DON'T"),
            (Pieces{"DON", "'", "T"}));
  EXPECT_EQ(preTokenize(PreTokenizer::Gpt2, "a 123 ...x"),
            (Pieces{"a", " 123", " ...", "x"}));
}

//===----------------------------------------------------------------------===//
// Llama 3
//===----------------------------------------------------------------------===//

TEST(Llama3PreTokenizerTest, WordsAndContractionsInAnyCase) {
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "Hello world"),
            (Pieces{"Hello", " world"}));
  // "  x": \s+(?!\S) leaves one space to [^\r\n\p{L}\p{N}]?\p{L}+;
  // "\n\n  y": \s*[\r\n]+ stops after the last newline.
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "I'M here's  x\n\n  y"),
            (Pieces{"I", "'M", " here", "'s", " ", " x", "\n\n", " ", " y"}));
  // Any non-letter, non-digit, non-newline code point can lead a word.
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "(hi)\tthere"),
            (Pieces{"(hi", ")", "\tthere"}));
}

TEST(Llama3PreTokenizerTest, NumbersInGroupsOfAtMostThree) {
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "12345 67"),
            (Pieces{"123", "45", " ", "67"}));
}

TEST(Llama3PreTokenizerTest, PunctuationTakesFollowingNewlines) {
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "end.\n\nNext"),
            (Pieces{"end", ".\n\n", "Next"}));
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "  ...\r\n"),
            (Pieces{" ", " ...\r\n"}));
}

TEST(Llama3PreTokenizerTest, WhiteSpaceIsUnicodeWhiteSpace) {
  // No-break space is White_Space and not a letter: it leads the word.
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "x\u00a0y"),
            (Pieces{"x", "\u00a0y"}));
  // NEL (U+0085) is White_Space too: "\s+(?!\S)" takes the first, the
  // second leads the word. (JavaScript's \s lacks U+0085.)
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "a\u0085\u0085b"),
            (Pieces{"a", "\u0085", "\u0085b"}));
}

TEST(Llama3PreTokenizerTest, MalformedUtf8BecomesReplacementCharacters) {
  // U+FFFD is a symbol (So), so the two join one run.
  EXPECT_EQ(preTokenize(PreTokenizer::Llama3, "a\xff\xfe"),
            (Pieces{"a", "\xEF\xBF\xBD\xEF\xBF\xBD"}));
}

} // namespace
