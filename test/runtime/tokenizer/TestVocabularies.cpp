//===- TestVocabularies.cpp - Tokenizers built in memory for tests --------===//

#include "test/runtime/tokenizer/TestVocabularies.h"

#include "runtime/gguf/GgufFile.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>

namespace ternc::tokenizer::test {

std::vector<uint8_t>
vocabularyImage(const model::Vocabulary &vocabulary,
                const std::function<void(gguf::GgufWriter &)> &edit,
                std::string_view omittedKey) {
  gguf::GgufWriter full;
  model::writeVocabulary(full, vocabulary);
  Expected<std::vector<uint8_t>> fullImage = full.writeToMemory();
  if (!fullImage) {
    ADD_FAILURE() << fullImage.error().message();
    return {};
  }
  Expected<gguf::GgufFile> parsed = gguf::GgufFile::parse(
      {fullImage->data(), fullImage->size()}, std::string(kImageName));
  if (!parsed) {
    ADD_FAILURE() << parsed.error().message();
    return {};
  }

  gguf::GgufWriter writer;
  for (const gguf::KeyValue &entry : parsed->metadata())
    if (entry.key != omittedKey)
      writer.set(std::string(entry.key),
                 gguf::MetadataValue::fromValue(entry.value));
  if (edit)
    edit(writer);
  Expected<std::vector<uint8_t>> image = writer.writeToMemory();
  if (!image) {
    ADD_FAILURE() << image.error().message();
    return {};
  }
  return image.take();
}

Expected<Tokenizer> loadTokenizer(const std::vector<uint8_t> &image) {
  Expected<gguf::GgufFile> file = gguf::GgufFile::parse(
      {image.data(), image.size()}, std::string(kImageName));
  if (!file)
    return file.error();
  return Tokenizer::fromGguf(*file);
}

const Tokenizer *llama3Tokenizer() {
  static const std::unique_ptr<Tokenizer> tokenizer =
      []() -> std::unique_ptr<Tokenizer> {
    const char *path = std::getenv("TERNC_LLAMA3_TOKENIZER_JSON");
    if (!path)
      return nullptr;
    Expected<model::Vocabulary> vocabulary = model::importTokenizerJson(path);
    if (!vocabulary) {
      ADD_FAILURE() << vocabulary.error().message();
      return nullptr;
    }
    Expected<Tokenizer> loaded = loadTokenizer(vocabularyImage(*vocabulary));
    if (!loaded) {
      ADD_FAILURE() << loaded.error().message();
      return nullptr;
    }
    return std::make_unique<Tokenizer>(loaded.take());
  }();
  return tokenizer.get();
}

std::string testDataPath(std::string_view name) {
  const char *directory = std::getenv("TERNC_TEST_DATA");
  EXPECT_NE(directory, nullptr) << "TERNC_TEST_DATA is not set";
  return std::string(directory ? directory : ".") + "/" + std::string(name);
}

std::vector<std::string> readCorpus() {
  std::ifstream file(testDataPath("corpus.json"));
  nlohmann::json corpus = nlohmann::json::parse(file, nullptr,
                                                /*allow_exceptions=*/false);
  EXPECT_TRUE(corpus.is_array()) << testDataPath("corpus.json");
  return corpus.is_array() ? corpus.get<std::vector<std::string>>()
                           : std::vector<std::string>();
}

} // namespace ternc::tokenizer::test
