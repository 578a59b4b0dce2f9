//===- Link.h - Object + runtime + kernels -> executable or library -*- C++ -*-===//
//
// A compiled model becomes a program by linking its object (code only) with
// the runtime's static libraries (command line, generation loop, tokenizer,
// sampler, GGUF reader) and its backend's kernel library, through the
// system's C++ compiler driver, and appending the packed weights to the
// linked file (runtime/model/AppendedWeights.h): the linker never copies
// them, and they are written once, straight from the packer. libstdc++ and
// libgcc are linked statically, so the result needs only the C library. For
// embedding, the object (code and weights, `.incbin`) and the runtime (with
// the C API instead of the command line) are packed into one static
// library, written with LLVM's archive writer, next to the C header
// ternc_model.h.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CODEGEN_LINK_H
#define TERNC_COMPILER_CODEGEN_LINK_H

#include "backends/Target.h"
#include "compiler/codegen/PackWeights.h"
#include "runtime/support/Error.h"

#include <string>
#include <vector>

namespace ternc {

/// What the model's object is linked into.
enum class LinkedKind { Executable, StaticLibrary };

/// The runtime's static libraries a `kind` holds, in link order (names
/// without lib/.a); the backend's kernel libraries follow.
const std::vector<std::string> &runtimeLibraries(LinkedKind kind);

/// Links `objectPath` (without weights) into the executable `outputPath`
/// with the runtime and `target`'s kernels from `libraryDirectory` (ternc's
/// library directory; a cross-compiling target's own subdirectory of it),
/// then appends `weights` to it (telling `progress` how far). All or
/// nothing.
Status linkExecutable(const std::string &objectPath,
                      const BackendTarget &target,
                      const std::string &libraryDirectory,
                      const PackedWeights &weights,
                      const std::string &outputPath,
                      const PackedWeights::Progress &progress = {});

/// Writes the static library `outputPath` (all or nothing): `objectPath`
/// and every member of the runtime's and `target`'s libraries.
Status writeStaticLibrary(const std::string &objectPath,
                          const BackendTarget &target,
                          const std::string &libraryDirectory,
                          const std::string &outputPath);

/// The text of ternc_model.h, the C API of --emit=lib libraries.
const char *modelApiHeader();

} // namespace ternc

#endif // TERNC_COMPILER_CODEGEN_LINK_H
