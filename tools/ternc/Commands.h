//===- Commands.h - The `ternc <command>` subcommands -----------*- C++ -*-===//
//
// Each subcommand lives in its own file: an llvm::cl::SubCommand with its
// options, and a run function returning the process exit code. The
// subcommands are function-local statics, so options defined in other files
// can name them whatever the order of static initialization. `run` and
// `eval` read a compiled binary's command line instead (RunCommand.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_TOOLS_TERNC_COMMANDS_H
#define TERNC_TOOLS_TERNC_COMMANDS_H

#include "llvm/Support/CommandLine.h"

#include <string>
#include <string_view>
#include <vector>

namespace ternc::tool {

/// The options category shared by all ternc commands (shown by --help).
llvm::cl::OptionCategory &terncCategory();

/// `ternc inspect MODEL.gguf [--json]`: metadata, tensors and totals.
llvm::cl::SubCommand &inspectCommand();
int runInspect();

/// `ternc check MODEL.gguf [--strict]`: architecture-aware validation.
llvm::cl::SubCommand &checkCommand();
int runCheck();

/// `ternc compile MODEL.gguf [--emit=STAGE] [-o OUT]`: the compiler.
llvm::cl::SubCommand &compileCommand();
int runCompile();

/// `ternc convert CHECKPOINT -o OUT.gguf`: a Hugging Face BitNet b1.58
/// checkpoint as the I2_S GGUF bitnet.cpp's converter writes.
llvm::cl::SubCommand &convertCommand();
int runConvert();


/// `ternc mkmodel ... -o OUT`: a synthetic model of a real architecture, as
/// GGUF or a Hugging Face checkpoint.
llvm::cl::SubCommand &mkmodelCommand();
int runMkModel();

/// `ternc run MODEL.gguf -p PROMPT -n N` (text generation) and `ternc eval
/// MODEL.gguf --tokens ID,... --logits-out FILE` (reference logits) on the
/// reference interpreter, `command` being "run" or "eval". They read a
/// compiled binary's command line (runtime/app/Options.h) rather than
/// llvm::cl's, so the driver hands them their arguments before parsing.
int runInterpreterCommand(std::string_view command,
                          const std::vector<std::string> &arguments);

/// `ternc tokenize MODEL.gguf [--no-bos] [--no-parse-special] (-p TEXT | -f FILE)`:
/// the token ids of a text.
llvm::cl::SubCommand &tokenizeCommand();
int runTokenize();

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_COMMANDS_H
