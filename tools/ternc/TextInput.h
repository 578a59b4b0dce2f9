//===- TextInput.h - The -p TEXT / -f FILE pair of flags --------*- C++ -*-===//

#ifndef TERNC_TOOLS_TERNC_TEXTINPUT_H
#define TERNC_TOOLS_TERNC_TEXTINPUT_H

#include "runtime/support/Error.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace ternc::tool {

/// The text given with exactly one of `text` (-p) and `file` (-f, read as
/// raw bytes); `command` names the subcommand in the error.
Expected<std::string> readTextInput(const char *command,
                                    const llvm::cl::opt<std::string> &text,
                                    const llvm::cl::opt<std::string> &file);

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_TEXTINPUT_H
