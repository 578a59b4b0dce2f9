//===- TokenizeCommand.cpp - `ternc tokenize`: text to token ids ----------===//
//
// Prints the token ids the model's own tokenizer gives a text (-p) or a
// file's bytes (-f), on one line separated by single spaces: BOS first when
// the model asks for it (unless --no-bos), special-token text turned into
// special tokens as llama.cpp does (unless --no-parse-special). The same ids
// llama.cpp's llama-tokenize prints for the model.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/TextInput.h"

#include "compiler/checkpoint/CheckpointToGguf.h"
#include "runtime/support/MappedFile.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

using namespace ternc;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &tokenizeCommand() {
  static cl::SubCommand command("tokenize",
                               "Print the token ids of a text, as the "
                               "model's tokenizer gives them");
  return command;
}
} // namespace ternc::tool

namespace {

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.gguf>"),
                               cl::Required, cl::sub(tool::tokenizeCommand()),
                               cl::cat(tool::terncCategory()));
cl::opt<std::string> promptText("p", cl::desc("The text to tokenize"),
                                cl::value_desc("text"),
                                cl::sub(tool::tokenizeCommand()),
                                cl::cat(tool::terncCategory()));
cl::opt<std::string> promptFile("f",
                                cl::desc("Tokenize the bytes of this file"),
                                cl::value_desc("file"),
                                cl::sub(tool::tokenizeCommand()),
                                cl::cat(tool::terncCategory()));
cl::opt<bool> noBos("no-bos",
                    cl::desc("Do not prepend BOS, even when the model's "
                             "tokenizer.ggml.add_bos_token asks for it"),
                    cl::sub(tool::tokenizeCommand()),
                    cl::cat(tool::terncCategory()));
cl::opt<bool> noParseSpecial(
    "no-parse-special",
    cl::desc("Tokenize the text of special tokens (e.g. <|eot_id|>) as text "
             "instead of turning it into those tokens"),
    cl::sub(tool::tokenizeCommand()), cl::cat(tool::terncCategory()));

} // namespace

int ternc::tool::runTokenize() {
  Expected<std::string> text =
      tool::readTextInput("tokenize", promptText, promptFile);
  if (!text)
    return reportError(text.error());
  Expected<std::unique_ptr<checkpoint::ModelFile>> model =
      checkpoint::ModelFile::open(inputPath);
  if (!model)
    return reportError(model.error());
  Expected<tokenizer::Tokenizer> tokenizer =
      tokenizer::Tokenizer::fromGguf((*model)->gguf());
  if (!tokenizer)
    return reportError(tokenizer.error());

  tokenizer::EncodeOptions options;
  options.addBos = !noBos;
  options.parseSpecial = !noParseSpecial;
  fmt::print("{}\n", fmt::join(tokenizer->encode(*text, options), " "));
  return 0;
}
