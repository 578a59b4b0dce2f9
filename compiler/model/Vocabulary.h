//===- Vocabulary.h - Tokenizer vocabularies for GGUF models ----*- C++ -*-===//
//
// The tokenizer half of a model file: byte-level BPE tokens, merges, special
// token ids and the pre-tokenizer name, as llama.cpp stores them under
// tokenizer.ggml.*. A Vocabulary comes either from ternc's own small built-in
// BPE vocabulary or from a Hugging Face tokenizer.json.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_MODEL_VOCABULARY_H
#define TERNC_COMPILER_MODEL_VOCABULARY_H

#include "runtime/gguf/GgufWriter.h"
#include "runtime/tokenizer/Tokenizer.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ternc::model {

/// llama.cpp's token types (tokenizer.ggml.token_type), shared with the
/// runtime tokenizer.
using TokenType = tokenizer::TokenType;

/// A tokenizer vocabulary as stored in GGUF metadata.
struct Vocabulary {
  /// tokenizer.ggml.model, "gpt2" for byte-level BPE.
  std::string model = "gpt2";
  /// tokenizer.ggml.pre; absent (as in bitnet.cpp's official file) means
  /// llama.cpp's default pre-tokenizer.
  std::optional<std::string> pre;
  /// Token strings in id order, in GPT-2's byte-to-unicode encoding.
  std::vector<std::string> tokens;
  /// One per token. llama.cpp's BPE tokenizer ignores them: 0, except for
  /// tokens from tokenizer.json's added_tokens, which get -1000 as in
  /// bitnet.cpp's converter.
  std::vector<float> scores;
  /// One TokenType value per token.
  std::vector<int32_t> tokenTypes;
  /// Merges "A B" in rank order.
  std::vector<std::string> merges;
  /// Token ids of BOS, EOS and padding (padding is EOS).
  uint32_t bosId = 0;
  uint32_t eosId = 0;
  uint32_t paddingId = 0;
  /// Whether llama.cpp prepends BOS when tokenizing a prompt.
  bool addBos = true;
  /// tokenizer.chat_template, a Jinja template.
  std::optional<std::string> chatTemplate;
};

/// ternc's built-in vocabulary: 256 byte tokens (token b is byte b), 763 BPE
/// merges learned deterministically from a small embedded English corpus
/// (merge r creates token 256 + r), and the Llama 3 special tokens
/// <|begin_of_text|> (BOS), <|end_of_text|> (EOS), <|start_header_id|>,
/// <|end_header_id|> and <|eot_id|> as Control tokens: 1024 tokens in
/// all, every score 0, no pre-tokenizer name, and a chat template for the
/// BitNet 2B4T format. Same result on every call.
Vocabulary builtinVocabulary();

/// Reads a Hugging Face tokenizer.json with a byte-level BPE model: vocab,
/// merges (as "A B" strings or [A, B] pairs), added tokens (special ones
/// become Control, the others UserDefined), and tokenizer.ggml.pre recognised
/// from the pre-tokenizer: the Llama 3 split regex gives "llama-bpe", a lone
/// ByteLevel with its own regex "gpt-2", anything else none. Ids of vocab and
/// added tokens together must be dense. BOS/EOS are found by name (Llama 3's,
/// else <s> and </s>, else <|endoftext|>); addBos is true and there is no chat template (that lives in
/// tokenizer_config.json). Errors name the file and the JSON field; nothing
/// is thrown.
Expected<Vocabulary> importTokenizerJson(const std::string &path);

/// `vocabulary` as a Hugging Face tokenizer.json that importTokenizerJson
/// reads back to the same tokens, types, merges and pre-tokenizer name:
/// Normal tokens in model.vocab, the others in added_tokens (Control and
/// Unused ones special). Scores and the chat template are not part of it.
std::string tokenizerJsonText(const Vocabulary &vocabulary);

/// Sets the tokenizer.ggml.* keys (and tokenizer.chat_template) in the order
/// bitnet.cpp's converter writes them.
void writeVocabulary(gguf::GgufWriter &writer, const Vocabulary &vocabulary);

} // namespace ternc::model

#endif // TERNC_COMPILER_MODEL_VOCABULARY_H
