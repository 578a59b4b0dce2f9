//===- Eval.h - Logits of a token sequence, for parity checks ---*- C++ -*-===//
//
// `ternc eval`'s loop, shared with compiled binaries: run a token sequence
// through a session N tokens per forward call and write the f32 logits,
// row-major [tokens][vocab], to a file. However the sequence is split, the
// bytes are the same.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GENERATE_EVAL_H
#define TERNC_RUNTIME_GENERATE_EVAL_H

#include "runtime/generate/Session.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ternc::generate {

/// Checks --step: 0 (all at once) or a positive count.
Status checkStep(int64_t step);

/// The logits of `tokens`, run through `session` `step` tokens per forward
/// call (0: all in one call), concatenated: [tokens][vocab].
Expected<std::vector<float>> evaluate(Session &session,
                                      const std::vector<int32_t> &tokens,
                                      int64_t step);

/// Writes `logits` as raw f32 to `path`, completely or not at all.
Status writeLogits(const std::string &path, const std::vector<float> &logits);

/// The line `ternc eval` prints, newline included: "wrote T x V f32 logits
/// to PATH".
std::string logitsWrittenMessage(size_t tokens, int64_t vocabSize,
                                 const std::string &path);

/// How a run's logits compare with a base run's on the same tokens (as
/// llama-perplexity --kl-divergence reports it), e.g. an int8 LM head
/// against the f16 one. Per token both rows go through a softmax (in
/// double); the KL divergence is that of the run's distribution from the
/// base's, sum_i p_base(i) * (log p_base(i) - log p_run(i)), in nats.
struct LogitsComparison {
  int64_t tokens = 0;
  /// Tokens whose highest logit is the same vocabulary entry in both runs.
  int64_t sameTop = 0;
  double meanKl = 0, medianKl = 0, maxKl = 0;
  /// The mean entropy of the base's distributions, in nats: near
  /// ln(vocabSize) they are nearly flat and the top token is a coin toss
  /// (random-weight models).
  double meanBaseEntropy = 0;
  int64_t vocabSize = 0;
};

/// Compares `logits` [tokens][vocabSize] with `base`, the same shape.
LogitsComparison compareLogits(const std::vector<float> &base,
                               const std::vector<float> &logits,
                               int64_t vocabSize);

/// Reads the base logits file `path` (raw f32, as --logits-out writes it)
/// and compares `logits` with it; fails, naming the file, unless it holds
/// exactly as many values.
Expected<LogitsComparison> compareWithBaseFile(const std::string &path,
                                               const std::vector<float> &logits,
                                               int64_t vocabSize);

/// The report `ternc eval` and compiled binaries print for
/// --kl-divergence-base PATH, newline included.
std::string logitsComparisonMessage(const LogitsComparison &comparison,
                                    const std::string &path);

/// What --logits-out and --kl-divergence-base do with the evaluated
/// `logits` of `tokens` tokens, for `ternc eval` and compiled binaries
/// alike: writes them to `logitsOut` and compares them with the file
/// `klDivergenceBase` (each skipped when empty). Returns the lines to print.
Expected<std::string> reportLogits(const std::vector<float> &logits,
                                   size_t tokens, int64_t vocabSize,
                                   const std::string &logitsOut,
                                   const std::string &klDivergenceBase);

} // namespace ternc::generate

#endif // TERNC_RUNTIME_GENERATE_EVAL_H
