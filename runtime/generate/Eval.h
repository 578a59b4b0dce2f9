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

} // namespace ternc::generate

#endif // TERNC_RUNTIME_GENERATE_EVAL_H
