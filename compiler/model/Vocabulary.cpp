//===- Vocabulary.cpp - Tokenizer vocabularies for GGUF models ------------===//
//
// Three pieces: a tiny deterministic byte-level BPE trainer that builds the
// built-in vocabulary from an embedded corpus, a tokenizer.json importer, and
// the writer of the tokenizer.* GGUF keys.
//
// tokenizer.json is parsed with nlohmann::json, which throws; the importer
// catches everything, so no exception leaves this file (it is linked into
// tools built with -fno-exceptions).
//
//===----------------------------------------------------------------------===//

#include "compiler/model/Vocabulary.h"

#include "compiler/model/BuiltinCorpus.h"
#include "runtime/tokenizer/ByteSymbols.h"
#include "runtime/support/MappedFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <exception>
#include <initializer_list>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

using json = nlohmann::json;

namespace ternc::model {

namespace {

//===----------------------------------------------------------------------===//
// The built-in vocabulary's BPE trainer
//===----------------------------------------------------------------------===//

/// Special tokens of the built-in vocabulary, appended after the BPE tokens in
/// this order. They are Llama 3's, so chat prompts look the same as with the
/// BitNet 2B4T vocabulary.
constexpr std::array<std::string_view, 5> kBuiltinSpecialTokens = {
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
    "<|end_header_id|>", "<|eot_id|>"};
constexpr size_t kBuiltinVocabularySize = 1024;

/// The BitNet 2B4T chat format: "System: {content}<|eot_id|>", then
/// "User: {content}<|eot_id|>Assistant: " for each user turn, each assistant
/// reply followed by <|eot_id|>.
constexpr std::string_view kBuiltinChatTemplate =
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}"
    "System: {{ message['content'] }}<|eot_id|>"
    "{% elif message['role'] == 'user' %}"
    "User: {{ message['content'] }}<|eot_id|>Assistant: "
    "{% else %}"
    "{{ message['content'] }}<|eot_id|>"
    "{% endif %}"
    "{% endfor %}";

/// Length of the contraction ('s 't 're 've 'm 'll 'd) starting at `pos`, or 0.
size_t contractionLength(std::string_view text, size_t pos) {
  for (std::string_view suffix : {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"})
    if (text.substr(pos, suffix.size()) == suffix)
      return suffix.size();
  return 0;
}

/// The character classes of GPT-2's pre-tokenizer, restricted to ASCII.
enum class CharClass { Space, Letter, Digit, Other };

CharClass classify(char c) {
  auto byte = static_cast<uint8_t>(c);
  if (std::isspace(byte))
    return CharClass::Space;
  if (std::isalpha(byte))
    return CharClass::Letter;
  return std::isdigit(byte) ? CharClass::Digit : CharClass::Other;
}

/// Splits ASCII text into words the way GPT-2's pre-tokenizer regex
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// does: a contraction; or an optional leading space followed by a run of
/// letters, of digits or of other non-space characters; or a run of whitespace,
/// whose last character is left to the next word when the run is followed by
/// one.
std::vector<std::string_view> splitIntoWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = pos + contractionLength(text, pos);
    if (end == pos) {
      size_t runStart = pos;
      if (text[pos] == ' ' && pos + 1 < text.size() &&
          classify(text[pos + 1]) != CharClass::Space)
        runStart = pos + 1;
      CharClass runClass = classify(text[runStart]);
      end = runStart;
      while (end < text.size() && classify(text[end]) == runClass)
        ++end;
      if (runClass == CharClass::Space && end < text.size() && end - pos > 1)
        --end;
    }
    words.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

/// Merges learned by byte-level BPE; symbol ids 0..255 are the single bytes.
struct LearnedMerges {
  /// The raw bytes of every symbol, by id.
  std::vector<std::string> symbolBytes;
  /// The merged pairs (left id, right id), in rank order.
  std::vector<std::pair<uint32_t, uint32_t>> merges;
};

/// A distinct word of the corpus as its current symbols.
struct TrainingWord {
  std::vector<uint32_t> symbols;
  uint32_t count;
};

/// The most frequent adjacent symbol pair over `words`; equally frequent pairs
/// are ordered by their bytes (left, then right), smallest first. Nullopt when
/// every word is a single symbol.
std::optional<std::pair<uint32_t, uint32_t>>
mostFrequentPair(const std::vector<TrainingWord> &words,
                 const std::vector<std::string> &symbolBytes) {
  std::unordered_map<uint64_t, uint32_t> pairCounts;
  for (const TrainingWord &word : words)
    for (size_t i = 0; i + 1 < word.symbols.size(); ++i)
      pairCounts[(uint64_t(word.symbols[i]) << 32) | word.symbols[i + 1]] +=
          word.count;

  std::optional<std::pair<uint32_t, uint32_t>> best;
  uint32_t bestCount = 0;
  for (const auto &[key, count] : pairCounts) {
    uint32_t left = static_cast<uint32_t>(key >> 32);
    uint32_t right = static_cast<uint32_t>(key);
    bool better =
        !best || count > bestCount ||
        (count == bestCount &&
         std::tie(symbolBytes[left], symbolBytes[right]) <
             std::tie(symbolBytes[best->first], symbolBytes[best->second]));
    if (better) {
      best = {left, right};
      bestCount = count;
    }
  }
  return best;
}

/// Replaces every occurrence of `pair` in `symbols`, left to right.
void applyMerge(std::vector<uint32_t> &symbols,
                std::pair<uint32_t, uint32_t> pair, uint32_t mergedId) {
  size_t out = 0;
  for (size_t in = 0; in < symbols.size(); ++in) {
    if (in + 1 < symbols.size() && symbols[in] == pair.first &&
        symbols[in + 1] == pair.second) {
      symbols[out++] = mergedId;
      ++in;
    } else {
      symbols[out++] = symbols[in];
    }
  }
  symbols.resize(out);
}

/// Learns merges from `corpus`, one at a time (always the most frequent pair),
/// until there are `symbolCount` symbols or no pair is left. Each merge makes
/// a new symbol (on the built-in corpus no two merges give the same bytes;
/// VocabularyTest checks that the tokens are unique).
LearnedMerges learnMerges(std::string_view corpus, size_t symbolCount) {
  LearnedMerges learned;
  for (uint32_t byte = 0; byte < 256; ++byte)
    learned.symbolBytes.emplace_back(1, static_cast<char>(byte));

  std::map<std::string_view, uint32_t> wordCounts;
  for (std::string_view word : splitIntoWords(corpus))
    ++wordCounts[word];
  std::vector<TrainingWord> words;
  for (const auto &[word, count] : wordCounts) {
    TrainingWord &trainingWord = words.emplace_back(TrainingWord{{}, count});
    for (char c : word)
      trainingWord.symbols.push_back(static_cast<uint8_t>(c));
  }

  while (learned.symbolBytes.size() < symbolCount) {
    std::optional<std::pair<uint32_t, uint32_t>> pair =
        mostFrequentPair(words, learned.symbolBytes);
    if (!pair)
      break;
    auto mergedId = static_cast<uint32_t>(learned.symbolBytes.size());
    learned.symbolBytes.push_back(learned.symbolBytes[pair->first] +
                                  learned.symbolBytes[pair->second]);
    learned.merges.push_back(*pair);
    for (TrainingWord &word : words)
      applyMerge(word.symbols, *pair, mergedId);
  }
  return learned;
}

//===----------------------------------------------------------------------===//
// tokenizer.json import
//===----------------------------------------------------------------------===//

/// The score of added tokens, as bitnet.cpp's converter writes it (its
/// BpeVocab); regular tokens score 0.
constexpr float kAddedTokenScore = -1000.0f;

/// The Split regex of Llama 3's tokenizer.json (llama.cpp's "llama-bpe").
constexpr std::string_view kLlama3SplitPattern =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

/// `object[key]`, or nullptr when `object` is not an object or lacks `key`.
const json *findMember(const json &object, const char *key) {
  if (!object.is_object())
    return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

/// `object[key]` when it is a string, else "".
std::string_view stringMember(const json &object, const char *key) {
  const json *member = findMember(object, key);
  return member && member->is_string()
             ? std::string_view(member->get_ref<const std::string &>())
             : std::string_view();
}

/// Whether `preTokenizer` is a Split on Llama 3's regex.
bool isLlama3Split(const json &preTokenizer) {
  const json *pattern = findMember(preTokenizer, "pattern");
  return stringMember(preTokenizer, "type") == "Split" && pattern &&
         stringMember(*pattern, "Regex") == kLlama3SplitPattern;
}

/// tokenizer.ggml.pre for a tokenizer.json pre_tokenizer: "llama-bpe" for
/// Llama 3's Split (alone or inside a Sequence), "gpt-2" for a lone ByteLevel
/// that applies its own regex (use_regex true, HF's default when absent), and
/// nullopt (llama.cpp's default pre-tokenizer) for anything else.
std::optional<std::string> recognisePreTokenizer(const json &preTokenizer) {
  if (isLlama3Split(preTokenizer))
    return "llama-bpe";
  std::string_view type = stringMember(preTokenizer, "type");
  if (type == "Sequence") {
    const json *steps = findMember(preTokenizer, "pretokenizers");
    if (steps && steps->is_array())
      for (const json &step : *steps)
        if (isLlama3Split(step))
          return "llama-bpe";
  }
  if (type == "ByteLevel") {
    const json *useRegex = findMember(preTokenizer, "use_regex");
    if (!useRegex || (useRegex->is_boolean() && useRegex->get<bool>()))
      return "gpt-2";
  }
  return std::nullopt;
}

/// The field name of token `text` in model.vocab, for messages.
std::string vocabField(std::string_view text) {
  return fmt::format("model.vocab[\"{}\"]", text);
}

/// The id of the first of `candidates` that is a token, if any.
std::optional<uint32_t>
findFirstToken(const std::vector<std::string> &tokens,
               std::initializer_list<std::string_view> candidates) {
  for (std::string_view candidate : candidates)
    for (size_t id = 0; id < tokens.size(); ++id)
      if (tokens[id] == candidate)
        return static_cast<uint32_t>(id);
  return std::nullopt;
}

/// Builds a Vocabulary from a parsed tokenizer.json. Errors name the file and
/// the JSON field.
class TokenizerJsonReader {
public:
  explicit TokenizerJsonReader(const std::string &path) : path_(path) {}

  Expected<Vocabulary> read(const json &document) {
    const json *model = findMember(document, "model");
    if (!model || !model->is_object())
      return fieldError("model", "expected an object");
    std::string_view modelType = stringMember(*model, "type");
    if (modelType != "BPE")
      return fieldError(
          "model.type",
          fmt::format("expected \"BPE\", found \"{}\"", modelType));
    const json *byteFallback = findMember(*model, "byte_fallback");
    if (byteFallback && byteFallback->is_boolean() && byteFallback->get<bool>())
      return fieldError("model.byte_fallback",
                        "SentencePiece-style BPE is not byte-level BPE");

    const json *vocab = findMember(*model, "vocab");
    if (!vocab || !vocab->is_object() || vocab->empty())
      return fieldError("model.vocab", "expected a non-empty object");
    const json *addedTokens = findMember(document, "added_tokens");
    if (addedTokens && !addedTokens->is_array())
      return fieldError("added_tokens", "expected an array");

    capacity_ = vocab->size() + (addedTokens ? addedTokens->size() : 0);
    tokens_.assign(capacity_, {});
    types_.assign(capacity_, 0);
    TERNC_RETURN_IF_ERROR(readVocab(*vocab));
    if (addedTokens)
      TERNC_RETURN_IF_ERROR(readAddedTokens(*addedTokens));
    TERNC_RETURN_IF_ERROR(checkDenseIds());

    Vocabulary vocabulary;
    TERNC_RETURN_IF_ERROR(readMerges(*model, vocabulary.merges));
    if (const json *preTokenizer = findMember(document, "pre_tokenizer"))
      vocabulary.pre = recognisePreTokenizer(*preTokenizer);
    vocabulary.tokens = std::move(tokens_);
    vocabulary.tokenTypes = std::move(types_);
    vocabulary.scores.reserve(vocabulary.tokens.size());
    for (int32_t type : vocabulary.tokenTypes)
      vocabulary.scores.push_back(
          type == static_cast<int32_t>(TokenType::Normal) ? 0.0f
                                                          : kAddedTokenScore);
    TERNC_RETURN_IF_ERROR(setSpecialIds(vocabulary));
    return vocabulary;
  }

private:
  Error fieldError(std::string_view field, std::string_view problem) const {
    return makeError("{}: {}: {}", path_, field, problem);
  }

  /// Puts `text` at `id`; false when another token already has that id. Ids
  /// beyond the capacity are only recorded: they leave a gap that
  /// checkDenseIds reports. The same text at the same id twice (an added
  /// token that is also in model.vocab) is one token.
  bool placeToken(uint64_t id, const std::string &text, TokenType type) {
    highestId_ = std::max(highestId_, id);
    if (id >= capacity_)
      return true;
    if (types_[id] != 0 && tokens_[id] != text)
      return false;
    tokens_[id] = text;
    types_[id] = static_cast<int32_t>(type);
    return true;
  }

  Error idConflictError(std::string_view field, uint64_t id) const {
    return fieldError(
        field, fmt::format("id {} is also used by \"{}\"", id, tokens_[id]));
  }

  Status readVocab(const json &vocab) {
    for (const auto &entry : vocab.items()) {
      const std::string &text = entry.key();
      const json &id = entry.value();
      if (!id.is_number_unsigned())
        return fieldError(vocabField(text),
                          "expected a non-negative integer id");
      if (!placeToken(id.get<uint64_t>(), text, TokenType::Normal))
        return idConflictError(vocabField(text), id.get<uint64_t>());
    }
    return Status::success();
  }

  /// Added tokens with special=true become Control, the others UserDefined.
  Status readAddedTokens(const json &addedTokens) {
    for (size_t index = 0; index < addedTokens.size(); ++index) {
      const json &token = addedTokens[index];
      std::string field = fmt::format("added_tokens[{}]", index);
      const json *id = findMember(token, "id");
      const json *content = findMember(token, "content");
      const json *special = findMember(token, "special");
      if (!id || !id->is_number_unsigned())
        return fieldError(field + ".id", "expected a non-negative integer");
      if (!content || !content->is_string())
        return fieldError(field + ".content", "expected a string");
      if (special && !special->is_boolean())
        return fieldError(field + ".special", "expected true or false");
      bool isSpecial = special && special->get<bool>();
      if (!placeToken(id->get<uint64_t>(),
                      content->get_ref<const std::string &>(),
                      isSpecial ? TokenType::Control : TokenType::UserDefined))
        return idConflictError(field, id->get<uint64_t>());
    }
    return Status::success();
  }

  /// Ids must cover 0..highestId_ without gaps; the token list is cut there.
  Status checkDenseIds() {
    uint64_t end = std::min<uint64_t>(highestId_ + 1, capacity_);
    for (uint64_t id = 0; id < end; ++id)
      if (types_[id] == 0)
        return fieldError(
            "model.vocab and added_tokens",
            fmt::format("no token has id {}; ids must be dense 0..{}", id,
                        highestId_));
    tokens_.resize(end);
    types_.resize(end);
    return Status::success();
  }

  /// Merges are "A B" strings or, in newer files, ["A", "B"] pairs; both are
  /// stored as "A B".
  Status readMerges(const json &model, std::vector<std::string> &merges) const {
    const json *mergeList = findMember(model, "merges");
    if (!mergeList || !mergeList->is_array())
      return fieldError("model.merges", "expected an array");
    merges.reserve(mergeList->size());
    for (size_t index = 0; index < mergeList->size(); ++index) {
      const json &merge = (*mergeList)[index];
      if (merge.is_string()) {
        const std::string &text = merge.get_ref<const std::string &>();
        size_t space = text.find(' ', 1);
        if (space != std::string::npos && space + 1 < text.size()) {
          merges.push_back(text);
          continue;
        }
      } else if (merge.is_array() && merge.size() == 2 &&
                 merge[0].is_string() && merge[1].is_string() &&
                 !merge[0].get_ref<const std::string &>().empty() &&
                 !merge[1].get_ref<const std::string &>().empty()) {
        merges.push_back(merge[0].get_ref<const std::string &>() + " " +
                         merge[1].get_ref<const std::string &>());
        continue;
      }
      return fieldError(fmt::format("model.merges[{}]", index),
                        "expected a string \"A B\" or a pair [\"A\", \"B\"]");
    }
    return Status::success();
  }

  /// BOS/EOS by name: Llama 3's, else SentencePiece's <s> and </s>, else
  /// GPT-2's <|endoftext|> for both.
  Status setSpecialIds(Vocabulary &vocabulary) const {
    std::optional<uint32_t> bos = findFirstToken(
        vocabulary.tokens, {"<|begin_of_text|>", "<s>", "<|endoftext|>"});
    std::optional<uint32_t> eos = findFirstToken(
        vocabulary.tokens, {"<|end_of_text|>", "</s>", "<|endoftext|>"});
    if (!bos)
      return fieldError("added_tokens", "no BOS token (<|begin_of_text|>, "
                                        "<s> or <|endoftext|>)");
    if (!eos)
      return fieldError("added_tokens", "no EOS token (<|end_of_text|>, "
                                        "</s> or <|endoftext|>)");
    vocabulary.bosId = *bos;
    vocabulary.eosId = *eos;
    vocabulary.paddingId = *eos;
    return Status::success();
  }

  const std::string &path_;
  /// Slots for ids below this; larger ids necessarily leave a gap.
  uint64_t capacity_ = 0;
  uint64_t highestId_ = 0;
  std::vector<std::string> tokens_;
  /// TokenType per id; 0 while no token has the id.
  std::vector<int32_t> types_;
};

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

Vocabulary builtinVocabulary() {
  LearnedMerges learned =
      learnMerges(builtinTrainingCorpus(),
                  kBuiltinVocabularySize - kBuiltinSpecialTokens.size());
  assert(learned.symbolBytes.size() + kBuiltinSpecialTokens.size() ==
             kBuiltinVocabularySize &&
         "the built-in corpus is too small for the vocabulary size");

  Vocabulary vocabulary;
  for (const std::string &bytes : learned.symbolBytes)
    vocabulary.tokens.push_back(tokenizer::encodeByteSymbols(bytes));
  for (const auto &[left, right] : learned.merges)
    vocabulary.merges.push_back(vocabulary.tokens[left] + " " +
                                vocabulary.tokens[right]);
  vocabulary.tokenTypes.assign(vocabulary.tokens.size(),
                               static_cast<int32_t>(TokenType::Normal));

  uint32_t firstSpecialId = static_cast<uint32_t>(vocabulary.tokens.size());
  for (std::string_view special : kBuiltinSpecialTokens) {
    vocabulary.tokens.emplace_back(special);
    vocabulary.tokenTypes.push_back(static_cast<int32_t>(TokenType::Control));
  }
  vocabulary.scores.assign(vocabulary.tokens.size(), 0.0f);
  vocabulary.bosId = firstSpecialId;     // <|begin_of_text|>
  vocabulary.eosId = firstSpecialId + 1; // <|end_of_text|>
  vocabulary.paddingId = vocabulary.eosId;
  vocabulary.addBos = true;
  vocabulary.chatTemplate = std::string(kBuiltinChatTemplate);
  return vocabulary;
}

Expected<Vocabulary> importTokenizerJson(const std::string &path) {
  Expected<std::unique_ptr<MappedFile>> file = MappedFile::open(path);
  if (!file.ok())
    return file.error();
  ByteSpan bytes = (*file)->bytes();
  try {
    json document = json::parse(bytes.begin(), bytes.end());
    return TokenizerJsonReader(path).read(document);
  } catch (const json::parse_error &error) {
    return makeError("{}: invalid JSON: {}", path, error.what());
  } catch (const std::exception &error) {
    // The reader checks every type before it reads a value, so this is only
    // reached on exhaustion (std::bad_alloc) or a bug.
    return makeError("{}: cannot import: {}", path, error.what());
  }
}

std::string tokenizerJsonText(const Vocabulary &vocabulary) {
  using ordered = nlohmann::ordered_json;
  ordered vocab = ordered::object();
  ordered added = ordered::array();
  for (size_t id = 0; id < vocabulary.tokens.size(); ++id) {
    const int32_t type = vocabulary.tokenTypes[id];
    if (type == static_cast<int32_t>(TokenType::Normal)) {
      vocab[vocabulary.tokens[id]] = id;
      continue;
    }
    added.push_back(
        {{"id", id},
         {"content", vocabulary.tokens[id]},
         {"single_word", false},
         {"lstrip", false},
         {"rstrip", false},
         {"normalized", false},
         {"special", type != static_cast<int32_t>(TokenType::UserDefined)}});
  }
  ordered byteLevel = {{"type", "ByteLevel"},
                       {"add_prefix_space", false},
                       {"trim_offsets", true},
                       {"use_regex", false}};
  ordered preTokenizer = nullptr;
  if (vocabulary.pre == "llama-bpe")
    preTokenizer = {
        {"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern", {{"Regex", std::string(kLlama3SplitPattern)}}},
           {"behavior", "Isolated"},
           {"invert", false}},
          byteLevel}}};
  else if (vocabulary.pre == "gpt-2")
    preTokenizer = {{"type", "ByteLevel"},
                    {"add_prefix_space", false},
                    {"trim_offsets", true},
                    {"use_regex", true}};
  ordered document = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer", nullptr},
      {"pre_tokenizer", preTokenizer},
      {"post_processor", nullptr},
      {"decoder", byteLevel},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"byte_fallback", false},
        {"vocab", vocab},
        {"merges", vocabulary.merges}}}};
  return document.dump(1);
}

void writeVocabulary(gguf::GgufWriter &writer, const Vocabulary &vocabulary) {
  using gguf::MetadataValue;
  writer.set("tokenizer.ggml.model", MetadataValue::ofString(vocabulary.model));
  if (vocabulary.pre)
    writer.set("tokenizer.ggml.pre", MetadataValue::ofString(*vocabulary.pre));
  writer.set("tokenizer.ggml.tokens",
             MetadataValue::ofStrings(vocabulary.tokens));
  writer.set("tokenizer.ggml.scores",
             MetadataValue::ofF32Array(vocabulary.scores));
  writer.set("tokenizer.ggml.token_type",
             MetadataValue::ofI32Array(vocabulary.tokenTypes));
  writer.set("tokenizer.ggml.merges",
             MetadataValue::ofStrings(vocabulary.merges));
  writer.set("tokenizer.ggml.bos_token_id",
             MetadataValue::ofU32(vocabulary.bosId));
  writer.set("tokenizer.ggml.eos_token_id",
             MetadataValue::ofU32(vocabulary.eosId));
  writer.set("tokenizer.ggml.padding_token_id",
             MetadataValue::ofU32(vocabulary.paddingId));
  writer.set("tokenizer.ggml.add_bos_token",
             MetadataValue::ofBool(vocabulary.addBos));
  if (vocabulary.chatTemplate)
    writer.set("tokenizer.chat_template",
               MetadataValue::ofString(*vocabulary.chatTemplate));
}

} // namespace ternc::model
