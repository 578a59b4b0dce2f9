//===- GenerateTest.cpp - The text generation loop ------------------------===//

#include "runtime/generate/Generate.h"

#include "test/runtime/generate/FakeSession.h"
#include "test/utils/SyntheticModelFile.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ternc;
using ternc::test::FakeSession;

namespace {

class GenerateTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_NE(file_.file(), nullptr);
    Expected<tokenizer::Tokenizer> built =
        tokenizer::Tokenizer::fromGguf(*file_.file());
    ASSERT_TRUE(built.ok()) << built.error().message();
    tokenizer_.emplace(built.take());
    sampler::SamplerOptions options;
    options.temperature = 0; // Greedy: the fake's favorite wins.
    options.seed = 7;
    Expected<sampler::Sampler> sampler = sampler::Sampler::create(options);
    ASSERT_TRUE(sampler.ok());
    sampler_.emplace(sampler.take());
  }

  /// Generates from `prompt` on `session`, collecting the text.
  Expected<generate::GenerationStats>
  run(FakeSession &session, const std::vector<int32_t> &prompt,
      int64_t predict) {
    generate::GenerationOptions options;
    options.predict = predict;
    options.contextFlag = "-c";
    text_.clear();
    return generate::generate(session, *tokenizer_, *sampler_, prompt, options,
                              [&](const std::string &piece) {
                                text_ += piece;
                              });
  }

  int64_t vocab() const { return static_cast<int64_t>(tokenizer_->size()); }

  test::SyntheticModelFile file_{model::SyntheticModelOptions{}};
  std::optional<tokenizer::Tokenizer> tokenizer_;
  std::optional<sampler::Sampler> sampler_;
  std::string text_;
};

/// Favors the bytes 'a', 'b', 'c' in turn (the built-in vocabulary's token b
/// is byte b).
int32_t abc(int64_t position, int32_t) {
  return static_cast<int32_t>('a' + position % 3);
}

TEST_F(GenerateTest, GeneratesPredictTokensAndStreamsTheirText) {
  FakeSession session(vocab(), 64, abc);
  Expected<generate::GenerationStats> stats = run(session, {1, 2, 3}, 5);
  ASSERT_TRUE(stats.ok()) << stats.error().message();
  // The prompt's last position is 2: 'c', then 'a', 'b', 'c', 'a'.
  EXPECT_EQ(text_, "cabca\n");
  EXPECT_EQ(stats->promptTokens, 3u);
  EXPECT_EQ(stats->generated, 5);
  EXPECT_EQ(stats->seed, 7u);
  // As in `ternc run`: the prompt in one call, then every generated token
  // (the last one too) in a call of its own.
  EXPECT_EQ(session.calls, (std::vector<size_t>{3, 1, 1, 1, 1, 1}));
  EXPECT_EQ(session.position(), 8);
}

TEST_F(GenerateTest, ZeroTokensWritesOnlyTheNewline) {
  FakeSession session(vocab(), 64, abc);
  Expected<generate::GenerationStats> stats = run(session, {1, 2}, 0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(text_, "\n");
  EXPECT_EQ(stats->generated, 0);
}

TEST_F(GenerateTest, StopsAtEndOfGeneration) {
  ASSERT_TRUE(tokenizer_->eos());
  int32_t eos = static_cast<int32_t>(*tokenizer_->eos());
  FakeSession session(vocab(), 64, [&](int64_t position, int32_t token) {
    return position < 4 ? abc(position, token) : eos;
  });
  Expected<generate::GenerationStats> stats = run(session, {1, 2, 3}, -1);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(text_, "ca\n") << "the end-of-generation token is not written";
  EXPECT_EQ(stats->generated, 2);
}

TEST_F(GenerateTest, UnlimitedGenerationStopsAtAFullContext) {
  FakeSession session(vocab(), 6, abc);
  Expected<generate::GenerationStats> stats = run(session, {1, 2, 3}, -1);
  ASSERT_TRUE(stats.ok()) << stats.error().message();
  // Positions 3..5 take three generated tokens; the fourth is sampled from
  // the last logits and written, with no room left to run it.
  EXPECT_EQ(stats->generated, 4);
  EXPECT_EQ(text_, "cabc\n");
  EXPECT_EQ(session.position(), 6);
}

TEST_F(GenerateTest, TooManyTokensForTheContextIsAnError) {
  FakeSession session(vocab(), 6, abc);
  Expected<generate::GenerationStats> stats = run(session, {1, 2, 3}, 10);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.error().message(),
            "context full after 4 generated tokens: the context holds 6 "
            "positions (raise it with -c)");
  EXPECT_EQ(text_, "cabc") << "the text so far has been written";
  // Exactly filling the context is fine.
  FakeSession exact(vocab(), 6, abc);
  EXPECT_TRUE(run(exact, {1, 2, 3}, 4).ok());
}

TEST_F(GenerateTest, PromptErrorsComeFromTheSession) {
  FakeSession session(vocab(), 2, abc);
  Expected<generate::GenerationStats> stats = run(session, {1, 2, 3}, 1);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.error().message(),
            "context overflow: position 0 + 3 tokens exceeds the context "
            "length of 2");
  EXPECT_EQ(text_, "");
}

TEST_F(GenerateTest, SamplerSeesThePromptAndTheGeneratedTokens) {
  // The fake favors 'a' with 'b' as the runner-up; a huge repetition
  // penalty makes any token already seen lose to an unseen runner-up.
  sampler::SamplerOptions options;
  options.temperature = 0;
  options.repeatPenalty = 1e30f;
  options.repeatLastN = 64;
  auto alwaysA = [](int64_t, int32_t) { return int32_t('a'); };
  for (auto [prompt, expected] :
       {std::pair{int32_t('a'), "b\n"}, std::pair{int32_t('c'), "ab\n"}}) {
    Expected<sampler::Sampler> sampler = sampler::Sampler::create(options);
    ASSERT_TRUE(sampler.ok());
    sampler_.emplace(sampler.take());
    FakeSession session(vocab(), 64, alwaysA, 'b');
    // Prompt "a": 'a' was seen, so 'b'. Prompt "c": 'a', then 'b' since the
    // generated 'a' was seen.
    ASSERT_TRUE(run(session, {prompt}, prompt == 'a' ? 1 : 2).ok());
    EXPECT_EQ(text_, expected);
  }
}

TEST_F(GenerateTest, EncodesPlainAndChatPrompts) {
  std::optional<tokenizer::TokenId> eot = tokenizer_->eot();
  ASSERT_TRUE(eot);
  tokenizer::EncodeOptions parsing;
  parsing.parseSpecial = true;
  auto ids = [](const std::vector<tokenizer::TokenId> &tokens) {
    return std::vector<int32_t>(tokens.begin(), tokens.end());
  };
  auto encode = [&](std::string_view text,
                    const generate::PromptOptions &options) {
    Expected<std::vector<int32_t>> tokens =
        generate::encodePrompt(*tokenizer_, text, options);
    EXPECT_TRUE(tokens.ok()) << tokens.error().message();
    return tokens.ok() ? tokens.take() : std::vector<int32_t>{};
  };
  auto count = [](const std::vector<int32_t> &tokens, tokenizer::TokenId id) {
    return std::count(tokens.begin(), tokens.end(), static_cast<int32_t>(id));
  };

  // Plain prompts: special-token text is parsed unless asked not to.
  generate::PromptOptions plain;
  EXPECT_EQ(encode("Hi<|eot_id|>", plain),
            ids(tokenizer_->encode("Hi<|eot_id|>", parsing)));
  EXPECT_EQ(count(encode("Hi<|eot_id|>", plain), *eot), 1);
  plain.parseSpecial = false;
  EXPECT_EQ(encode("Hi<|eot_id|>", plain),
            ids(tokenizer_->encode("Hi<|eot_id|>")));
  EXPECT_EQ(count(encode("Hi<|eot_id|>", plain), *eot), 0);

  // The 2B4T turn, as its text tokenizes with specials parsed.
  generate::PromptOptions chat;
  chat.chat = generate::ChatTemplate::Bitnet2B4T;
  EXPECT_EQ(encode("Hello world", chat),
            ids(tokenizer_->encode("User: Hello world<|eot_id|>Assistant: ",
                                   parsing)));
  // Its marker is a special token even when the text's are not parsed.
  chat.parseSpecial = false;
  EXPECT_EQ(count(encode("a<|eot_id|>b", chat), *eot), 1);
  chat.parseSpecial = true;
  EXPECT_EQ(count(encode("a<|eot_id|>b", chat), *eot), 2);

  // Llama 3's header format, the message trimmed.
  chat.chat = generate::ChatTemplate::Llama3;
  EXPECT_EQ(encode("  Hello world\n", chat),
            ids(tokenizer_->encode(
                "<|start_header_id|>user<|end_header_id|>\n\nHello "
                "world<|eot_id|><|start_header_id|>assistant<|end_header_id|>"
                "\n\n",
                parsing)));

  if (!tokenizer_->addsBos()) {
    Expected<std::vector<int32_t>> empty =
        generate::encodePrompt(*tokenizer_, "", generate::PromptOptions());
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().message(), "the prompt is empty");
  }
}

TEST(ChatTemplateTest, NamesAndErrors) {
  for (generate::ChatTemplate format :
       {generate::ChatTemplate::Bitnet2B4T, generate::ChatTemplate::Llama3}) {
    Expected<generate::ChatTemplate> named =
        generate::chatTemplateNamed(generate::chatTemplateName(format));
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(*named, format);
  }
  Expected<generate::ChatTemplate> unknown =
      generate::chatTemplateNamed("chatml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(),
            "--chat-template expects bitnet-2b4t or llama3, got 'chatml'");
}

TEST_F(GenerateTest, ChecksTheTokenizerAgainstTheVocabulary) {
  EXPECT_TRUE(generate::checkTokenizer(*tokenizer_, vocab(), "m").ok());
  Status status = generate::checkTokenizer(*tokenizer_, 1000, "m.gguf");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "m.gguf: the tokenizer has 1024 tokens but the model's vocabulary "
            "is 1000 (see ternc check)");
}

TEST(GenerationStatsTest, FormatsLikeTerncRun) {
  generate::GenerationStats stats;
  stats.promptTokens = 12;
  stats.promptSeconds = 0.5;
  stats.generated = 32;
  stats.generationSeconds = 1.256;
  stats.seed = 42;
  EXPECT_EQ(generate::formatGenerationStats(stats, "reference interpreter"),
            "12 prompt tokens in 0.50 s, 32 generated in 1.26 s (reference "
            "interpreter), seed 42");
}

} // namespace
