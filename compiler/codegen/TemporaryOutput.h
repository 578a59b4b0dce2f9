//===- TemporaryOutput.h - Outputs written all or nothing -------*- C++ -*-===//
//
// The compiler's large outputs (objects, executables, libraries, rendered
// graphs) are written by LLVM streams or by other programs, so they cannot
// go through runtime/support's OutputFile. They are made in a uniquely named
// temporary file beside their destination (llvm::sys::fs::TempFile, removed
// on failure and on fatal signals) and renamed over it only once complete.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CODEGEN_TEMPORARYOUTPUT_H
#define TERNC_COMPILER_CODEGEN_TEMPORARYOUTPUT_H

#include "runtime/support/Error.h"

#include "llvm/ADT/STLExtras.h"

#include <string>

namespace ternc {

/// Creates `path` with `write`, which fills the temporary file whose name and
/// open descriptor it is given (it may also let another program write to
/// that name). Nothing is left at `path` unless `write` succeeds.
Status writeThroughTemporary(
    const std::string &path,
    llvm::function_ref<Status(const std::string &temporary, int descriptor)>
        write);

} // namespace ternc

#endif // TERNC_COMPILER_CODEGEN_TEMPORARYOUTPUT_H
