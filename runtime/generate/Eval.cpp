//===- Eval.cpp - Logits of a token sequence, for parity checks -----------===//

#include "runtime/generate/Eval.h"

#include "runtime/support/MappedFile.h"
#include "runtime/support/OutputFile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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

namespace {

/// log(softmax(row)) in double.
std::vector<double> logSoftmax(const float *row, int64_t vocabSize) {
  const double top = *std::max_element(row, row + vocabSize);
  double sum = 0;
  for (int64_t i = 0; i < vocabSize; ++i)
    sum += std::exp(row[i] - top);
  const double logSum = std::log(sum);
  std::vector<double> logProbabilities(vocabSize);
  for (int64_t i = 0; i < vocabSize; ++i)
    logProbabilities[i] = row[i] - top - logSum;
  return logProbabilities;
}

} // namespace

LogitsComparison compareLogits(const std::vector<float> &base,
                               const std::vector<float> &logits,
                               int64_t vocabSize) {
  LogitsComparison comparison;
  comparison.tokens = static_cast<int64_t>(logits.size()) / vocabSize;
  comparison.vocabSize = vocabSize;
  double entropy = 0;
  std::vector<double> divergences;
  for (int64_t t = 0; t < comparison.tokens; ++t) {
    const float *baseRow = base.data() + t * vocabSize;
    const float *row = logits.data() + t * vocabSize;
    const std::vector<double> p = logSoftmax(baseRow, vocabSize);
    const std::vector<double> q = logSoftmax(row, vocabSize);
    double divergence = 0;
    for (int64_t i = 0; i < vocabSize; ++i) {
      const double probability = std::exp(p[i]);
      divergence += probability * (p[i] - q[i]);
      entropy -= probability * p[i];
    }
    divergences.push_back(divergence);
    if (std::max_element(baseRow, baseRow + vocabSize) - baseRow ==
        std::max_element(row, row + vocabSize) - row)
      ++comparison.sameTop;
  }
  if (divergences.empty())
    return comparison;
  double sum = 0;
  for (double divergence : divergences)
    sum += divergence;
  comparison.meanKl = sum / static_cast<double>(divergences.size());
  comparison.meanBaseEntropy =
      entropy / static_cast<double>(divergences.size());
  comparison.maxKl = *std::max_element(divergences.begin(), divergences.end());
  std::sort(divergences.begin(), divergences.end());
  const size_t middle = divergences.size() / 2;
  comparison.medianKl =
      divergences.size() % 2
          ? divergences[middle]
          : (divergences[middle - 1] + divergences[middle]) / 2;
  return comparison;
}

Expected<LogitsComparison> compareWithBaseFile(const std::string &path,
                                               const std::vector<float> &logits,
                                               int64_t vocabSize) {
  Expected<std::unique_ptr<MappedFile>> file = MappedFile::open(path);
  if (!file)
    return file.error();
  ByteSpan bytes = (*file)->bytes();
  if (bytes.size != logits.size() * sizeof(float))
    return makeError("{}: {} bytes of base logits, expected {} ({} tokens x "
                     "{} f32 logits)",
                     path, bytes.size, logits.size() * sizeof(float),
                     logits.size() / static_cast<size_t>(vocabSize), vocabSize);
  std::vector<float> base(logits.size());
  std::memcpy(base.data(), bytes.data, bytes.size);
  return compareLogits(base, logits, vocabSize);
}

std::string logitsComparisonMessage(const LogitsComparison &comparison,
                                    const std::string &path) {
  return fmt::format(
      "against {}: same top token {} of {} ({:.2f}%), KL divergence mean "
      "{:.6g}, median {:.6g}, max {:.6g} nats; base entropy mean {:.4g} "
      "nats (flat: {:.4g})\n",
      path, comparison.sameTop, comparison.tokens,
      comparison.tokens ? 100.0 * comparison.sameTop / comparison.tokens : 0.0,
      comparison.meanKl, comparison.medianKl, comparison.maxKl,
      comparison.meanBaseEntropy,
      std::log(static_cast<double>(comparison.vocabSize)));
}

Expected<std::string> reportLogits(const std::vector<float> &logits,
                                   size_t tokens, int64_t vocabSize,
                                   const std::string &logitsOut,
                                   const std::string &klDivergenceBase) {
  std::string report;
  if (!logitsOut.empty()) {
    TERNC_RETURN_IF_ERROR(writeLogits(logitsOut, logits));
    report += logitsWrittenMessage(tokens, vocabSize, logitsOut);
  }
  if (!klDivergenceBase.empty()) {
    Expected<LogitsComparison> comparison =
        compareWithBaseFile(klDivergenceBase, logits, vocabSize);
    if (!comparison)
      return comparison.error();
    report += logitsComparisonMessage(*comparison, klDivergenceBase);
  }
  return report;
}

} // namespace ternc::generate
