//===- TextInput.cpp - The -p TEXT / -f FILE pair of flags ----------------===//

#include "tools/ternc/TextInput.h"

#include "runtime/support/MappedFile.h"

namespace ternc::tool {

Expected<std::string> readTextInput(const char *command,
                                    const llvm::cl::opt<std::string> &text,
                                    const llvm::cl::opt<std::string> &file) {
  bool hasText = text.getNumOccurrences() > 0;
  bool hasFile = file.getNumOccurrences() > 0;
  if (hasText == hasFile)
    return makeError("{}: give the text with exactly one of -p TEXT and -f "
                     "FILE",
                     command);
  if (hasText)
    return std::string(text);
  Expected<std::unique_ptr<MappedFile>> mapped = MappedFile::open(file);
  if (!mapped)
    return mapped.error();
  ByteSpan bytes = (*mapped)->bytes();
  return std::string(bytes.begin(), bytes.end());
}

} // namespace ternc::tool
