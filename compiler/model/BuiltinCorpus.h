//===- BuiltinCorpus.h - Built-in vocabulary training text ------*- C++ -*-===//
//
// The small English text that ternc's built-in BPE vocabulary learns its
// merges from. Changing it changes every merge and token id of that
// vocabulary, and so every model ternc generates with it.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_MODEL_BUILTINCORPUS_H
#define TERNC_COMPILER_MODEL_BUILTINCORPUS_H

#include <string_view>

namespace ternc::model {

/// Plain ASCII prose (compilers, weather, cooking, travel, ...) with digits,
/// punctuation, contractions and capitalised words, paragraphs separated by
/// blank lines.
std::string_view builtinTrainingCorpus();

} // namespace ternc::model

#endif // TERNC_COMPILER_MODEL_BUILTINCORPUS_H
