//===- FakeSession.h - A scripted generate::Session for tests ---*- C++ -*-===//

#ifndef TERNC_TEST_RUNTIME_GENERATE_FAKESESSION_H
#define TERNC_TEST_RUNTIME_GENERATE_FAKESESSION_H

#include "runtime/generate/Session.h"

#include <functional>
#include <gtest/gtest.h>

namespace ternc::test {

/// A session whose logits row for the token at position p is 0 everywhere
/// but 1 at favorite(p, token) (and 0.5 at `runnerUp`, if set): greedy
/// sampling then picks that token. It
/// checks the context and the vocabulary like a real session and records
/// the size of every forward call.
class FakeSession : public generate::Session {
public:
  using Favorite = std::function<int32_t(int64_t position, int32_t token)>;

  FakeSession(int64_t vocabSize, int64_t contextLength, Favorite favorite,
              int32_t runnerUp = -1)
      : vocabSize_(vocabSize), contextLength_(contextLength),
        favorite_(std::move(favorite)), runnerUp_(runnerUp) {}

  Expected<std::vector<float>>
  forward(const std::vector<int32_t> &tokens) override {
    TERNC_RETURN_IF_ERROR(
        generate::checkForward(tokens, position_, contextLength_, vocabSize_));
    calls.push_back(tokens.size());
    std::vector<float> logits(tokens.size() * static_cast<size_t>(vocabSize_),
                              0.0f);
    for (size_t t = 0; t < tokens.size(); ++t) {
      int32_t favorite = favorite_(position_, tokens[t]);
      if (runnerUp_ >= 0)
        logits[t * static_cast<size_t>(vocabSize_) +
               static_cast<size_t>(runnerUp_)] = 0.5f;
      logits[t * static_cast<size_t>(vocabSize_) +
             static_cast<size_t>(favorite)] = 1.0f;
      // Distinct values, so that a row mix-up shows.
      logits[t * static_cast<size_t>(vocabSize_)] +=
          0.001f * static_cast<float>(position_);
      ++position_;
    }
    return logits;
  }
  int64_t vocabSize() const override { return vocabSize_; }
  int64_t contextLength() const override { return contextLength_; }
  int64_t position() const override { return position_; }

  /// The token count of every successful forward call.
  std::vector<size_t> calls;

private:
  int64_t vocabSize_, contextLength_;
  Favorite favorite_;
  int32_t runnerUp_;
  int64_t position_ = 0;
};

} // namespace ternc::test

#endif // TERNC_TEST_RUNTIME_GENERATE_FAKESESSION_H
