//===- Generate.h - The text generation loop --------------------*- C++ -*-===//
//
// `ternc run`'s loop, shared with compiled binaries: tokenize the prompt (or
// the BitNet 2B4T chat turn), run it through a session, then sample, stream
// and run one token at a time until -n tokens, an end-of-generation token or
// a full context.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GENERATE_GENERATE_H
#define TERNC_RUNTIME_GENERATE_GENERATE_H

#include "runtime/generate/ChatTemplate.h"
#include "runtime/generate/Session.h"
#include "runtime/sampler/Sampler.h"
#include "runtime/support/Error.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ternc::generate {

/// How a prompt becomes token ids.
struct PromptOptions {
  /// Wrap the text in this chat format: a user turn, the assistant's opened.
  std::optional<ChatTemplate> chat;
  /// Special tokens written in the text become those tokens (llama.cpp's
  /// default; --no-parse-special turns it off). A chat format's own markers
  /// are special tokens either way.
  bool parseSpecial = true;
};

/// The prompt's token ids, BOS first as the vocabulary asks. Fails when no
/// token results ("the prompt is empty") or the vocabulary lacks a marker of
/// the chat format.
Expected<std::vector<int32_t>> encodePrompt(const tokenizer::Tokenizer &tokenizer,
                                            std::string_view text,
                                            const PromptOptions &options);

/// Checks that the tokenizer covers exactly the model's vocabulary; the
/// error names `modelName` (a path for `ternc run`).
Status checkTokenizer(const tokenizer::Tokenizer &tokenizer, int64_t vocabSize,
                      std::string_view modelName);

/// How to generate.
struct GenerationOptions {
  /// Tokens to generate; negative: until an end-of-generation token or a
  /// full context.
  int64_t predict = -1;
  /// The flag that sets the context length, named in the error for a
  /// context that fills up before `predict` tokens.
  std::string contextFlag = "--ctx";
};

/// What a generation did.
struct GenerationStats {
  size_t promptTokens = 0;
  double promptSeconds = 0;
  int64_t generated = 0;
  double generationSeconds = 0;
  /// The sampler's seed (the one it chose for a random seed).
  uint64_t seed = 0;
};

/// Receives the generated text as it becomes complete UTF-8.
using TextSink = std::function<void(const std::string &text)>;

/// Runs `prompt` (at least one token) through `session` (at position 0 for
/// `ternc run`'s behaviour), then samples with `sampler`, writing each
/// token's text to `sink` and feeding the token back, until
/// options.predict tokens, an end-of-generation token (not written) or a
/// full context. The text ends with the detokenizer's held-back bytes and a
/// newline. A context that fills up before options.predict tokens (when it
/// is not negative) is an error, after the text so far has been written.
Expected<GenerationStats> generate(Session &session,
                                   const tokenizer::Tokenizer &tokenizer,
                                   sampler::Sampler &sampler,
                                   const std::vector<int32_t> &prompt,
                                   const GenerationOptions &options,
                                   const TextSink &sink);

/// `ternc run`'s statistics line: "N prompt tokens in X s, M generated in
/// Y s (ENGINE), seed S".
std::string formatGenerationStats(const GenerationStats &stats,
                                  std::string_view engine);

} // namespace ternc::generate

#endif // TERNC_RUNTIME_GENERATE_GENERATE_H
