//===- Generate.cpp - The text generation loop ----------------------------===//

#include "runtime/generate/Generate.h"

#include <chrono>
#include <fmt/format.h>

namespace ternc::generate {

Expected<std::vector<int32_t>> encodePrompt(const tokenizer::Tokenizer &tokenizer,
                                            std::string_view text,
                                            const PromptOptions &options) {
  std::vector<tokenizer::TextSegment> segments;
  if (options.chat)
    segments = chatTurn(*options.chat, text, options.parseSpecial);
  else
    segments.push_back(
        {std::string(text), options.parseSpecial
                                ? tokenizer::TextSegment::Kind::TextParsingSpecials
                                : tokenizer::TextSegment::Kind::Text});
  Expected<std::vector<tokenizer::TokenId>> ids =
      tokenizer.encodeSegments(segments, /*addBos=*/true);
  if (!ids)
    return makeError("the {} chat format cannot be written: {}",
                     chatTemplateName(*options.chat), ids.error().message());
  if (ids->empty())
    return makeError("the prompt is empty");
  return std::vector<int32_t>(ids->begin(), ids->end());
}

Status checkTokenizer(const tokenizer::Tokenizer &tokenizer, int64_t vocabSize,
                      std::string_view modelName) {
  if (static_cast<int64_t>(tokenizer.size()) != vocabSize)
    return makeError("{}: the tokenizer has {} tokens but the model's "
                     "vocabulary is {} (see ternc check)",
                     modelName, tokenizer.size(), vocabSize);
  return Status::success();
}

Expected<GenerationStats> generate(Session &session,
                                   const tokenizer::Tokenizer &tokenizer,
                                   sampler::Sampler &sampler,
                                   const std::vector<int32_t> &prompt,
                                   const GenerationOptions &options,
                                   const TextSink &sink) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
  };
  GenerationStats stats;
  stats.promptTokens = prompt.size();
  stats.seed = sampler.seed();

  Clock::time_point start = Clock::now();
  Expected<std::vector<float>> logits = session.forwardLast(prompt);
  if (!logits)
    return logits.error();
  for (int32_t token : prompt)
    sampler.accept(token);
  Clock::time_point prefilled = Clock::now();

  tokenizer::Detokenizer detokenizer(tokenizer);
  const int64_t vocab = session.vocabSize();
  while (options.predict < 0 || stats.generated < options.predict) {
    int32_t next = sampler.sample(logits->data(), static_cast<size_t>(vocab));
    if (tokenizer.isEndOfGeneration(static_cast<tokenizer::TokenId>(next)))
      break;
    sink(detokenizer.push(static_cast<tokenizer::TokenId>(next)));
    sampler.accept(next);
    ++stats.generated;
    if (session.position() == session.contextLength()) {
      if (options.predict >= 0 && stats.generated < options.predict)
        return makeError("context full after {} generated tokens: the "
                         "context holds {} positions (raise it with {})",
                         stats.generated, session.contextLength(),
                         options.contextFlag);
      break;
    }
    logits = session.forwardLast({next});
    if (!logits)
      return logits.error();
  }
  sink(detokenizer.flush() + "\n");
  Clock::time_point done = Clock::now();
  stats.promptSeconds = seconds(start, prefilled);
  stats.generationSeconds = seconds(prefilled, done);
  return stats;
}

std::string formatGenerationStats(const GenerationStats &stats,
                                  std::string_view engine) {
  return fmt::format("{} prompt tokens in {:.2f} s, {} generated in {:.2f} s "
                     "({}), seed {}",
                     stats.promptTokens, stats.promptSeconds, stats.generated,
                     stats.generationSeconds, engine, stats.seed);
}

} // namespace ternc::generate
