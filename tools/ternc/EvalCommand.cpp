//===- EvalCommand.cpp - `ternc eval`: logits of a token sequence ---------===//
//
// The parity tool: runs a token sequence through the reference interpreter,
// N tokens per forward call, and writes the f32 logits row-major
// [tokens][vocab] to a file, to compare with a compiled binary or with
// bitnet.cpp, and/or compares them with another run's (KL divergence).
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/ImportFlags.h"

#include "runtime/generate/Eval.h"

#include <fmt/format.h>

using namespace ternc;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &evalCommand() {
  static cl::SubCommand command("eval",
                           "Write the reference logits of a token sequence");
  return command;
}
} // namespace ternc::tool

namespace {

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.gguf>"),
                               cl::Required, cl::sub(tool::evalCommand()),
                               cl::cat(tool::terncCategory()));
cl::list<int32_t> tokenIds("tokens", cl::desc("Token ids, comma-separated"),
                           cl::CommaSeparated, cl::OneOrMore,
                           cl::sub(tool::evalCommand()),
                           cl::cat(tool::terncCategory()));
cl::opt<int64_t> stepSize("step",
                      cl::desc("Tokens per forward call (default: all at "
                               "once)"),
                      cl::init(0), cl::sub(tool::evalCommand()),
                      cl::cat(tool::terncCategory()));
cl::opt<std::string> logitsOut("logits-out",
                               cl::desc("Output file: f32 logits, row-major "
                                        "[tokens][vocab]"),
                               cl::value_desc("path"),
                               cl::sub(tool::evalCommand()),
                               cl::cat(tool::terncCategory()));
cl::opt<std::string> klDivergenceBase(
    "kl-divergence-base",
    cl::desc("Compare the logits with another run's --logits-out (same top "
             "token, KL divergence)"),
    cl::value_desc("path"), cl::sub(tool::evalCommand()),
    cl::cat(tool::terncCategory()));

} // namespace

int ternc::tool::runEval() {
  Status step = generate::checkStep(stepSize);
  if (!step.ok())
    return reportError(step.error());
  if (logitsOut.empty() && klDivergenceBase.empty())
    return reportError(
        makeError("eval: give --logits-out FILE or --kl-divergence-base FILE"));
  Expected<InterpretedModel> model = loadInterpretedModel(inputPath);
  if (!model)
    return reportError(model.error());
  InterpretedSequence sequence(*model->interpreter);
  std::vector<int32_t> tokens(tokenIds.begin(), tokenIds.end());
  Expected<std::vector<float>> logits =
      generate::evaluate(sequence, tokens, stepSize);
  if (!logits)
    return reportError(logits.error());
  Expected<std::string> report =
      generate::reportLogits(*logits, tokens.size(), sequence.vocabSize(),
                             logitsOut, klDivergenceBase);
  if (!report)
    return reportError(report.error());
  fmt::print("{}", *report);
  return 0;
}
