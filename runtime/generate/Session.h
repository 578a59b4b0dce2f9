//===- Session.h - A sequence that a model turns into logits ----*- C++ -*-===//
//
// What the generation and evaluation loops need from a model: one sequence
// (its KV cache and position) that takes tokens and gives their logits. A
// compiled model's session implements it; the reference interpreter gets an
// adapter, so `ternc run/eval` and compiled binaries share one loop.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GENERATE_SESSION_H
#define TERNC_RUNTIME_GENERATE_SESSION_H

#include "runtime/support/Error.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ternc::generate {

/// One sequence of a model.
class Session {
public:
  virtual ~Session() = default;

  /// Runs `tokens` from position() on, appends them to the sequence and
  /// returns their logits, row-major [tokens][vocabSize()]. Fails, changing
  /// nothing, when the context would overflow or a token id is outside the
  /// vocabulary.
  virtual Expected<std::vector<float>>
  forward(const std::vector<int32_t> &tokens) = 0;
  /// forward() for when only the last token's logits are wanted (a prompt
  /// before sampling): returns those [vocabSize()] values, the same as
  /// forward()'s last row. A model may skip the other rows' LM head.
  virtual Expected<std::vector<float>>
  forwardLast(const std::vector<int32_t> &tokens) {
    Expected<std::vector<float>> logits = forward(tokens);
    if (logits)
      logits->erase(logits->begin(), logits->end() - vocabSize());
    return logits;
  }

  /// The number of logits per token.
  virtual int64_t vocabSize() const = 0;
  /// The positions the sequence can hold.
  virtual int64_t contextLength() const = 0;
  /// Positions filled so far.
  virtual int64_t position() const = 0;
};

/// The checks of forward()'s contract, for its implementations: fails,
/// naming the cause, when `tokens` would overflow a context of
/// `contextLength` positions from `position`, or hold an id outside a
/// vocabulary of `vocabSize`.
inline Status checkForward(const std::vector<int32_t> &tokens, int64_t position,
                           int64_t contextLength, int64_t vocabSize) {
  const int64_t count = static_cast<int64_t>(tokens.size());
  if (position + count > contextLength)
    return makeError("context overflow: position {} + {} tokens exceeds the "
                     "context length of {}",
                     position, count, contextLength);
  for (int32_t token : tokens)
    if (token < 0 || token >= vocabSize)
      return makeError("token id {} is outside the vocabulary (0 to {})", token,
                       vocabSize - 1);
  return Status::success();
}

/// Splits `tokens` into the calls forward() makes of a model's two
/// functions: a lone (or last leftover) token through decode, the others in
/// chunks of `prefillChunk` through prefill, the last chunk padded with token
/// 0 (padding rows are never stored nor returned; compiled models do not
/// even compute them). For
/// each call in order, `run(decode, chunk, valid, last)` gets the function,
/// the padded tokens (in `chunk`, reused), how many are real and whether it
/// is the last call; the first failure stops the split.
template <typename Run>
Status forEachForwardCall(const std::vector<int32_t> &tokens,
                          int64_t prefillChunk, std::vector<int32_t> &chunk,
                          Run run) {
  const int64_t count = static_cast<int64_t>(tokens.size());
  for (int64_t start = 0; start < count;) {
    const bool decode = count - start == 1;
    const int64_t capacity = decode ? 1 : prefillChunk;
    const int64_t valid = std::min(capacity, count - start);
    chunk.assign(static_cast<size_t>(capacity), 0);
    std::copy(tokens.begin() + start, tokens.begin() + start + valid,
              chunk.begin());
    start += valid;
    TERNC_RETURN_IF_ERROR(run(decode, chunk, valid, start == count));
  }
  return Status::success();
}

} // namespace ternc::generate

#endif // TERNC_RUNTIME_GENERATE_SESSION_H
