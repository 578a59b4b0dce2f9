//===- ModelMain.h - The main program of a compiled model -------*- C++ -*-===//
//
// What a compiled model binary does with its command line (Options.h): text
// generation streamed to stdout with statistics on stderr, `ternc eval`'s
// logits file, or a llama-bench table. Errors go to stderr as
// "PROGRAM: error: MESSAGE" with exit code 1. It takes the model as a
// ModelDefinition, so tests run it on models built by hand.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_APP_MODELMAIN_H
#define TERNC_RUNTIME_APP_MODELMAIN_H

#include "runtime/model/CompiledModel.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace ternc::app {

/// Runs the command line `arguments` (without the program name) on the
/// model of `definition`, writing results to `out` and messages to `err`;
/// returns the exit code.
int runModelMain(const ModelDefinition &definition, std::string_view program,
                 const std::vector<std::string> &arguments, std::FILE *out,
                 std::FILE *err);

/// The program name for messages: the last component of argv[0] (or a
/// default when it is missing).
std::string programName(const char *argv0);

} // namespace ternc::app

#endif // TERNC_RUNTIME_APP_MODELMAIN_H
