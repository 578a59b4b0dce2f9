//===- Commands.h - The `ternc <command>` subcommands -----------*- C++ -*-===//
//
// Each subcommand lives in its own file: an llvm::cl::SubCommand with its
// options, and a run function returning the process exit code. The
// subcommands are function-local statics, so options defined in other files
// (ImportFlags.cpp) can name them whatever the order of static
// initialization.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_TOOLS_TERNC_COMMANDS_H
#define TERNC_TOOLS_TERNC_COMMANDS_H

#include "llvm/Support/CommandLine.h"

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

/// `ternc eval MODEL.gguf --tokens ID,... --logits-out FILE`: reference
/// logits from the interpreter.
llvm::cl::SubCommand &evalCommand();
int runEval();

/// `ternc mkmodel ... -o OUT.gguf`: a synthetic model of a real architecture.
llvm::cl::SubCommand &mkmodelCommand();
int runMkModel();

/// `ternc run MODEL.gguf -p PROMPT -n N`: text generation with the reference
/// interpreter.
llvm::cl::SubCommand &runCommand();
int runRun();

/// `ternc tokenize MODEL.gguf [--no-bos] [--special] (-p TEXT | -f FILE)`:
/// the token ids of a text.
llvm::cl::SubCommand &tokenizeCommand();
int runTokenize();

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_COMMANDS_H
