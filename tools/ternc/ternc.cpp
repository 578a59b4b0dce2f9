//===- ternc.cpp - The ternc driver ---------------------------------------===//
//
// ternc: an ahead-of-time compiler for ternary (BitNet b1.58) language models.
// This file only dispatches to the subcommands (see Commands.h).
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace ternc::tool;

namespace ternc::tool {
llvm::cl::OptionCategory &terncCategory() {
  static llvm::cl::OptionCategory category("ternc options");
  return category;
}
} // namespace ternc::tool

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  setUpLogging();
  if (argc >= 2 && (llvm::StringRef(argv[1]) == "run" ||
                    llvm::StringRef(argv[1]) == "eval"))
    return runInterpreterCommand(argv[1],
                                 std::vector<std::string>(argv + 2, argv + argc));
  llvm::cl::HideUnrelatedOptions(terncCategory());
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "ternc (built with LLVM " << LLVM_VERSION_STRING << ")\n";
  });
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "ternc: ahead-of-time compiler for ternary (BitNet b1.58) models\n\n"
      "  MODEL is a GGUF file or a Hugging Face BitNet b1.58 checkpoint "
      "directory\n"
      "  ternc inspect MODEL [--json]\n"
      "  ternc check MODEL [--strict]\n"
      "  ternc compile MODEL --emit=tern [-o OUT]\n"
      "  ternc convert CHECKPOINT -o OUT.gguf\n"
      "  ternc eval MODEL.gguf --tokens ID,... [--step N] --logits-out F\n"
      "  ternc mkmodel --arch A --preset tiny|2b4t --weight-type T -o OUT\n"
      "  ternc mkmodel --preset P --format hf-packed|hf-bf16 -o DIR\n"
      "  ternc run MODEL.gguf -p PROMPT [-n N] [--temp T] [--seed S] [--chat]\n"
      "  (ternc run --help and ternc eval --help list their flags)\n"
      "  ternc tokenize MODEL.gguf [--no-bos] [--no-parse-special] (-p TEXT | -f F)\n");
  if (inspectCommand())
    return runInspect();
  if (checkCommand())
    return runCheck();
  if (compileCommand())
    return runCompile();
  if (convertCommand())
    return runConvert();
  if (mkmodelCommand())
    return runMkModel();
  if (tokenizeCommand())
    return runTokenize();
  llvm::errs() << "ternc: error: no command given; see 'ternc --help'\n";
  return 1;
}
