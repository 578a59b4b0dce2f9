//===- Link.cpp - Object + runtime + kernels -> one executable ------------===//

#include "compiler/codegen/Link.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace ternc {

const std::vector<std::string> &runtimeLibraries() {
  static const std::vector<std::string> libraries = {
      "TerncModelMain", "TerncModelEmbedded", "TerncModelRuntime",
      "TerncGenerate",  "TerncTokenizer",     "TerncSampler",
      "TerncGguf",      "TerncSupport"};
  return libraries;
}

namespace {

/// The C++ compiler driver that links: $TERNC_CXX, else the first of c++,
/// g++, clang++ on PATH.
Expected<std::string> findCompilerDriver() {
  if (const char *chosen = std::getenv("TERNC_CXX")) {
    llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(chosen);
    if (!path)
      return makeError("TERNC_CXX='{}' is not an executable on PATH", chosen);
    return *path;
  }
  for (const char *name : {"c++", "g++", "clang++"})
    if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name))
      return *path;
  return makeError("no C++ compiler driver (c++, g++ or clang++) on PATH to "
                   "link with; install one or set TERNC_CXX");
}

} // namespace

Status linkExecutable(const std::string &objectPath,
                      const BackendTarget &target,
                      const std::string &libraryDirectory,
                      const std::string &outputPath) {
  llvm::SmallString<256> directory(libraryDirectory);
  if (!target.libraryDirectory.empty())
    llvm::sys::path::append(directory, target.libraryDirectory);
  std::vector<std::string> libraries = runtimeLibraries();
  libraries.insert(libraries.end(), target.kernelLibraries.begin(),
                   target.kernelLibraries.end());
  std::vector<std::string> archives;
  for (const std::string &library : libraries) {
    llvm::SmallString<256> archive(directory);
    llvm::sys::path::append(archive, "lib" + library + ".a");
    if (!llvm::sys::fs::exists(archive))
      return makeError("target '{}': runtime library {} is missing (is "
                       "ternc's lib/ directory next to its bin/?)",
                       target.name, archive.str().str());
    archives.push_back(archive.str().str());
  }
  Expected<std::string> driver = findCompilerDriver();
  if (!driver)
    return driver.error();

  const std::string temporary = outputPath + ".tmp";
  // The archives refer to each other (kernels use the support library, the
  // runtime calls the kernels): one group resolves them in any order.
  std::vector<std::string> arguments = {*driver, "-o", temporary, objectPath,
                                        "-Wl,--start-group"};
  arguments.insert(arguments.end(), archives.begin(), archives.end());
  arguments.push_back("-Wl,--end-group");
  for (const char *flag :
       {"-static-libstdc++", "-static-libgcc", "-pthread", "-lm"})
    arguments.push_back(flag);
  std::vector<llvm::StringRef> argumentRefs(arguments.begin(), arguments.end());
  std::string failure;
  int exitCode = llvm::sys::ExecuteAndWait(*driver, argumentRefs, std::nullopt,
                                           {}, 0, 0, &failure);
  if (exitCode != 0) {
    llvm::sys::fs::remove(temporary);
    return makeError("linking {} failed ({} exited with {}{}{})", outputPath,
                     *driver, exitCode, failure.empty() ? "" : ": ", failure);
  }
  if (std::error_code error = llvm::sys::fs::rename(temporary, outputPath)) {
    llvm::sys::fs::remove(temporary);
    return makeError("{}: cannot create: {}", outputPath, error.message());
  }
  return Status::success();
}

} // namespace ternc
