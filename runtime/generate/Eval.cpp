//===- Eval.cpp - Logits of a token sequence, for parity checks -----------===//

#include "runtime/generate/Eval.h"

#include "runtime/support/OutputFile.h"

#include <algorithm>
#include <fmt/format.h>

namespace ternc::generate {

Status checkStep(int64_t step) {
  if (step < 0)
    return makeError("--step {} must be positive", step);
  return Status::success();
}

Expected<std::vector<float>> evaluate(Session &session,
                                      const std::vector<int32_t> &tokens,
                                      int64_t step) {
  TERNC_RETURN_IF_ERROR(checkStep(step));
  size_t perCall = step ? static_cast<size_t>(step) : tokens.size();
  std::vector<float> logits;
  for (size_t start = 0; start < tokens.size(); start += perCall) {
    std::vector<int32_t> call(
        tokens.begin() + start,
        tokens.begin() + std::min(tokens.size(), start + perCall));
    Expected<std::vector<float>> output = session.forward(call);
    if (!output)
      return output.error();
    logits.insert(logits.end(), output->begin(), output->end());
  }
  return logits;
}

Status writeLogits(const std::string &path, const std::vector<float> &logits) {
  Expected<std::unique_ptr<OutputFile>> file = OutputFile::create(path);
  if (!file)
    return file.error();
  TERNC_RETURN_IF_ERROR(
      (*file)->write(logits.data(), logits.size() * sizeof(float)));
  return (*file)->commit();
}

std::string logitsWrittenMessage(size_t tokens, int64_t vocabSize,
                                 const std::string &path) {
  return fmt::format("wrote {} x {} f32 logits to {}\n", tokens, vocabSize,
                     path);
}

} // namespace ternc::generate
