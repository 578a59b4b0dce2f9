//===- TestVocabularies.h - Tokenizers built in memory for tests *- C++ -*-===//
//
// The tokenizer tests build their vocabularies with compiler/model (the
// built-in vocabulary, tokenizer.json import, hand-made ones) and write them
// into in-memory GGUF images, as `ternc mkmodel` would into a file.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_TEST_RUNTIME_TOKENIZER_TESTVOCABULARIES_H
#define TERNC_TEST_RUNTIME_TOKENIZER_TESTVOCABULARIES_H

#include "compiler/model/Vocabulary.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ternc::tokenizer::test {

/// The name the GGUF images get in messages.
inline constexpr std::string_view kImageName = "vocab.gguf";

/// A GGUF image with the tokenizer keys of `vocabulary` except `omittedKey`,
/// then changed by `edit`.
std::vector<uint8_t>
vocabularyImage(const model::Vocabulary &vocabulary,
                const std::function<void(gguf::GgufWriter &)> &edit = {},
                std::string_view omittedKey = {});

/// The tokenizer of a GGUF image.
Expected<Tokenizer> loadTokenizer(const std::vector<uint8_t> &image);

/// The Llama 3 tokenizer from the tokenizer.json that
/// TERNC_LLAMA3_TOKENIZER_JSON names, imported once; nullptr when the
/// variable is unset.
const Tokenizer *llama3Tokenizer();

/// The strings of corpus.json in TERNC_TEST_DATA.
std::vector<std::string> readCorpus();

/// The path of a file of the test data directory (TERNC_TEST_DATA).
std::string testDataPath(std::string_view name);

} // namespace ternc::tokenizer::test

#endif // TERNC_TEST_RUNTIME_TOKENIZER_TESTVOCABULARIES_H
