//===- CheckCommand.cpp - `ternc check`: validate a model before compiling ===//
//
// Exit codes: 0 when the model passed (warnings allowed unless --strict);
// 1 when it has errors, has warnings under --strict, or is not a readable
// GGUF file.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"

#include "compiler/checkpoint/BitNetCheckpoint.h"
#include "compiler/model/ModelCheck.h"

#include <fmt/format.h>

using namespace ternc;
using namespace ternc::model;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &checkCommand() {
  static cl::SubCommand command("check",
                            "Validate a model against its architecture "
                            "before compiling");
  return command;
}
} // namespace ternc::tool

namespace {

cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<model.gguf | checkpoint directory>"),
                               cl::Required, cl::sub(tool::checkCommand()),
                               cl::cat(tool::terncCategory()));
cl::opt<bool> strict("strict", cl::desc("Treat warnings as errors"),
                     cl::sub(tool::checkCommand()),
                     cl::cat(tool::terncCategory()));

const char *severityName(Severity severity) {
  switch (severity) {
  case Severity::Info: return "note";
  case Severity::Warning: return "warning";
  case Severity::Error: return "error";
  }
  return "";
}

void printNormTable(const CheckReport &report) {
  if (report.norms.empty())
    return;
  fmt::print("norm gamma statistics (reported as trained; never rescaled):\n");
  fmt::print("  {:>5}  {:<14} {:>10} {:>10} {:>10} {:>10}\n", "layer",
             "norm", "mean", "rms", "min", "max");
  for (const NormStats &n : report.norms) {
    std::string layer = n.layer < 0 ? "-" : std::to_string(n.layer);
    // "blk.3.attn_norm.weight" -> "attn_norm".
    std::string name = n.tensor.substr(0, n.tensor.rfind(".weight"));
    name = name.substr(name.rfind('.') + 1);
    fmt::print("  {:>5}  {:<14} {:>10.4g} {:>10.4g} {:>10.4g} {:>10.4g}\n",
               layer, name, n.mean, n.rms, n.min, n.max);
  }
}

/// Prints the counts and OK / FAILED for `name`; returns the exit code.
int printVerdict(const std::string &name, const CheckReport &report) {
  size_t errors = report.count(Severity::Error);
  size_t warnings = report.count(Severity::Warning);
  bool failed = errors > 0 || (strict && warnings > 0);
  fmt::print("{}: {} error(s), {} warning(s){}: {}\n", name, errors, warnings,
             strict ? " (--strict)" : "", failed ? "FAILED" : "OK");
  return failed ? 1 : 0;
}

/// `ternc check` of a Hugging Face checkpoint: config.json and the tensors
/// it implies (names, dtypes, shapes).
int checkCheckpoint() {
  Expected<checkpoint::SafetensorsCheckpoint> model =
      checkpoint::SafetensorsCheckpoint::open(inputPath);
  if (!model)
    return tool::reportError(model.error());
  Expected<checkpoint::BitNetConfig> config =
      checkpoint::readBitNetConfig(checkpoint::configPathOf(inputPath));
  if (!config)
    return tool::reportError(config.error());
  const HyperParams &p = config->params;
  fmt::print("{}: Hugging Face checkpoint, bitnet-b1.58, {} layers, n_embd "
             "{}, n_ff {}, heads {}/{} (head dim {}), vocab {}, context {}, "
             "{} embeddings\n",
             inputPath, p.blockCount, p.embeddingLength, p.feedForwardLength,
             p.headCount, p.headCountKv, p.headDim(), p.vocabSize,
             p.contextLength, config->tiedEmbeddings ? "tied" : "separate");
  CheckReport report;
  report.diagnostics = checkBitNetCheckpoint(*model, *config);
  for (const Diagnostic &d : report.diagnostics)
    fmt::print("{}: {}: {}\n", inputPath, severityName(d.severity),
               d.message);
  return printVerdict(inputPath, report);
}

} // namespace

int ternc::tool::runCheck() {
  if (checkpoint::isCheckpointPath(inputPath))
    return checkCheckpoint();
  Expected<gguf::GgufFile> file = gguf::GgufFile::open(inputPath);
  if (!file)
    return reportError(file.error());
  CheckReport report = checkModel(*file);
  if (report.params) {
    const HyperParams &p = *report.params;
    fmt::print("{}: {}, {} layers, n_embd {}, n_ff {}, heads {}/{} (head dim "
               "{}), vocab {}, context {}\n",
               file->name(), report.architecture, p.blockCount,
               p.embeddingLength, p.feedForwardLength, p.headCount,
               p.headCountKv, p.headDim(), p.vocabSize, p.contextLength);
  }
  for (const Diagnostic &d : report.diagnostics)
    fmt::print("{}: {}: {}\n", file->name(), severityName(d.severity),
               d.message);
  printNormTable(report);
  return printVerdict(file->name(), report);
}
