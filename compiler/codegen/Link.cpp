//===- Link.cpp - Object + runtime + kernels -> executable or library -----===//

#include "compiler/codegen/Link.h"

#include "compiler/codegen/TemporaryOutput.h"
#include "runtime/model/AppendedWeights.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "llvm/ADT/SmallString.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace ternc {

const std::vector<std::string> &runtimeLibraries(LinkedKind kind) {
  // The executable's main program, or the C API, over the same runtime.
  static const std::vector<std::string> executable = {
      "TerncModelMain", "TerncModelAppended", "TerncModelRuntime",
      "TerncGenerate",  "TerncTokenizer",     "TerncSampler",
      "TerncGguf",      "TerncSupport"};
  static const std::vector<std::string> library = {
      "TerncModelApi",  "TerncModelEmbedded", "TerncModelRuntime",
      "TerncGenerate",  "TerncTokenizer",     "TerncSampler",
      "TerncGguf",      "TerncSupport"};
  return kind == LinkedKind::Executable ? executable : library;
}

namespace {

/// The paths of the archives `kind` links for `target`, checked to exist.
Expected<std::vector<std::string>>
findArchives(LinkedKind kind, const BackendTarget &target,
             const std::string &libraryDirectory) {
  llvm::SmallString<256> directory(libraryDirectory);
  if (!target.libraryDirectory.empty())
    llvm::sys::path::append(directory, target.libraryDirectory);
  std::vector<std::string> libraries = runtimeLibraries(kind);
  libraries.insert(libraries.end(), target.kernelLibraries.begin(),
                   target.kernelLibraries.end());
  std::vector<std::string> archives;
  for (const std::string &library : libraries) {
    llvm::SmallString<256> archive(directory);
    llvm::sys::path::append(archive, "lib" + library + ".a");
    if (!llvm::sys::fs::exists(archive) && !target.libraryDirectory.empty())
      return makeError("target '{}': runtime library {} is missing: ternc "
                       "builds the {} runtime only where the cross toolchain "
                       "is installed (scripts/install-deps.sh: "
                       "crossbuild-essential-arm64, clang-19, lld-19)",
                       target.name, archive.str().str(),
                       target.libraryDirectory);
    if (!llvm::sys::fs::exists(archive))
      return makeError("target '{}': runtime library {} is missing (is "
                       "ternc's lib/ directory next to its bin/?)",
                       target.name, archive.str().str());
    archives.push_back(archive.str().str());
  }
  return archives;
}

/// Whether `target` generates code for another architecture than this
/// machine's (a cross target names its triple and its library directory).
bool isCrossTarget(const BackendTarget &target) {
  return !target.libraryDirectory.empty() &&
         llvm::Triple(target.triple).getArch() !=
             llvm::Triple(llvm::sys::getProcessTriple()).getArch();
}

/// The C++ compiler driver that links, and the flags that make it link for
/// `target`: $TERNC_CXX, else the first of c++, g++, clang++ on PATH; for a
/// cross target clang (clang++-19 or clang++) with --target and lld, which
/// finds the target's C library and libstdc++ (e.g. Debian's
/// crossbuild-essential-arm64) by itself.
Expected<std::vector<std::string>>
findCompilerDriver(const BackendTarget &target) {
  const bool cross = isCrossTarget(target);
  if (const char *chosen = std::getenv("TERNC_CXX")) {
    llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(chosen);
    if (!path)
      return makeError("TERNC_CXX='{}' is not an executable on PATH", chosen);
    if (cross)
      return std::vector<std::string>{*path, "--target=" + target.triple,
                                      "-fuse-ld=lld"};
    return std::vector<std::string>{*path};
  }
  if (cross) {
    for (const char *name : {"clang++-19", "clang++"})
      if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name))
        return std::vector<std::string>{*path, "--target=" + target.triple,
                                        "-fuse-ld=lld"};
    return makeError("--target={} links with clang++ (clang++-19) and lld, "
                     "neither of which is on PATH; install clang-19 and "
                     "lld-19, or set TERNC_CXX",
                     target.name);
  }
  for (const char *name : {"c++", "g++", "clang++"})
    if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name))
      return std::vector<std::string>{*path};
  return makeError("no C++ compiler driver (c++, g++ or clang++) on PATH to "
                   "link with; install one or set TERNC_CXX");
}

/// Appends `weights` and their trailer (AppendedWeights.h) to the linked
/// executable `path`, which the messages call `outputPath`.
Status appendWeights(const std::string &path, const std::string &outputPath,
                     const PackedWeights &weights,
                     const PackedWeights::Progress &progress) {
  std::FILE *file = std::fopen(path.c_str(), "r+b");
  if (!file)
    return makeError("{}: cannot reopen the linked executable to append the "
                     "weights: {}",
                     outputPath, std::strerror(errno));
  auto write = [&](const void *data, uint64_t size) -> Status {
    if (size && std::fwrite(data, 1, size, file) != size)
      return makeError("{}: cannot write the weights: {}", outputPath,
                       std::strerror(errno));
    return Status::success();
  };
  Status status = Status::success();
  if (std::fseek(file, 0, SEEK_END) != 0)
    status = makeError("{}: cannot seek: {}", outputPath, std::strerror(errno));
  AppendedWeightsTrailer trailer;
  std::memcpy(trailer.magic, kAppendedWeightsMagic, sizeof trailer.magic);
  if (status.ok()) {
    uint64_t end = static_cast<uint64_t>(std::ftell(file));
    trailer.offset = (end + kAppendedWeightsAlignment - 1) /
                     kAppendedWeightsAlignment * kAppendedWeightsAlignment;
    std::vector<uint8_t> padding(trailer.offset - end, 0);
    status = write(padding.data(), padding.size());
  }
  uint64_t written = 0;
  if (status.ok())
    status = weights.serialize(
        [&](const void *data, uint64_t size) {
          written += size;
          return write(data, size);
        },
        progress);
  trailer.size = written;
  if (status.ok())
    status = write(&trailer, sizeof trailer);
  if (std::fclose(file) != 0 && status.ok())
    status = makeError("{}: cannot write the weights: {}", outputPath,
                       std::strerror(errno));
  return status;
}

} // namespace

Status linkExecutable(const std::string &objectPath,
                      const BackendTarget &target,
                      const std::string &libraryDirectory,
                      const PackedWeights &weights,
                      const std::string &outputPath,
                      const PackedWeights::Progress &progress) {
  Expected<std::vector<std::string>> archives =
      findArchives(LinkedKind::Executable, target, libraryDirectory);
  if (!archives)
    return archives.error();
  Expected<std::vector<std::string>> driver = findCompilerDriver(target);
  if (!driver)
    return driver.error();

  // The archives refer to each other (kernels use the support library, the
  // runtime calls the kernels): one group resolves them in any order.
  return writeThroughTemporary(
      outputPath, [&](const std::string &temporary, int) -> Status {
        std::vector<std::string> arguments = *driver;
        for (const std::string &argument :
             {std::string("-o"), temporary, objectPath,
              std::string("-Wl,--start-group")})
          arguments.push_back(argument);
        arguments.insert(arguments.end(), archives->begin(), archives->end());
        arguments.push_back("-Wl,--end-group");
        for (const char *flag :
             {"-static-libstdc++", "-static-libgcc", "-pthread", "-lm"})
          arguments.push_back(flag);
        std::vector<llvm::StringRef> argumentRefs(arguments.begin(),
                                                  arguments.end());
        std::string failure;
        int exitCode = llvm::sys::ExecuteAndWait(
            driver->front(), argumentRefs, std::nullopt, {}, 0, 0, &failure);
        if (exitCode != 0)
          return makeError("linking {} failed ({} exited with {}{}{})",
                           outputPath, driver->front(), exitCode,
                           failure.empty() ? "" : ": ", failure);
        return appendWeights(temporary, outputPath, weights, progress);
      });
}

Status writeStaticLibrary(const std::string &objectPath,
                          const BackendTarget &target,
                          const std::string &libraryDirectory,
                          const std::string &outputPath) {
  Expected<std::vector<std::string>> archives =
      findArchives(LinkedKind::StaticLibrary, target, libraryDirectory);
  if (!archives)
    return archives.error();
  auto failed = [](const std::string &what, llvm::Error error) {
    return makeError("{}: {}", what, llvm::toString(std::move(error)));
  };

  std::vector<llvm::NewArchiveMember> members;
  llvm::Expected<llvm::NewArchiveMember> model =
      llvm::NewArchiveMember::getFile(objectPath, /*Deterministic=*/true);
  if (!model)
    return failed(objectPath, model.takeError());
  members.push_back(std::move(*model));
  // The archives' buffers must live until the new archive is written.
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers;
  std::vector<std::unique_ptr<llvm::object::Archive>> opened;
  for (const std::string &path : *archives) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      return makeError("{}: cannot read: {}", path,
                       buffer.getError().message());
    llvm::Expected<std::unique_ptr<llvm::object::Archive>> archive =
        llvm::object::Archive::create((*buffer)->getMemBufferRef());
    if (!archive)
      return failed(path, archive.takeError());
    llvm::Error error = llvm::Error::success();
    for (const llvm::object::Archive::Child &child : (*archive)->children(error)) {
      llvm::Expected<llvm::NewArchiveMember> member =
          llvm::NewArchiveMember::getOldMember(child, /*Deterministic=*/true);
      if (!member)
        return failed(path, member.takeError());
      members.push_back(std::move(*member));
    }
    if (error)
      return failed(path, std::move(error));
    buffers.push_back(std::move(*buffer));
    opened.push_back(std::move(*archive));
  }
  if (llvm::Error error = llvm::writeArchive(
          outputPath, members, llvm::SymtabWritingMode::NormalSymtab,
          llvm::object::Archive::K_GNU, /*Deterministic=*/true,
          /*Thin=*/false))
    return failed(outputPath, std::move(error));
  return Status::success();
}

} // namespace ternc
