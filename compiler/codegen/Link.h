//===- Link.h - Object + runtime + kernels -> one executable ----*- C++ -*-===//
//
// A compiled model becomes a program by linking its object (code and
// embedded weights) with the runtime's static libraries (command line,
// generation loop, tokenizer, sampler, GGUF reader) and its backend's kernel
// library, through the system's C++ compiler driver. libstdc++ and libgcc are
// linked statically: the result needs only the C library.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CODEGEN_LINK_H
#define TERNC_COMPILER_CODEGEN_LINK_H

#include "backends/Target.h"
#include "runtime/support/Error.h"

#include <string>
#include <vector>

namespace ternc {

/// The runtime's static libraries a compiled executable links, in link
/// order (names without lib/.a); the backend's kernel libraries follow.
const std::vector<std::string> &runtimeLibraries();

/// Links `objectPath` into the executable `outputPath` (all or nothing) with
/// the runtime and `target`'s kernels from `libraryDirectory` (ternc's
/// library directory; a cross-compiling target's own subdirectory of it).
Status linkExecutable(const std::string &objectPath,
                      const BackendTarget &target,
                      const std::string &libraryDirectory,
                      const std::string &outputPath);

} // namespace ternc

#endif // TERNC_COMPILER_CODEGEN_LINK_H
