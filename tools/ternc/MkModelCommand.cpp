//===- MkModelCommand.cpp - `ternc mkmodel`: synthetic test models --------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"

#include "compiler/checkpoint/SyntheticCheckpoint.h"
#include "compiler/model/SyntheticModel.h"

#include <fmt/format.h>
#include <sys/stat.h>

using namespace ternc;
using namespace ternc::model;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &mkmodelCommand() {
  static cl::SubCommand command("mkmodel",
                              "Write a model of a real architecture with "
                              "random ternary weights");
  return command;
}
} // namespace ternc::tool

namespace {

cl::OptionCategory &category() { return tool::terncCategory(); }

cl::opt<std::string> architecture("arch",
                                  cl::desc("bitnet-b1.58 (alias bitnet-25), "
                                           "bitnet or llama"),
                                  cl::init("bitnet-b1.58"),
                                  cl::sub(tool::mkmodelCommand()),
                                  cl::cat(category()));
cl::opt<std::string> preset("preset",
                            cl::desc("tiny (a few MB) or 2b4t (the shapes "
                                     "of BitNet b1.58 2B4T)"),
                            cl::init("tiny"), cl::sub(tool::mkmodelCommand()),
                            cl::cat(category()));
cl::opt<std::string> weightType("weight-type",
                                cl::desc("i2_s, tq1_0, tq2_0, f16, bf16 or "
                                         "f32"),
                                cl::init("i2_s"),
                                cl::sub(tool::mkmodelCommand()),
                                cl::cat(category()));
cl::opt<std::string> embedType("embed-type",
                               cl::desc("token_embd storage: f16, f32 or "
                                        "q8_0"),
                               cl::init("f16"), cl::sub(tool::mkmodelCommand()),
                               cl::cat(category()));
cl::opt<std::string> tokenizerJson("tokenizer-json",
                                   cl::desc("Import this Hugging Face "
                                            "tokenizer.json (default: the "
                                            "built-in 1024-token BPE)"),
                                   cl::sub(tool::mkmodelCommand()),
                                   cl::cat(category()));
cl::opt<uint64_t> seed("seed", cl::desc("Random seed"), cl::init(0),
                       cl::sub(tool::mkmodelCommand()), cl::cat(category()));
cl::opt<float> outputNormGain(
    "output-norm-gain",
    cl::desc("Multiply output_norm.weight by G (> 0; default 1): random "
             "weights give nearly flat next-token distributions, a gain "
             "makes them as peaked as a trained model's"),
    cl::value_desc("G"), cl::init(1.0f), cl::sub(tool::mkmodelCommand()),
    cl::cat(category()));
cl::opt<std::string> format(
    "format",
    cl::desc("gguf (default), or a Hugging Face checkpoint directory of "
             "bitnet-b1.58: hf-packed (four trits a byte and a "
             "weight_scale) or hf-bf16 (master weights)"),
    cl::init("gguf"), cl::sub(tool::mkmodelCommand()), cl::cat(category()));
cl::opt<unsigned> shards("shards",
                         cl::desc("Split a checkpoint's weights into N "
                                  "safetensors files and an index "
                                  "(default 1)"),
                         cl::value_desc("N"), cl::init(1),
                         cl::sub(tool::mkmodelCommand()), cl::cat(category()));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output GGUF file or checkpoint "
                                         "directory"),
                                cl::value_desc("path"), cl::Required,
                                cl::sub(tool::mkmodelCommand()),
                                cl::cat(category()));

Expected<gguf::TensorType> parseType(const std::string &flag,
                                     const std::string &value) {
  if (std::optional<gguf::TensorType> type = gguf::typeFromName(value))
    return *type;
  return makeError("--{} '{}' is not a tensor type", flag, value);
}

} // namespace

int ternc::tool::runMkModel() {
  SyntheticModelOptions options;
  options.architecture = architecture;
  options.preset = preset;
  options.tokenizerJson = tokenizerJson;
  options.seed = seed;
  options.outputNormGain = outputNormGain;
  Expected<gguf::TensorType> weights = parseType("weight-type", weightType);
  if (!weights)
    return reportError(weights.error());
  Expected<gguf::TensorType> embedding = parseType("embed-type", embedType);
  if (!embedding)
    return reportError(embedding.error());
  options.weightType = *weights;
  options.embeddingType = *embedding;
  if (format == "gguf") {
    if (shards.getNumOccurrences())
      return reportError(
          makeError("--shards applies to --format=hf-packed and hf-bf16"));
    Status status = writeSyntheticModel(options, outputPath);
    if (!status.ok())
      return reportError(status.error());
  } else {
    std::optional<checkpoint::CheckpointLayout> layout;
    if (format == "hf-packed")
      layout = checkpoint::CheckpointLayout::Packed;
    else if (format == "hf-bf16")
      layout = checkpoint::CheckpointLayout::Bf16;
    else
      return reportError(makeError(
          "--format '{}' is unknown (expected gguf, hf-packed or hf-bf16)",
          format.getValue()));
    if (weightType.getNumOccurrences() || embedType.getNumOccurrences())
      return reportError(makeError(
          "--weight-type and --embed-type apply to --format=gguf (a "
          "checkpoint's layout decides its types)"));
    Expected<SyntheticModel> model = makeSyntheticModel(options);
    if (!model)
      return reportError(model.error());
    Status status = checkpoint::writeSyntheticCheckpoint(*model, *layout,
                                                         shards, outputPath);
    if (!status.ok())
      return reportError(status.error());
    fmt::print("wrote {}: {} {} checkpoint, {} {}\n", outputPath.getValue(),
               architecture.getValue(), preset.getValue(), format.getValue(),
               shards == 1 ? std::string("model.safetensors")
                           : fmt::format("{} shards", shards.getValue()));
    return 0;
  }
  struct stat info;
  uint64_t size = ::stat(outputPath.c_str(), &info) == 0 ? info.st_size : 0;
  fmt::print("wrote {}: {} {}, {} ternary weights, {} embedding, {} bytes\n",
             outputPath.getValue(), architecture.getValue(),
             preset.getValue(), gguf::typeName(*weights),
             gguf::typeName(*embedding), size);
  return 0;
}
