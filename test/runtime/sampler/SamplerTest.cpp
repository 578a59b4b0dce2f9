//===- SamplerTest.cpp - Tests of the llama.cpp-style token sampler -------===//

#include "runtime/sampler/Sampler.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <gtest/gtest.h>
#include <set>
#include <vector>

using namespace ternc;
using namespace ternc::sampler;

namespace {

/// Probabilities by token id, deliberately not in rank order: ranked, the
/// tokens are 2 (0.5), 4 (0.25), 0 (0.15), 3 (0.07), 1 (0.03). The expected
/// sets below are worked out from these numbers by hand.
const std::vector<double> kProbabilities = {0.15, 0.03, 0.5, 0.07, 0.25};

std::vector<float> logitsOf(const std::vector<double> &probabilities) {
  std::vector<float> logits;
  for (double probability : probabilities)
    logits.push_back(static_cast<float>(std::log(probability)));
  return logits;
}

/// Every stage disabled: plain softmax sampling at temperature 1.
SamplerOptions untruncatedOptions(uint64_t seed = 1) {
  SamplerOptions options;
  options.temperature = 1.0f;
  options.topK = 0;
  options.topP = 1.0f;
  options.minP = 0.0f;
  options.repeatPenalty = 1.0f;
  options.seed = seed;
  return options;
}

Sampler makeSampler(const SamplerOptions &options) {
  Expected<Sampler> sampler = Sampler::create(options);
  EXPECT_TRUE(sampler.ok()) << sampler.error().message();
  return sampler.take();
}

std::vector<int32_t> drawSequence(Sampler &sampler,
                                  const std::vector<float> &logits,
                                  size_t length) {
  std::vector<int32_t> tokens;
  for (size_t i = 0; i < length; ++i)
    tokens.push_back(sampler.sample(logits.data(), logits.size()));
  return tokens;
}

std::vector<int> countDraws(const SamplerOptions &options,
                            const std::vector<float> &logits, int draws) {
  Sampler sampler = makeSampler(options);
  std::vector<int> counts(logits.size());
  for (int32_t token : drawSequence(sampler, logits, draws))
    ++counts[static_cast<size_t>(token)];
  return counts;
}

/// The tokens seen in 2000 draws. Every expected set below has a smallest
/// probability of 0.03 or more, so a token of the set goes unseen with
/// probability at most 0.97^2000 < 1e-26.
std::set<int32_t> drawnTokens(const SamplerOptions &options,
                              const std::vector<float> &logits) {
  std::vector<int> counts = countDraws(options, logits, 2000);
  std::set<int32_t> seen;
  for (size_t token = 0; token < counts.size(); ++token)
    if (counts[token] > 0)
      seen.insert(static_cast<int32_t>(token));
  return seen;
}

/// P(X >= x) for a chi-square variable with an even number of degrees of
/// freedom: exp(-x/2) * sum_{i < dof/2} (x/2)^i / i!.
double chiSquareTail(double x, int degreesOfFreedom) {
  double term = 1.0, sum = 0.0;
  for (int i = 0; i < degreesOfFreedom / 2; ++i) {
    sum += term;
    term *= x / 2 / (i + 1);
  }
  return std::exp(-x / 2) * sum;
}

/// Draws 100k tokens and runs Pearson's chi-square goodness-of-fit test
/// against `expected` (probabilities by token id; zero means "never drawn").
///
/// The bound: the fit is rejected when the statistic's p-value is below 1e-6.
/// The seed is fixed, so the outcome is deterministic; the threshold means a
/// correct sampler would fail for about one seed in a million. The smallest
/// expected count in these tests is 100k * 0.0026 = 264, far above the 5 the
/// chi-square approximation needs. With 4 degrees of freedom the critical
/// statistic is 33.4: a shift of 0.013 probability out of the 0.5 bin (2.6%)
/// is detected, while the faults this guards against (a misplaced bin edge,
/// a missing renormalization, an ignored temperature) give statistics in the
/// thousands.
void expectDrawsFollow(const SamplerOptions &options,
                       const std::vector<float> &logits,
                       const std::vector<double> &expected) {
  constexpr int kDraws = 100000;
  std::vector<int> counts = countDraws(options, logits, kDraws);
  double statistic = 0.0;
  int bins = 0;
  for (size_t token = 0; token < expected.size(); ++token) {
    if (expected[token] == 0.0) {
      EXPECT_EQ(counts[token], 0) << "token " << token;
      continue;
    }
    double expectedCount = kDraws * expected[token];
    double deviation = counts[token] - expectedCount;
    statistic += deviation * deviation / expectedCount;
    ++bins;
  }
  EXPECT_GT(chiSquareTail(statistic, bins - 1), 1e-6)
      << "chi-square " << statistic << " with " << bins - 1
      << " degrees of freedom";
}

/// Softmax of log(p) / temperature, i.e. p^(1/T) renormalized.
std::vector<double> tempered(const std::vector<double> &probabilities,
                             double temperature) {
  std::vector<double> result;
  double total = 0.0;
  for (double probability : probabilities) {
    result.push_back(std::pow(probability, 1.0 / temperature));
    total += result.back();
  }
  for (double &value : result)
    value /= total;
  return result;
}

double entropy(const std::vector<double> &probabilities) {
  double sum = 0.0;
  for (double probability : probabilities)
    if (probability > 0.0)
      sum -= probability * std::log(probability);
  return sum;
}

//===----------------------------------------------------------------------===//
// The generator
//===----------------------------------------------------------------------===//

TEST(RandomTest, MatchesTheReferenceAlgorithm) {
  // From an independent implementation of the reference C code (splitmix64
  // seeding, then xoshiro256** 1.0), itself checked against the published
  // splitmix64(0) output 0xe220a8397b1dcdaf and the xoshiro256** outputs
  // 11520, 0, 1509978240 for the state {1, 2, 3, 4}.
  Xoshiro256StarStar zero(0);
  EXPECT_EQ(zero.next(), 0x99ec5f36cb75f2b4ull);
  EXPECT_EQ(zero.next(), 0xbf6e1f784956452aull);
  EXPECT_EQ(zero.next(), 0x1a5f849d4933e6e0ull);
  Xoshiro256StarStar fortyTwo(42);
  EXPECT_EQ(fortyTwo.next(), 0x15780b2e0c2ec716ull);
  EXPECT_EQ(fortyTwo.next(), 0x6104d9866d113a7eull);
}

TEST(RandomTest, UniformUsesTheTop53Bits) {
  Xoshiro256StarStar generator(0);
  EXPECT_EQ(generator.nextUniform(),
            std::ldexp(static_cast<double>(0x99ec5f36cb75f2b4ull >> 11), -53));
  for (int i = 0; i < 100000; ++i) {
    double value = generator.nextUniform();
    ASSERT_GE(value, 0.0);
    ASSERT_LT(value, 1.0);
  }
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

TEST(SamplerOptionsTest, DefaultsAreLlamaCpps) {
  SamplerOptions options;
  EXPECT_EQ(options.temperature, 0.8f);
  EXPECT_EQ(options.topK, 40);
  EXPECT_EQ(options.topP, 0.95f);
  EXPECT_EQ(options.minP, 0.05f);
  EXPECT_EQ(options.repeatPenalty, 1.0f);
  EXPECT_EQ(options.repeatLastN, 64);
  EXPECT_EQ(options.seed, kRandomSeed);
  EXPECT_EQ(kRandomSeed, 0xFFFFFFFFu);
  EXPECT_TRUE(validateSamplerOptions(options).ok());
}

TEST(SamplerOptionsTest, InvalidOptionsNameTheFlag) {
  struct Case {
    std::function<void(SamplerOptions &)> change;
    const char *message;
  };
  const Case cases[] = {
      {[](SamplerOptions &o) { o.temperature = NAN; },
       "--temp nan is not a finite number (<= 0 is greedy)"},
      {[](SamplerOptions &o) { o.temperature = INFINITY; },
       "--temp inf is not a finite number (<= 0 is greedy)"},
      {[](SamplerOptions &o) { o.topP = 1.5f; },
       "--top-p 1.5 is outside [0, 1]"},
      {[](SamplerOptions &o) { o.topP = -0.1f; },
       "--top-p -0.1 is outside [0, 1]"},
      {[](SamplerOptions &o) { o.topP = NAN; },
       "--top-p nan is outside [0, 1]"},
      {[](SamplerOptions &o) { o.minP = 2.0f; }, "--min-p 2 is outside [0, 1]"},
      {[](SamplerOptions &o) { o.repeatPenalty = 0.0f; },
       "--repeat-penalty 0 is not a positive finite number (1 disables it)"},
      {[](SamplerOptions &o) { o.repeatPenalty = -1.1f; },
       "--repeat-penalty -1.1 is not a positive finite number (1 disables "
       "it)"},
      {[](SamplerOptions &o) { o.repeatLastN = -2; },
       "--repeat-last-n -2 is below -1 (-1: the whole history, 0: disabled)"},
  };
  for (const Case &c : cases) {
    SamplerOptions options;
    c.change(options);
    Expected<Sampler> sampler = Sampler::create(options);
    ASSERT_FALSE(sampler.ok()) << c.message;
    EXPECT_EQ(sampler.error().message(), c.message);
  }
}

TEST(SamplerOptionsTest, BoundaryValuesAreAccepted) {
  const std::function<void(SamplerOptions &)> changes[] = {
      [](SamplerOptions &o) { o.temperature = -1.0f; },
      [](SamplerOptions &o) { o.temperature = 0.0f; },
      [](SamplerOptions &o) { o.topK = -5; },
      [](SamplerOptions &o) { o.topP = 0.0f; },
      [](SamplerOptions &o) { o.topP = 1.0f; },
      [](SamplerOptions &o) { o.minP = 0.0f; },
      [](SamplerOptions &o) { o.minP = 1.0f; },
      [](SamplerOptions &o) { o.repeatPenalty = 0.5f; },
      [](SamplerOptions &o) { o.repeatLastN = -1; },
      [](SamplerOptions &o) { o.repeatLastN = 0; },
  };
  for (const auto &change : changes) {
    SamplerOptions options;
    change(options);
    Status status = validateSamplerOptions(options);
    EXPECT_TRUE(status.ok()) << status.error().message();
  }
}

//===----------------------------------------------------------------------===//
// Greedy decoding and temperature
//===----------------------------------------------------------------------===//

TEST(SamplerTest, GreedyPicksTheArgmax) {
  for (float temperature : {0.0f, -1.0f}) {
    SamplerOptions options;
    options.temperature = temperature;
    Sampler sampler = makeSampler(options);
    std::vector<float> logits = logitsOf(kProbabilities);
    EXPECT_EQ(sampler.sample(logits.data(), logits.size()), 2);
    std::vector<float> ties = {1.0f, 3.0f, -INFINITY, 3.0f, 0.5f};
    EXPECT_EQ(sampler.sample(ties.data(), ties.size()), 1);
    std::vector<float> negative = {-7.0f, -2.0f, -2.5f};
    EXPECT_EQ(sampler.sample(negative.data(), negative.size()), 1);
  }
}

TEST(SamplerTest, TopKOneEqualsGreedy) {
  SamplerOptions greedyOptions;
  greedyOptions.temperature = 0.0f;
  SamplerOptions topOneOptions = untruncatedOptions();
  topOneOptions.topK = 1;
  Sampler greedy = makeSampler(greedyOptions);
  Sampler topOne = makeSampler(topOneOptions);
  Xoshiro256StarStar generator(7);
  for (int trial = 0; trial < 200; ++trial) {
    // Logits on a coarse grid so that the maximum is often tied.
    std::vector<float> logits(50);
    for (float &logit : logits)
      logit = static_cast<float>(generator.next() % 8);
    int32_t expected = static_cast<int32_t>(
        std::max_element(logits.begin(), logits.end()) - logits.begin());
    EXPECT_EQ(greedy.sample(logits.data(), logits.size()), expected);
    EXPECT_EQ(topOne.sample(logits.data(), logits.size()), expected);
  }
}

TEST(SamplerTest, DrawsFollowTheSoftmax) {
  std::vector<float> logits = logitsOf(kProbabilities);
  expectDrawsFollow(untruncatedOptions(), logits, kProbabilities);
}

TEST(SamplerTest, DrawsFollowTheTemperedSoftmax) {
  std::vector<float> logits = logitsOf(kProbabilities);
  for (float temperature : {0.5f, 2.0f}) {
    SCOPED_TRACE(temperature);
    SamplerOptions options = untruncatedOptions();
    options.temperature = temperature;
    expectDrawsFollow(options, logits, tempered(kProbabilities, temperature));
  }
}

TEST(SamplerTest, DrawsAreRenormalizedAfterTruncation) {
  // Top-3 keeps tokens 2, 4 and 0, whose 0.5, 0.25, 0.15 sum to 0.9.
  SamplerOptions options = untruncatedOptions();
  options.topK = 3;
  expectDrawsFollow(options, logitsOf(kProbabilities),
                    {0.15 / 0.9, 0.0, 0.5 / 0.9, 0.0, 0.25 / 0.9});
}

TEST(SamplerTest, LowTemperatureApproachesGreedy) {
  SamplerOptions options = untruncatedOptions();
  options.temperature = 1e-3f;
  // Token 4 weighs exp(log(0.25 / 0.5) / 1e-3) = e^-693 against token 2.
  std::vector<int> counts = countDraws(options, logitsOf(kProbabilities), 1000);
  EXPECT_EQ(counts[2], 1000);
}

TEST(SamplerTest, HigherTemperatureFlattensTheDistribution) {
  // Entropies of the draws against the exact ones: with 20k draws the
  // estimate's standard deviation is below 0.006 and its bias about 1e-4, so
  // 0.03 is a 5-sigma bound; consecutive temperatures differ by 0.1 or more.
  std::vector<float> logits = logitsOf(kProbabilities);
  double previous = 0.0;
  for (float temperature : {0.25f, 0.5f, 1.0f, 2.0f, 1000.0f}) {
    SCOPED_TRACE(temperature);
    SamplerOptions options = untruncatedOptions();
    options.temperature = temperature;
    std::vector<int> counts = countDraws(options, logits, 20000);
    std::vector<double> frequencies;
    for (int count : counts)
      frequencies.push_back(count / 20000.0);
    double observed = entropy(frequencies);
    EXPECT_NEAR(observed, entropy(tempered(kProbabilities, temperature)), 0.03);
    EXPECT_GT(observed, previous);
    previous = observed;
  }
  EXPECT_NEAR(previous, std::log(5.0), 0.03); // Uniform in the limit.
}

//===----------------------------------------------------------------------===//
// Truncation: the support is exactly the hand-computed set
//===----------------------------------------------------------------------===//

TEST(SamplerTest, TopKKeepsTheKMostLikely) {
  std::vector<float> logits = logitsOf(kProbabilities);
  SamplerOptions options = untruncatedOptions();
  options.topK = 1;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2}));
  options.topK = 2;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4}));
  options.topK = 3;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4, 0}));
  for (int disabled : {0, -1, 5, 100}) {
    options.topK = disabled;
    EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{0, 1, 2, 3, 4}))
        << disabled;
  }
}

TEST(SamplerTest, TopPKeepsTheSmallestSetReachingP) {
  // Cumulative probabilities in rank order: 0.5, 0.75, 0.9, 0.97, 1.
  std::vector<float> logits = logitsOf(kProbabilities);
  SamplerOptions options = untruncatedOptions();
  options.topP = 0.0f; // Never fewer than one token.
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2}));
  options.topP = 0.4f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2}));
  options.topP = 0.7f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4}));
  options.topP = 0.8f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4, 0}));
  options.topP = 0.95f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4, 0, 3}));
  options.topP = 0.99f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{0, 1, 2, 3, 4}));
}

TEST(SamplerTest, MinPKeepsTokensNearTheMostLikely) {
  // pmax = 0.5, so min-p m keeps the tokens with p >= 0.5 m.
  std::vector<float> logits = logitsOf(kProbabilities);
  SamplerOptions options = untruncatedOptions();
  options.minP = 1.0f; // p >= 0.5
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2}));
  options.minP = 0.4f; // p >= 0.2
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4}));
  options.minP = 0.25f; // p >= 0.125
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4, 0}));
  options.minP = 0.1f; // p >= 0.05
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4, 0, 3}));
  options.minP = 0.05f; // p >= 0.025
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{0, 1, 2, 3, 4}));
}

TEST(SamplerTest, StagesRunInLlamaCppsOrder) {
  // Alone, top-p 0.8 needs 0.5 + 0.25 + 0.15. After top-3 the probabilities
  // are renormalized by 0.9: 0.556 + 0.278 = 0.833 already reaches 0.8.
  std::vector<float> logits = logitsOf(kProbabilities);
  SamplerOptions options = untruncatedOptions();
  options.topP = 0.8f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4, 0}));
  options.topK = 3;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4}));
  // Min-p 0.25 keeps the same three tokens, but after top-p: had it run
  // first, top-p would see them renormalized and stop at two.
  options.topK = 0;
  options.minP = 0.25f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4, 0}));
}

TEST(SamplerTest, TemperatureComesAfterTruncation) {
  // At temperature 1000 every token is near 0.2: had the temperature been
  // applied first, top-p 0.7 would keep four tokens and min-p 0.4 all five.
  std::vector<float> logits = logitsOf(kProbabilities);
  SamplerOptions options = untruncatedOptions();
  options.temperature = 1000.0f;
  options.topP = 0.7f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4}));
  options.topP = 1.0f;
  options.minP = 0.4f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{2, 4}));
}

TEST(SamplerTest, MaskedTokensAreNeverDrawn) {
  // Without tokens 2 and 0, the rest renormalize to 4: 0.714, 3: 0.2,
  // 1: 0.086; top-p 0.9 stops at 0.914.
  std::vector<float> logits = logitsOf(kProbabilities);
  logits[2] = -INFINITY;
  logits[0] = -INFINITY;
  SamplerOptions options = untruncatedOptions();
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{1, 3, 4}));
  options.topP = 0.9f;
  EXPECT_EQ(drawnTokens(options, logits), (std::set<int32_t>{3, 4}));
}

//===----------------------------------------------------------------------===//
// Repetition penalty
//===----------------------------------------------------------------------===//

/// The greedy choice after accepting `history` with penalty 2.
int32_t greedyAfter(const std::vector<int32_t> &history,
                    const std::vector<float> &logits, int repeatLastN = 64) {
  SamplerOptions options;
  options.temperature = 0.0f;
  options.repeatPenalty = 2.0f;
  options.repeatLastN = repeatLastN;
  Sampler sampler = makeSampler(options);
  for (int32_t token : history)
    sampler.accept(token);
  return sampler.sample(logits.data(), logits.size());
}

TEST(SamplerTest, PenaltyDividesAPositiveLogit) {
  // 3 / 2 = 1.5: token 0 now loses to 1.51 but still beats 1.49.
  EXPECT_EQ(greedyAfter({}, {3.0f, 1.51f}), 0);
  EXPECT_EQ(greedyAfter({0}, {3.0f, 1.51f}), 1);
  EXPECT_EQ(greedyAfter({0}, {3.0f, 1.49f}), 0);
}

TEST(SamplerTest, PenaltyMultipliesANegativeLogit) {
  // -1 * 2 = -2: token 0 now loses to -1.99 but still beats -2.01.
  EXPECT_EQ(greedyAfter({}, {-1.0f, -1.99f}), 0);
  EXPECT_EQ(greedyAfter({0}, {-1.0f, -1.99f}), 1);
  EXPECT_EQ(greedyAfter({0}, {-1.0f, -2.01f}), 0);
}

TEST(SamplerTest, PenaltyCountsEachTokenOnce) {
  // Three occurrences still give 3 / 2 = 1.5, not 3 / 8.
  EXPECT_EQ(greedyAfter({0, 0, 0}, {3.0f, 1.49f}), 0);
}

TEST(SamplerTest, PenaltyOnlyCoversTheLastNTokens) {
  // Token 5 (4.0) halves to 2.0 and token 0 (3.0) to 1.5 when penalized;
  // token 1 (2.9) is never in the history. Tokens out of the vocabulary in
  // the history are ignored.
  std::vector<float> logits = {3.0f, 2.9f, -9.0f, -9.0f, -9.0f, 4.0f, -9.0f};
  std::vector<int32_t> history = {0, 1000, 5, 6};
  EXPECT_EQ(greedyAfter(history, logits, 0), 5);  // Disabled.
  EXPECT_EQ(greedyAfter(history, logits, 3), 0);  // {1000, 5, 6}: 3.0 wins.
  EXPECT_EQ(greedyAfter(history, logits, 4), 1);  // Token 0 too: 2.9 wins.
  EXPECT_EQ(greedyAfter(history, logits, -1), 1); // The whole history.
}

TEST(SamplerTest, ResetForgetsTheHistory) {
  SamplerOptions options;
  options.temperature = 0.0f;
  options.repeatPenalty = 2.0f;
  Sampler sampler = makeSampler(options);
  std::vector<float> logits = {3.0f, 2.0f};
  sampler.accept(0);
  EXPECT_EQ(sampler.sample(logits.data(), logits.size()), 1);
  sampler.reset();
  EXPECT_EQ(sampler.sample(logits.data(), logits.size()), 0);
}

TEST(SamplerTest, PenaltyAppliesBeforeTruncation) {
  // Penalized, token 2 drops from 0.5 to below 0.25: with top-k 1, token 4
  // is the only one left.
  std::vector<float> logits = logitsOf(kProbabilities);
  SamplerOptions options = untruncatedOptions();
  options.topK = 1;
  options.repeatPenalty = 4.0f;
  Sampler sampler = makeSampler(options);
  sampler.accept(2);
  for (int32_t token : drawSequence(sampler, logits, 100))
    EXPECT_EQ(token, 4);
}

//===----------------------------------------------------------------------===//
// Reproducibility
//===----------------------------------------------------------------------===//

TEST(SamplerTest, SameSeedSameTokens) {
  std::vector<float> logits = logitsOf(kProbabilities);
  SamplerOptions options = untruncatedOptions(1234);
  Sampler first = makeSampler(options);
  Sampler second = makeSampler(options);
  std::vector<int32_t> sequence = drawSequence(first, logits, 200);
  EXPECT_EQ(drawSequence(second, logits, 200), sequence);
  first.reset();
  EXPECT_EQ(drawSequence(first, logits, 200), sequence);
  options.seed = 1235;
  Sampler other = makeSampler(options);
  EXPECT_NE(drawSequence(other, logits, 200), sequence);
}

TEST(SamplerTest, TokensAreTheSameOnEveryPlatform) {
  // Computed by an independent implementation of the chain (Python, same
  // generator, softmax in double precision), so a platform whose standard
  // library sorts or rounds differently fails here.
  std::vector<float> logits = logitsOf(kProbabilities);
  Sampler plain = makeSampler(untruncatedOptions(42));
  EXPECT_EQ(drawSequence(plain, logits, 24),
            (std::vector<int32_t>{0, 2, 3, 4, 4, 4, 3, 4, 4, 2, 3, 2,
                                  4, 2, 3, 4, 2, 4, 3, 3, 0, 1, 2, 2}));
  // The default chain keeps 2, 4, 0, 3 (top-p 0.95) and draws at 0.8.
  SamplerOptions defaults;
  defaults.seed = 42;
  Sampler chained = makeSampler(defaults);
  EXPECT_EQ(drawSequence(chained, logits, 24),
            (std::vector<int32_t>{2, 2, 4, 0, 3, 4, 4, 0, 4, 4, 4, 2,
                                  4, 2, 4, 0, 4, 0, 4, 4, 2, 2, 2, 4}));
}

TEST(SamplerTest, RandomSeedIsReportedAndReplayable) {
  std::vector<float> logits = logitsOf(kProbabilities);
  Sampler random = makeSampler(untruncatedOptions(kRandomSeed));
  EXPECT_NE(random.seed(), kRandomSeed);
  EXPECT_LT(random.seed(), 1ull << 32);
  Sampler replay = makeSampler(untruncatedOptions(random.seed()));
  EXPECT_EQ(replay.seed(), random.seed());
  EXPECT_EQ(drawSequence(replay, logits, 100),
            drawSequence(random, logits, 100));
}

//===----------------------------------------------------------------------===//
// A real vocabulary
//===----------------------------------------------------------------------===//

TEST(SamplerTest, SamplesALlama3SizedVocabulary) {
  // 128256 logits (Llama 3's vocabulary). The implementation selects top-k
  // with a bounded heap; this only checks the result, not the time.
  constexpr size_t kVocabSize = 128256;
  Xoshiro256StarStar generator(3);
  std::vector<float> logits(kVocabSize);
  for (float &logit : logits)
    logit = static_cast<float>(20.0 * generator.nextUniform());
  std::vector<float> sorted = logits;
  std::sort(sorted.begin(), sorted.end(), std::greater<float>());
  float fortiethLogit = sorted[39];

  SamplerOptions options;
  options.seed = 5;
  Sampler sampler = makeSampler(options);
  for (int32_t token : drawSequence(sampler, logits, 50))
    EXPECT_GE(logits[static_cast<size_t>(token)], fortiethLogit);

  // Without top-k, top-p sorts the whole vocabulary; masked tokens stay out.
  for (size_t token = 0; token < kVocabSize; token += 2)
    logits[token] = -INFINITY;
  options.topK = 0;
  Sampler unlimited = makeSampler(options);
  for (int32_t token : drawSequence(unlimited, logits, 5))
    EXPECT_EQ(token % 2, 1);
}

} // namespace
