//===- TokenizerTest.cpp - Tokenizers of hand-made and built-in vocabularies
//===//
//
// Byte-level BPE on ternc's built-in vocabulary (no tokenizer.ggml.pre, so
// llama.cpp's default pre-tokenizer) and on tiny vocabularies whose merges
// can be followed by hand; SentencePiece BPE on a tiny vocabulary; special
// tokens, BOS, the streaming detokenizer and the loader's errors.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/Tokenizer.h"

#include "test/runtime/tokenizer/TestVocabularies.h"

#include <fmt/format.h>

#include <algorithm>
#include <gtest/gtest.h>
#include <optional>

using namespace ternc;
using namespace ternc::tokenizer;
using namespace ternc::tokenizer::test;
using Ids = std::vector<TokenId>;

namespace {

EncodeOptions withoutBos() {
  EncodeOptions options;
  options.addBos = false;
  return options;
}

EncodeOptions parsingSpecials(bool addBos = false) {
  EncodeOptions options;
  options.addBos = addBos;
  options.parseSpecial = true;
  return options;
}

//===----------------------------------------------------------------------===//
// The built-in vocabulary: 256 byte tokens (token b is byte b), merges,
// Llama 3's special tokens at 1019..1023
//===----------------------------------------------------------------------===//

class BuiltinTokenizerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    Expected<Tokenizer> loaded =
        loadTokenizer(vocabularyImage(model::builtinVocabulary()));
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    tokenizer_ = new Tokenizer(loaded.take());
  }
  static void TearDownTestSuite() { delete tokenizer_; }

  static constexpr TokenId kBos = 1019, kEos = 1020, kEot = 1023;
  static const Tokenizer *tokenizer_;
};

const Tokenizer *BuiltinTokenizerTest::tokenizer_ = nullptr;

TEST_F(BuiltinTokenizerTest, ReadsTheVocabulary) {
  const Tokenizer &t = *tokenizer_;
  EXPECT_EQ(t.model(), TokenizerModel::ByteLevelBpe);
  EXPECT_EQ(t.preTokenizer(), PreTokenizer::Default);
  EXPECT_EQ(t.size(), 1024u);
  EXPECT_EQ(t.bos(), kBos);
  EXPECT_EQ(t.eos(), kEos);
  // No eot_token_id key: found by its text, as llama.cpp does.
  EXPECT_EQ(t.eot(), kEot);
  EXPECT_TRUE(t.addsBos());
  EXPECT_EQ(t.text(' '), "\xC4\xA0");
  EXPECT_EQ(t.type(kEot), TokenType::Control);
  EXPECT_EQ(t.find("<|eot_id|>"), kEot);
  EXPECT_EQ(t.find("no such token"), std::nullopt);
}

TEST_F(BuiltinTokenizerTest, EndOfGenerationIsEosOrEot) {
  EXPECT_TRUE(tokenizer_->isEndOfGeneration(kEos));
  EXPECT_TRUE(tokenizer_->isEndOfGeneration(kEot));
  EXPECT_FALSE(tokenizer_->isEndOfGeneration(kBos));
  EXPECT_FALSE(tokenizer_->isEndOfGeneration('a'));
}

TEST_F(BuiltinTokenizerTest, BytesWithoutMergesAreByteTokens) {
  EXPECT_EQ(tokenizer_->encode("~", withoutBos()), (Ids{'~'}));
  // The built-in corpus is ASCII: no merge joins the bytes of an emoji.
  EXPECT_EQ(tokenizer_->encode("\xF0\x9F\x98\x80", withoutBos()),
            (Ids{0xF0, 0x9F, 0x98, 0x80}));
}

TEST_F(BuiltinTokenizerTest, PrependsBosUnlessAskedNotTo) {
  EXPECT_EQ(tokenizer_->encode("~"), (Ids{kBos, '~'}));
  EXPECT_EQ(tokenizer_->encode(""), (Ids{kBos}));
  EXPECT_EQ(tokenizer_->encode("", withoutBos()), Ids{});
}

TEST_F(BuiltinTokenizerTest, SpecialTokensOnlyWhenParsed) {
  EXPECT_EQ(tokenizer_->encode("~<|eot_id|>~", parsingSpecials()),
            (Ids{'~', kEot, '~'}));
  EXPECT_EQ(tokenizer_->encode("<|eot_id|><|eot_id|>", parsingSpecials(true)),
            (Ids{kBos, kEot, kEot}));
  Ids plain = tokenizer_->encode("~<|eot_id|>~", withoutBos());
  EXPECT_EQ(std::count(plain.begin(), plain.end(), kEot), 0);
  EXPECT_GT(plain.size(), 3u);
  EXPECT_EQ(tokenizer_->decode(plain), "~<|eot_id|>~");
}

TEST_F(BuiltinTokenizerTest, ControlTokensRenderOnlyWhenAsked) {
  Ids ids{kBos, 'h', 'i', kEot};
  EXPECT_EQ(tokenizer_->decode(ids), "hi");
  EXPECT_EQ(tokenizer_->decode(ids, /*renderSpecial=*/true),
            "<|begin_of_text|>hi<|eot_id|>");
  EXPECT_EQ(tokenizer_->tokenToPiece(' '), " ");
  EXPECT_EQ(tokenizer_->tokenToPiece('\n'), "\n");
  EXPECT_EQ(tokenizer_->tokenToPiece(kEot), "");
}

TEST_F(BuiltinTokenizerTest, DecodesWhatItEncodes) {
  for (const std::string &text : readCorpus())
    EXPECT_EQ(tokenizer_->decode(tokenizer_->encode(text)), text) << text;
}

TEST_F(BuiltinTokenizerTest, MalformedUtf8IsEncodedAsReplacementCharacters) {
  EXPECT_EQ(tokenizer_->decode(tokenizer_->encode("z\xFFz")), "z\xEF\xBF\xBDz");
}

TEST_F(BuiltinTokenizerTest, DetokenizerHoldsBackSplitCharacters) {
  Ids emoji = tokenizer_->encode("\xF0\x9F\x98\x80", withoutBos());
  ASSERT_EQ(emoji.size(), 4u);
  Detokenizer detokenizer(*tokenizer_);
  EXPECT_EQ(detokenizer.push('a'), "a");
  EXPECT_EQ(detokenizer.push(emoji[0]), "");
  EXPECT_EQ(detokenizer.push(emoji[1]), "");
  EXPECT_EQ(detokenizer.push(emoji[2]), "");
  EXPECT_EQ(detokenizer.push(emoji[3]), "\xF0\x9F\x98\x80");
  EXPECT_EQ(detokenizer.flush(), "");
}

TEST_F(BuiltinTokenizerTest, DetokenizerPassesBytesThatCannotComplete) {
  Detokenizer detokenizer(*tokenizer_);
  // A stray continuation byte is never part of a character.
  EXPECT_EQ(detokenizer.push(0x80), "\x80");
  // A lead byte waits; a following ASCII byte shows it was broken.
  EXPECT_EQ(detokenizer.push(0xC3), "");
  EXPECT_EQ(detokenizer.push('a'), std::string("\xC3") + "a");
  // Whatever is still held at the end comes out of flush.
  EXPECT_EQ(detokenizer.push(0xE4), "");
  EXPECT_EQ(detokenizer.flush(), "\xE4");
  EXPECT_EQ(detokenizer.flush(), "");
}

TEST_F(BuiltinTokenizerTest, DetokenizerCanRenderControlTokens) {
  Detokenizer detokenizer(*tokenizer_, /*renderSpecial=*/true);
  EXPECT_EQ(detokenizer.push(kEot), "<|eot_id|>");
}

//===----------------------------------------------------------------------===//
// Tiny byte-level vocabularies: the 256 byte symbols plus a few merges
//===----------------------------------------------------------------------===//

/// The built-in vocabulary's 256 byte tokens, then `extra` tokens made by
/// `merges` (in rank order), then <|end_of_text|> as BOS and EOS.
model::Vocabulary byteLevelVocabulary(const std::vector<std::string> &extra,
                                      const std::vector<std::string> &merges) {
  model::Vocabulary builtin = model::builtinVocabulary();
  model::Vocabulary vocabulary;
  vocabulary.tokens.assign(builtin.tokens.begin(),
                           builtin.tokens.begin() + 256);
  vocabulary.tokens.insert(vocabulary.tokens.end(), extra.begin(), extra.end());
  vocabulary.tokenTypes.assign(vocabulary.tokens.size(),
                               static_cast<int32_t>(TokenType::Normal));
  vocabulary.tokens.push_back("<|end_of_text|>");
  vocabulary.tokenTypes.push_back(static_cast<int32_t>(TokenType::Control));
  vocabulary.scores.assign(vocabulary.tokens.size(), 0.0f);
  vocabulary.merges = merges;
  vocabulary.bosId = vocabulary.eosId = vocabulary.paddingId =
      static_cast<uint32_t>(vocabulary.tokens.size() - 1);
  vocabulary.addBos = false;
  return vocabulary;
}

Ids encodeWith(const model::Vocabulary &vocabulary, std::string_view text) {
  Expected<Tokenizer> tokenizer = loadTokenizer(vocabularyImage(vocabulary));
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.error().message();
  return tokenizer.ok() ? tokenizer->encode(text) : Ids{};
}

TEST(ByteLevelBpeTest, LowestRankMergesFirst) {
  // Tokens 256 "ab", 257 "bc", 258 "abc".
  std::vector<std::string> extra = {"ab", "bc", "abc"};
  // "b c" outranks "a b": a + bc has no merge.
  EXPECT_EQ(
      encodeWith(byteLevelVocabulary(extra, {"b c", "a b", "ab c"}), "abc"),
      (Ids{'a', 257}));
  // "a b" outranks "b c": then ab + c makes abc.
  EXPECT_EQ(
      encodeWith(byteLevelVocabulary(extra, {"a b", "b c", "ab c"}), "abc"),
      (Ids{258}));
}

TEST(ByteLevelBpeTest, EqualRanksMergeLeftmostFirst) {
  EXPECT_EQ(encodeWith(byteLevelVocabulary({"aa"}, {"a a"}), "aaa"),
            (Ids{256, 'a'}));
  EXPECT_EQ(encodeWith(byteLevelVocabulary({"aa"}, {"a a"}), "aaaa"),
            (Ids{256, 256}));
}

TEST(ByteLevelBpeTest, Llama3PreTokensThatAreTokensSkipMerging) {
  // "xyz" is a token that no merge reaches.
  model::Vocabulary vocabulary = byteLevelVocabulary({"xyz"}, {});
  EXPECT_EQ(encodeWith(vocabulary, "xyz"), (Ids{'x', 'y', 'z'}));
  vocabulary.pre = "llama-bpe";
  EXPECT_EQ(encodeWith(vocabulary, "xyz"), (Ids{256}));
}

TEST(ByteLevelBpeTest, Llama3PreTokenizerAddsBosByDefault) {
  model::Vocabulary vocabulary = byteLevelVocabulary({}, {});
  vocabulary.pre = "llama-bpe";
  Expected<Tokenizer> tokenizer = loadTokenizer(vocabularyImage(
      vocabulary, {}, /*omittedKey=*/"tokenizer.ggml.add_bos_token"));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message();
  EXPECT_TRUE(tokenizer->addsBos());
  EXPECT_EQ(tokenizer->encode("x"), (Ids{256, 'x'}));
}

//===----------------------------------------------------------------------===//
// SentencePiece BPE
//===----------------------------------------------------------------------===//

constexpr TokenId kUnk = 0, kSpmBos = 1;
/// Token ids 3..258 are <0x00>..<0xFF>.
constexpr TokenId byteToken(uint8_t byte) { return 3 + byte; }
/// Then ▁ h e l o a (259..264), ll he ▁he ▁hell ▁hello aa (265..270), <tag>.
constexpr TokenId kSpace = 259, kO = 263, kA = 264, kLL = 265, kHE = 266,
                  kSpaceHELL = 268, kSpaceHELLO = 269, kAA = 270, kTag = 271;

/// <unk>, <s>, </s>, the byte tokens, then pieces with scores chosen so
/// that "▁hello" merges ll, he, ▁he, ▁hell, ▁hello in that order, and the
/// user-defined token <tag>.
model::Vocabulary sentencePieceVocabulary() {
  model::Vocabulary vocabulary;
  vocabulary.model = "llama";
  auto add = [&](std::string text, TokenType type, float score) {
    vocabulary.tokens.push_back(std::move(text));
    vocabulary.tokenTypes.push_back(static_cast<int32_t>(type));
    vocabulary.scores.push_back(score);
  };
  add("<unk>", TokenType::Unknown, 0);
  add("<s>", TokenType::Control, 0);
  add("</s>", TokenType::Control, 0);
  for (int byte = 0; byte < 256; ++byte)
    add(fmt::format("<0x{:02X}>", byte), TokenType::Byte, 0);
  for (const char *single : {"\xE2\x96\x81", "h", "e", "l", "o", "a"})
    add(single, TokenType::Normal, -10);
  add("ll", TokenType::Normal, -1);
  add("he", TokenType::Normal, -2);
  add("\xE2\x96\x81he", TokenType::Normal, -3);
  add("\xE2\x96\x81hell", TokenType::Normal, -1.5);
  add("\xE2\x96\x81hello", TokenType::Normal, -0.5);
  add("aa", TokenType::Normal, -1);
  add("<tag>", TokenType::UserDefined, 0);
  vocabulary.bosId = kSpmBos;
  vocabulary.eosId = 2;
  vocabulary.paddingId = kUnk;
  vocabulary.addBos = true;
  return vocabulary;
}

class SentencePieceTest : public ::testing::Test {
protected:
  void SetUp() override {
    Expected<Tokenizer> loaded =
        loadTokenizer(vocabularyImage(sentencePieceVocabulary()));
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    tokenizer_.emplace(loaded.take());
  }

  std::optional<Tokenizer> tokenizer_;
};

TEST_F(SentencePieceTest, MergesTheBestScoringPairFirst) {
  EXPECT_EQ(tokenizer_->model(), TokenizerModel::SentencePieceBpe);
  EXPECT_EQ(tokenizer_->encode("hello"), (Ids{kSpmBos, kSpaceHELLO}));
  // ▁hell + x: "x" has no token and falls back to its byte.
  EXPECT_EQ(tokenizer_->encode("hellx", withoutBos()),
            (Ids{kSpaceHELL, byteToken('x')}));
  // Spaces become ▁; nothing merges across them here.
  EXPECT_EQ(tokenizer_->encode("a a", withoutBos()),
            (Ids{kSpace, kA, kSpace, kA}));
}

TEST_F(SentencePieceTest, EqualScoresMergeLeftmostFirst) {
  EXPECT_EQ(tokenizer_->encode("aaa", withoutBos()), (Ids{kSpace, kAA, kA}));
}

TEST_F(SentencePieceTest, BytesWithoutTokensFallBackToByteTokens) {
  // "▁é" is no token and neither is "é": its two UTF-8 bytes are used.
  EXPECT_EQ(tokenizer_->encode("\xC3\xA9", withoutBos()),
            (Ids{kSpace, byteToken(0xC3), byteToken(0xA9)}));
  EXPECT_EQ(tokenizer_->decode(tokenizer_->encode("\xC3\xA9")), "\xC3\xA9");
}

TEST_F(SentencePieceTest, DecodeRemovesThePrefixSpace) {
  EXPECT_EQ(tokenizer_->decode({kSpaceHELLO}), "hello");
  EXPECT_EQ(tokenizer_->decode({kSpmBos, kSpaceHELLO, kSpace, kA}), "hello a");
  EXPECT_EQ(tokenizer_->tokenToPiece(kSpaceHELLO), " hello");
  EXPECT_EQ(tokenizer_->tokenToPiece(byteToken('x')), "x");
  for (const char *text : {"hello", "a a", " hello  world\n", "x\xC3\xA9y"})
    EXPECT_EQ(tokenizer_->decode(tokenizer_->encode(text)), text) << text;
}

TEST_F(SentencePieceTest, SpecialTokensAndSpacePrefixAfterThem) {
  // After a special token the text gets a prefix space again.
  EXPECT_EQ(tokenizer_->encode("<s>hello", parsingSpecials()),
            (Ids{kSpmBos, kSpaceHELLO}));
  // Unparsed, "<s>" is text: bytes for < s >, then h e l l o merge to he ll o.
  EXPECT_EQ(tokenizer_->encode("<s>hello", withoutBos()),
            (Ids{kSpace, byteToken('<'), byteToken('s'), byteToken('>'), kHE,
                 kLL, kO}));
  // User-defined tokens are always matched, as in llama.cpp.
  EXPECT_EQ(tokenizer_->encode("hello<tag>hello", withoutBos()),
            (Ids{kSpaceHELLO, kTag, kSpaceHELLO}));
  EXPECT_EQ(tokenizer_->decode({kSpaceHELLO, kTag, kSpaceHELLO}),
            "hello<tag> hello");
}

TEST_F(SentencePieceTest, DetokenizerJoinsAnEmojiSplitIntoByteTokens) {
  Ids ids = tokenizer_->encode("\xF0\x9F\x98\x80", withoutBos());
  ASSERT_EQ(ids, (Ids{kSpace, byteToken(0xF0), byteToken(0x9F), byteToken(0x98),
                      byteToken(0x80)}));
  Detokenizer detokenizer(*tokenizer_);
  std::vector<std::string> outputs;
  for (TokenId id : ids)
    outputs.push_back(detokenizer.push(id));
  EXPECT_EQ(outputs,
            (std::vector<std::string>{" ", "", "", "", "\xF0\x9F\x98\x80"}));
}

TEST(SentencePieceOptionsTest, WithoutSpacePrefix) {
  Expected<Tokenizer> tokenizer =
      loadTokenizer(vocabularyImage(sentencePieceVocabulary(), [](auto &w) {
        w.set("tokenizer.ggml.add_space_prefix",
              gguf::MetadataValue::ofBool(false));
      }));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message();
  EXPECT_EQ(tokenizer->encode("hello", withoutBos()), (Ids{kHE, kLL, kO}));
  EXPECT_EQ(tokenizer->decode({kSpace, kHE}), " he");
}

TEST(SentencePieceOptionsTest, ByteWithoutTokenBecomesUnknown) {
  model::Vocabulary vocabulary = sentencePieceVocabulary();
  vocabulary.tokens[byteToken('x')] = "<0xZZ>";
  vocabulary.tokenTypes[byteToken('x')] =
      static_cast<int32_t>(TokenType::Normal);
  Expected<Tokenizer> tokenizer = loadTokenizer(vocabularyImage(vocabulary));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message();
  EXPECT_EQ(tokenizer->encode("hellx", withoutBos()), (Ids{kSpaceHELL, kUnk}));
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// The message of loading the built-in vocabulary without `omittedKey` and
/// with `edit`; "" when it loads.
std::string loadError(const std::function<void(gguf::GgufWriter &)> &edit,
                      std::string_view omittedKey = {}) {
  Expected<Tokenizer> tokenizer = loadTokenizer(
      vocabularyImage(model::builtinVocabulary(), edit, omittedKey));
  return tokenizer.ok() ? std::string() : tokenizer.error().message();
}

void setString(gguf::GgufWriter &writer, const char *key, std::string value) {
  writer.set(key, gguf::MetadataValue::ofString(std::move(value)));
}

TEST(TokenizerErrorTest, MissingKeysAreNamed) {
  for (const char *key : {"tokenizer.ggml.model", "tokenizer.ggml.tokens",
                          "tokenizer.ggml.merges"})
    EXPECT_EQ(loadError({}, key),
              fmt::format("vocab.gguf: metadata key '{}' is missing", key));
}

TEST(TokenizerErrorTest, UnknownPreTokenizerIsNamed) {
  std::string message =
      loadError([](auto &w) { setString(w, "tokenizer.ggml.pre", "qwen2"); });
  EXPECT_NE(message.find("vocab.gguf: tokenizer.ggml.pre: unknown "
                         "pre-tokenizer \"qwen2\""),
            std::string::npos)
      << message;
}

TEST(TokenizerErrorTest, UnsupportedModelIsNamed) {
  std::string message =
      loadError([](auto &w) { setString(w, "tokenizer.ggml.model", "bert"); });
  EXPECT_NE(message.find("vocab.gguf: tokenizer.ggml.model: unsupported "
                         "tokenizer model \"bert\""),
            std::string::npos)
      << message;
}

TEST(TokenizerErrorTest, WrongTypesAreNamed) {
  EXPECT_EQ(loadError([](auto &w) {
              w.set("tokenizer.ggml.tokens", gguf::MetadataValue::ofU32(7));
            }),
            "vocab.gguf: metadata key 'tokenizer.ggml.tokens' has type u32, "
            "expected an array of strings");
  EXPECT_EQ(
      loadError([](auto &w) {
        w.set("tokenizer.ggml.merges", gguf::MetadataValue::ofI32Array({1, 2}));
      }),
      "vocab.gguf: metadata key 'tokenizer.ggml.merges' is an array of "
      "i32, expected an array of strings");
  EXPECT_EQ(loadError([](auto &w) {
              w.set("tokenizer.ggml.bos_token_id",
                    gguf::MetadataValue::ofString("1"));
            }),
            "vocab.gguf: metadata key 'tokenizer.ggml.bos_token_id' has type "
            "string, expected a non-negative integer");
}

TEST(TokenizerErrorTest, MergesMustJoinTokensIntoAToken) {
  EXPECT_EQ(loadError([](auto &w) {
              w.set("tokenizer.ggml.merges",
                    gguf::MetadataValue::ofStrings({"t h", "qqq j"}));
            }),
            "vocab.gguf: tokenizer.ggml.merges: merge 1 \"qqq j\": \"qqq\" "
            "is not a token");
  EXPECT_EQ(loadError([](auto &w) {
              w.set("tokenizer.ggml.merges",
                    gguf::MetadataValue::ofStrings({"q j"}));
            }),
            "vocab.gguf: tokenizer.ggml.merges: merge 0 \"q j\": \"qj\" is "
            "not a token");
  EXPECT_EQ(loadError([](auto &w) {
              w.set("tokenizer.ggml.merges",
                    gguf::MetadataValue::ofStrings({"ab"}));
            }),
            "vocab.gguf: tokenizer.ggml.merges: merge 0 \"ab\": expected two "
            "tokens separated by a space");
}

TEST(TokenizerErrorTest, PerTokenArraysMustMatchTheTokens) {
  EXPECT_EQ(loadError([](auto &w) {
              w.set("tokenizer.ggml.scores",
                    gguf::MetadataValue::ofF32Array({0.0f, 1.0f}));
            }),
            "vocab.gguf: tokenizer.ggml.scores: has 2 entries but there are "
            "1024 tokens");
}

TEST(TokenizerErrorTest, SpecialIdsMustBeTokens) {
  EXPECT_EQ(loadError([](auto &w) {
              w.set("tokenizer.ggml.eos_token_id",
                    gguf::MetadataValue::ofU32(5000));
            }),
            "vocab.gguf: tokenizer.ggml.eos_token_id: token 5000 is beyond "
            "the 1024 tokens");
}

TEST(TokenizerErrorTest, TokensMustBeUnique) {
  EXPECT_EQ(
      loadError([](auto &w) {
        std::vector<std::string> tokens = model::builtinVocabulary().tokens;
        tokens[1023] = tokens[1019];
        w.set("tokenizer.ggml.tokens", gguf::MetadataValue::ofStrings(tokens));
      }),
      "vocab.gguf: tokenizer.ggml.tokens: tokens 1019 and 1023 are both "
      "\"<|begin_of_text|>\"");
}

TEST(TokenizerErrorTest, ByteTokensMustBeHexBytes) {
  model::Vocabulary vocabulary = sentencePieceVocabulary();
  vocabulary.tokens[byteToken(7)] = "<0x7>";
  Expected<Tokenizer> tokenizer = loadTokenizer(vocabularyImage(vocabulary));
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.error().message(),
            "vocab.gguf: tokenizer.ggml.tokens: token 10 \"<0x7>\" has type "
            "BYTE but is not of the form <0xXX>");
}

} // namespace
