//===- Diagnostics.h - How ternc reports to the user ------------*- C++ -*-===//

#ifndef TERNC_TOOLS_TERNC_DIAGNOSTICS_H
#define TERNC_TOOLS_TERNC_DIAGNOSTICS_H

#include "runtime/support/Error.h"

namespace ternc::tool {

/// Routes spdlog to stderr as "ternc: <level>: <message>".
void setUpLogging();

/// Logs `error` and returns the exit code for a failed command (1).
int reportError(const Error &error);

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_DIAGNOSTICS_H
