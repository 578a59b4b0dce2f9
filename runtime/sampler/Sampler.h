//===- Sampler.h - Next-token sampling, llama.cpp's semantics ---*- C++ -*-===//
//
// The token sampler of the generation loop. It reproduces what llama-cli's
// sampling flags do (llama.cpp's common sampler with its default chain):
//
//   repetition penalty (--repeat-penalty over the last --repeat-last-n tokens)
//   -> top-k (--top-k) -> top-p (--top-p) -> min-p (--min-p)
//   -> temperature (--temp) -> softmax -> draw (--seed)
//
// Truncation (top-k, top-p, min-p) therefore looks at the penalized logits at
// temperature 1; the temperature only reshapes what survives. A temperature
// <= 0 is greedy decoding: the most likely token after the penalty.
//
// Draws are reproducible: the generator is our own (runtime/support/Random.h),
// candidates are ordered by (logit, token id) so ties never depend on the
// sort algorithm, and probabilities are computed in double precision. The same
// seed and logits give the same tokens on every platform (up to the last-ulp
// accuracy of std::exp, which can only matter when a uniform draw lands within
// ~1e-16 of a boundary between two tokens).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_SAMPLER_SAMPLER_H
#define TERNC_RUNTIME_SAMPLER_SAMPLER_H

#include "runtime/support/Random.h"
#include "runtime/support/Error.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace ternc::sampler {

/// The seed that asks for a random one (llama.cpp's LLAMA_DEFAULT_SEED): the
/// sampler then takes a 32-bit seed from std::random_device, as llama.cpp
/// does, and reports it through Sampler::seed(), so that a run can be
/// repeated with --seed.
inline constexpr uint64_t kRandomSeed = 0xFFFFFFFF;

/// The sampling flags of llama-cli, with llama.cpp's defaults
/// (common_params_sampling).
struct SamplerOptions {
  /// --temp: logits are divided by it before the draw; <= 0 is greedy.
  float temperature = 0.8f;
  /// --top-k: keep the k most likely tokens; <= 0 or >= the vocabulary size
  /// keeps them all.
  int topK = 40;
  /// --top-p: keep the smallest set of most likely tokens whose probability
  /// adds up to at least p (never fewer than one); 1 disables it. In [0, 1].
  float topP = 0.95f;
  /// --min-p: keep tokens at least minP times as likely as the most likely
  /// one; 0 disables it. In [0, 1].
  float minP = 0.05f;
  /// --repeat-penalty: a token seen in the window has its logit divided by it
  /// when positive and multiplied by it otherwise; 1 disables it. Positive.
  float repeatPenalty = 1.0f;
  /// --repeat-last-n: how many of the last accepted tokens the penalty looks
  /// at; 0 disables it, -1 means every token accepted since the last reset()
  /// (llama.cpp's "context size", which bounds a session's history).
  int repeatLastN = 64;
  /// --seed: the generator's seed; kRandomSeed picks a random one.
  uint64_t seed = kRandomSeed;
};

/// Checks every option; the error names the flag and the accepted range,
/// e.g. "--top-p 1.5 is outside [0, 1]".
Status validateSamplerOptions(const SamplerOptions &options);

/// Chooses next tokens from logits; one per generation session. Not
/// thread-safe: it keeps the token history, the generator and scratch space.
class Sampler {
public:
  /// A sampler with validated options and an empty history.
  static Expected<Sampler> create(const SamplerOptions &options);

  /// Picks a token from `vocabSize` logits (finite or -infinity, at least one
  /// finite). Greedy decoding consumes no randomness; any other call consumes
  /// exactly one uniform draw, however many tokens the truncation keeps.
  /// Takes O(vocabSize log topK) with top-k enabled, O(vocabSize log
  /// vocabSize) when top-k is disabled and top-p is enabled.
  int32_t sample(const float *logits, size_t vocabSize);

  /// Records a token of the sequence (prompt or generated) for the repetition
  /// penalty; ids outside the vocabulary of a later sample() are ignored there.
  void accept(int32_t token);

  /// Starts a new session: forgets the history and restarts the generator from
  /// the seed, so a fixed seed repeats the same draws (a random seed is drawn
  /// afresh, as llama.cpp does).
  void reset();

  /// The seed in use: SamplerOptions::seed, or the one chosen for kRandomSeed.
  uint64_t seed() const { return seed_; }

private:
  /// One entry of the candidate list the chain narrows down.
  struct Candidate {
    int32_t token;
    float logit;
  };

  /// The order of likelihood: higher logit first, lower id first on ties. It
  /// is total, so every sort algorithm gives the same result.
  static bool isMoreLikely(const Candidate &a, const Candidate &b);

  explicit Sampler(const SamplerOptions &options);

  // The stages of the chain, in the order sample() runs them.
  void applyRepetitionPenalty();
  void keepTopK();
  void keepTopP();
  void keepMinP();
  int32_t drawToken();

  /// The highest logit, the lowest id among equals.
  const Candidate &mostLikelyCandidate() const;
  /// Fills weights_ with exp((logit - max) / temperature) and returns their
  /// sum: the unnormalized softmax.
  double computeWeights(double temperature);

  SamplerOptions options_;
  uint64_t seed_;
  Xoshiro256StarStar generator_;
  /// The last repeatLastN accepted tokens, oldest first.
  std::deque<int32_t> history_;

  // Scratch space reused by every sample() call, so that sampling does not
  // allocate once the vectors have grown to the vocabulary size.
  std::vector<Candidate> candidates_;
  std::vector<double> weights_;
  std::vector<int32_t> distinctHistory_;
};

} // namespace ternc::sampler

#endif // TERNC_RUNTIME_SAMPLER_SAMPLER_H
