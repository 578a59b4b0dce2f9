//===- EvalCommand.cpp - `ternc eval`: logits of a token sequence ---------===//
//
// The parity tool: runs a token sequence through the reference interpreter,
// N tokens per forward call, and writes the f32 logits row-major
// [tokens][vocab] to a file, to compare with a compiled binary or with
// bitnet.cpp.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/ImportFlags.h"

#include "runtime/support/OutputFile.h"

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
cl::opt<int64_t> step("step",
                      cl::desc("Tokens per forward call (default: all at "
                               "once)"),
                      cl::init(0), cl::sub(tool::evalCommand()),
                      cl::cat(tool::terncCategory()));
cl::opt<std::string> logitsOut("logits-out",
                               cl::desc("Output file: f32 logits, row-major "
                                        "[tokens][vocab]"),
                               cl::value_desc("path"), cl::Required,
                               cl::sub(tool::evalCommand()),
                               cl::cat(tool::terncCategory()));

} // namespace

int ternc::tool::runEval() {
  if (step < 0)
    return reportError(makeError("--step {} must be positive", step.getValue()));
  Expected<InterpretedModel> model = loadInterpretedModel(inputPath);
  if (!model)
    return reportError(model.error());
  Interpreter &interpreter = *model->interpreter;
  InterpreterSession session = interpreter.newSession();
  std::vector<int32_t> tokens(tokenIds.begin(), tokenIds.end());
  size_t perCall = step ? static_cast<size_t>(step.getValue()) : tokens.size();

  std::vector<float> logits;
  for (size_t start = 0; start < tokens.size(); start += perCall) {
    std::vector<int32_t> call(
        tokens.begin() + start,
        tokens.begin() + std::min(tokens.size(), start + perCall));
    Expected<std::vector<float>> output = interpreter.forward(session, call);
    if (!output)
      return reportError(output.error());
    logits.insert(logits.end(), output->begin(), output->end());
  }

  Expected<std::unique_ptr<OutputFile>> file = OutputFile::create(logitsOut);
  if (!file)
    return reportError(file.error());
  Status status = (*file)->write(logits.data(), logits.size() * sizeof(float));
  if (status.ok())
    status = (*file)->commit();
  if (!status.ok())
    return reportError(status.error());
  fmt::print("wrote {} x {} f32 logits to {}\n", tokens.size(),
             interpreter.vocabSize(), logitsOut.getValue());
  return 0;
}
