//===- Commands.h - The `ternc <command>` subcommands -----------*- C++ -*-===//
//
// Each subcommand lives in its own file: an llvm::cl::SubCommand with its
// options, and a run function returning the process exit code.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_TOOLS_TERNC_COMMANDS_H
#define TERNC_TOOLS_TERNC_COMMANDS_H

#include "llvm/Support/CommandLine.h"

namespace ternc::tool {

/// The options category shared by all ternc commands (shown by --help).
llvm::cl::OptionCategory &terncCategory();

/// `ternc inspect MODEL.gguf [--json]`: metadata, tensors and totals.
extern llvm::cl::SubCommand inspectCommand;
int runInspect();

/// `ternc check MODEL.gguf [--strict]`: architecture-aware validation.
extern llvm::cl::SubCommand checkCommand;
int runCheck();

/// `ternc compile MODEL.gguf [--emit=STAGE] [-o OUT]`: the compiler.
extern llvm::cl::SubCommand compileCommand;
int runCompile();

/// `ternc eval MODEL.gguf --tokens ID,... --logits-out FILE`: reference
/// logits from the interpreter.
extern llvm::cl::SubCommand evalCommand;
int runEval();

/// `ternc mkmodel ... -o OUT.gguf`: a synthetic model of a real architecture.
extern llvm::cl::SubCommand mkmodelCommand;
int runMkModel();

/// `ternc run MODEL.gguf -p PROMPT -n N`: text generation with the reference
/// interpreter.
extern llvm::cl::SubCommand runCommand;
int runRun();

/// `ternc tokenize MODEL.gguf [--no-bos] [--special] (-p TEXT | -f FILE)`:
/// the token ids of a text.
extern llvm::cl::SubCommand tokenizeCommand;
int runTokenize();

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_COMMANDS_H
