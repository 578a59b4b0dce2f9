//===- ConvertCommand.cpp - `ternc convert`: checkpoint -> GGUF -----------===//
//
// Writes the GGUF of a BitNet b1.58 Hugging Face checkpoint (I2_S, the keys
// and tensor names of bitnet.cpp's converter), all or nothing.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"

#include "compiler/checkpoint/CheckpointToGguf.h"
#include "compiler/checkpoint/SafetensorsCheckpoint.h"

#include <fmt/format.h>

using namespace ternc;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &convertCommand() {
  static cl::SubCommand command("convert",
                                "Convert a Hugging Face BitNet b1.58 "
                                "checkpoint into an I2_S GGUF file");
  return command;
}
} // namespace ternc::tool

namespace {

cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<checkpoint directory | "
                                        "model.safetensors>"),
                               cl::Required, cl::sub(tool::convertCommand()),
                               cl::cat(tool::terncCategory()));
cl::opt<std::string> outputPath("o", cl::desc("Output GGUF file"),
                                cl::value_desc("path"), cl::Required,
                                cl::sub(tool::convertCommand()),
                                cl::cat(tool::terncCategory()));

} // namespace

int ternc::tool::runConvert() {
  if (!checkpoint::isCheckpointPath(inputPath))
    return reportError(makeError("{}: expected a Hugging Face checkpoint (a "
                                 "directory or a .safetensors file)",
                                 inputPath.getValue()));
  Expected<checkpoint::ConvertedCheckpoint> converted =
      checkpoint::convertCheckpoint(inputPath);
  if (!converted)
    return reportError(converted.error());
  for (const std::string &warning : converted->warnings)
    fmt::print(stderr, "ternc: warning: {}: {}\n", inputPath.getValue(),
               warning);
  Status written = converted->writer.write(outputPath);
  if (!written.ok())
    return reportError(written.error());
  Expected<uint64_t> size = converted->writer.fileSize();
  fmt::print("wrote {}: bitnet-b1.58, I2_S, {} bytes\n", outputPath.getValue(),
             size ? *size : 0);
  return 0;
}
