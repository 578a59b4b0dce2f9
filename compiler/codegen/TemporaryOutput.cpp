//===- TemporaryOutput.cpp - Binary outputs written all or nothing --------===//

#include "compiler/codegen/TemporaryOutput.h"

#include "llvm/Support/FileSystem.h"

namespace ternc {

Status writeThroughTemporary(
    const std::string &path,
    llvm::function_ref<Status(const std::string &temporary, int descriptor)>
        write) {
  llvm::Expected<llvm::sys::fs::TempFile> temporary =
      llvm::sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temporary) {
    std::string message = llvm::toString(temporary.takeError());
    return makeError("{}: cannot create a temporary file: {}", path, message);
  }
  Status written = write(temporary->TmpName, temporary->FD);
  if (!written.ok()) {
    llvm::consumeError(temporary->discard());
    return written;
  }
  if (llvm::Error error = temporary->keep(path)) {
    std::string message = llvm::toString(std::move(error));
    return makeError("{}: cannot create: {}", path, message);
  }
  return Status::success();
}

} // namespace ternc
