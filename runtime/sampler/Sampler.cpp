//===- Sampler.cpp - Next-token sampling with llama.cpp's semantics -------===//

#include "runtime/sampler/Sampler.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <random>

namespace ternc::sampler {
namespace {

/// A seed from std::random_device for kRandomSeed, 32 bits like llama.cpp's
/// (any --seed parser can take it back), never kRandomSeed itself.
uint64_t resolveSeed(uint64_t requested) {
  if (requested != kRandomSeed)
    return requested;
  std::random_device entropy;
  uint64_t chosen;
  do
    chosen = entropy();
  while (chosen == kRandomSeed);
  return chosen;
}

} // namespace

Status validateSamplerOptions(const SamplerOptions &options) {
  if (!std::isfinite(options.temperature))
    return makeError("--temp {} is not a finite number (<= 0 is greedy)",
                     options.temperature);
  if (!(options.topP >= 0.0f && options.topP <= 1.0f))
    return makeError("--top-p {} is outside [0, 1]", options.topP);
  if (!(options.minP >= 0.0f && options.minP <= 1.0f))
    return makeError("--min-p {} is outside [0, 1]", options.minP);
  if (!(options.repeatPenalty > 0.0f && std::isfinite(options.repeatPenalty)))
    return makeError("--repeat-penalty {} is not a positive finite number "
                     "(1 disables it)",
                     options.repeatPenalty);
  if (options.repeatLastN < -1)
    return makeError("--repeat-last-n {} is below -1 (-1: the whole history, "
                     "0: disabled)",
                     options.repeatLastN);
  return Status::success();
}

Expected<Sampler> Sampler::create(const SamplerOptions &options) {
  TERNC_RETURN_IF_ERROR(validateSamplerOptions(options));
  return Sampler(options);
}

Sampler::Sampler(const SamplerOptions &options)
    : options_(options), seed_(resolveSeed(options.seed)), generator_(seed_) {}

void Sampler::reset() {
  history_.clear();
  seed_ = resolveSeed(options_.seed);
  generator_ = Xoshiro256StarStar(seed_);
}

void Sampler::accept(int32_t token) {
  if (options_.repeatLastN == 0)
    return;
  history_.push_back(token);
  if (options_.repeatLastN > 0 &&
      history_.size() > static_cast<size_t>(options_.repeatLastN))
    history_.pop_front();
}

bool Sampler::isMoreLikely(const Candidate &a, const Candidate &b) {
  return a.logit > b.logit || (a.logit == b.logit && a.token < b.token);
}

int32_t Sampler::sample(const float *logits, size_t vocabSize) {
  assert(vocabSize > 0 &&
         vocabSize <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  candidates_.resize(vocabSize);
  for (size_t token = 0; token < vocabSize; ++token)
    candidates_[token] = {static_cast<int32_t>(token), logits[token]};

  applyRepetitionPenalty();
  if (options_.temperature <= 0.0f)
    return mostLikelyCandidate().token;
  keepTopK();
  keepTopP();
  keepMinP();
  return drawToken();
}

void Sampler::applyRepetitionPenalty() {
  // Candidates are still indexed by token id here.
  float penalty = options_.repeatPenalty;
  if (penalty == 1.0f || history_.empty())
    return;
  distinctHistory_.assign(history_.begin(), history_.end());
  std::sort(distinctHistory_.begin(), distinctHistory_.end());
  distinctHistory_.erase(
      std::unique(distinctHistory_.begin(), distinctHistory_.end()),
      distinctHistory_.end());
  for (int32_t token : distinctHistory_) {
    if (token < 0 || static_cast<size_t>(token) >= candidates_.size())
      continue;
    float &logit = candidates_[static_cast<size_t>(token)].logit;
    logit = logit > 0.0f ? logit / penalty : logit * penalty;
  }
}

const Sampler::Candidate &Sampler::mostLikelyCandidate() const {
  // The minimum in the "more likely" order is the most likely candidate.
  return *std::min_element(candidates_.begin(), candidates_.end(),
                           isMoreLikely);
}

void Sampler::keepTopK() {
  int k = options_.topK;
  if (k <= 0 || static_cast<size_t>(k) >= candidates_.size())
    return;
  // A heap of k: one cheap comparison per candidate for a large vocabulary.
  std::partial_sort(candidates_.begin(), candidates_.begin() + k,
                    candidates_.end(), isMoreLikely);
  candidates_.resize(static_cast<size_t>(k));
}

void Sampler::keepTopP() {
  if (options_.topP >= 1.0f)
    return;
  // After top-k this sorts at most k candidates; without it, the vocabulary.
  std::sort(candidates_.begin(), candidates_.end(), isMoreLikely);
  double target = options_.topP * computeWeights(1.0);
  double cumulative = 0.0;
  size_t kept = 0;
  while (kept < candidates_.size()) {
    cumulative += weights_[kept++];
    if (cumulative >= target)
      break;
  }
  candidates_.resize(kept);
}

void Sampler::keepMinP() {
  if (options_.minP <= 0.0f)
    return;
  // p >= minP * pmax, compared in log space: logit - maxLogit >= log(minP).
  double maxLogit = mostLikelyCandidate().logit;
  double minLogitGap = std::log(static_cast<double>(options_.minP));
  auto isTooUnlikely = [&](const Candidate &candidate) {
    return candidate.logit - maxLogit < minLogitGap;
  };
  candidates_.erase(
      std::remove_if(candidates_.begin(), candidates_.end(), isTooUnlikely),
      candidates_.end());
}

int32_t Sampler::drawToken() {
  double target =
      generator_.nextUniform() * computeWeights(options_.temperature);
  double cumulative = 0.0;
  for (size_t i = 0; i + 1 < candidates_.size(); ++i) {
    cumulative += weights_[i];
    if (target < cumulative)
      return candidates_[i].token;
  }
  return candidates_.back().token;
}

double Sampler::computeWeights(double temperature) {
  double maxLogit = mostLikelyCandidate().logit;
  assert(std::isfinite(maxLogit) && "logits must include a finite one");
  weights_.resize(candidates_.size());
  double total = 0.0;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    weights_[i] = std::exp((candidates_[i].logit - maxLogit) / temperature);
    total += weights_[i];
  }
  return total;
}

} // namespace ternc::sampler
