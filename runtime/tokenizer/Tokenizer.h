//===- Tokenizer.h - Text to token ids and back, as llama.cpp ---*- C++ -*-===//
//
// The tokenizer of a GGUF model, built from its tokenizer.ggml.* keys. Two
// tokenizer models are supported, with llama.cpp's exact algorithms:
//   * "gpt2": byte-level BPE (Llama 3, BitNet b1.58 2B4T): pre-tokenizer
//     regex split, GPT-2's bytes-to-unicode mapping, merges applied by rank;
//   * "llama": SentencePiece-style BPE (1bitLLM models): spaces become U+2581,
//     a leading one is added, the best-scoring adjacent pair merges first,
//     and bytes without a token fall back to <0xXX> tokens.
// Special tokens are found in the text only when asked for; decoding turns
// tokens back into the bytes they stand for.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_TOKENIZER_TOKENIZER_H
#define TERNC_RUNTIME_TOKENIZER_TOKENIZER_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/support/Error.h"
#include "runtime/tokenizer/PreTokenizer.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ternc::tokenizer {

/// A token id: an index into tokenizer.ggml.tokens.
using TokenId = uint32_t;

/// llama.cpp's token types (tokenizer.ggml.token_type).
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

/// The tokenizer models (tokenizer.ggml.model).
enum class TokenizerModel {
  /// "gpt2": byte-level BPE.
  ByteLevelBpe,
  /// "llama": SentencePiece-style BPE.
  SentencePieceBpe,
};

/// How to encode text.
struct EncodeOptions {
  /// Prepend BOS when the vocabulary asks for it (add_bos_token); false
  /// never prepends it.
  bool addBos = true;
  /// Find the text of Control and Unknown tokens in the input and emit those
  /// tokens; otherwise such text is tokenized like any other. (UserDefined
  /// tokens are always found, as in llama.cpp and Hugging Face.)
  bool parseSpecial = false;
};

/// A stretch of a prompt for Tokenizer::encodeSegments: text (with or without
/// the special tokens written in it parsed), or the text of one special token
/// the vocabulary must have (a chat format's markers).
struct TextSegment {
  enum class Kind {
    /// Tokenized as text; only UserDefined tokens are found in it.
    Text,
    /// Special tokens written in it become those tokens.
    TextParsingSpecials,
    /// Exactly one special token.
    SpecialToken,
  };
  std::string text;
  Kind kind = Kind::Text;
};

/// A model's tokenizer. Building it copies what it needs, so the GgufFile
/// may go away. It is move-only (its lookup tables point into its own token
/// storage) and safe to use from several threads at once. Token ids passed
/// to it must be below size().
class Tokenizer {
public:
  /// Reads tokenizer.ggml.model, .pre, .tokens, .scores, .token_type,
  /// .merges, .bos/.eos/.eot/.unknown/.padding_token_id, .add_bos_token and
  /// .add_space_prefix. Errors name the file and the key.
  static Expected<Tokenizer> fromGguf(const gguf::GgufFile &file);

  Tokenizer(Tokenizer &&) = default;
  Tokenizer &operator=(Tokenizer &&) = default;
  Tokenizer(const Tokenizer &) = delete;
  Tokenizer &operator=(const Tokenizer &) = delete;

  /// Token ids for `text` (any bytes; malformed UTF-8 is tokenized as
  /// U+FFFD by the byte-level model, byte by byte by SentencePiece).
  std::vector<TokenId> encode(std::string_view text,
                              const EncodeOptions &options = {}) const;

  /// Token ids for the segments, in order, as encode gives for their
  /// concatenation when each segment's specials are (or are not) parsed as it
  /// says; BOS first when `addBos` and the vocabulary asks for it. Fails when
  /// a SpecialToken segment is not a token of the vocabulary.
  Expected<std::vector<TokenId>>
  encodeSegments(const std::vector<TextSegment> &segments, bool addBos) const;

  /// The bytes `token` stands for, possibly part of a UTF-8 character.
  /// Control and Unknown tokens give their text only when `renderSpecial`,
  /// Unused and Undefined ones nothing.
  std::string tokenToPiece(TokenId token, bool renderSpecial = false) const;

  /// The bytes of `tokens`, concatenated. For SentencePiece with
  /// add_space_prefix, the space the encoder put in front of the text is
  /// removed again (from the first piece that is not empty). So decode gives
  /// back what encode was given, for valid UTF-8 without special tokens (nor,
  /// for SentencePiece, U+2581).
  std::string decode(const std::vector<TokenId> &tokens,
                     bool renderSpecial = false) const;

  /// The number of tokens.
  size_t size() const { return tokens_.size(); }
  /// The stored text of `token` (for byte-level BPE in GPT-2's encoding).
  std::string_view text(TokenId token) const { return tokens_[token].text; }
  TokenType type(TokenId token) const { return tokens_[token].type; }
  /// The token whose stored text is `text`, if any.
  std::optional<TokenId> find(std::string_view text) const;

  TokenizerModel model() const { return model_; }
  /// The pre-tokenizer (byte-level BPE only).
  PreTokenizer preTokenizer() const { return preTokenizer_; }

  std::optional<TokenId> bos() const { return bos_; }
  std::optional<TokenId> eos() const { return eos_; }
  /// tokenizer.ggml.eot_token_id, else the token "<|eot_id|>" (which
  /// llama.cpp detects by its text; the official 2B4T file has no key).
  std::optional<TokenId> eot() const { return eot_; }
  std::optional<TokenId> padding() const { return padding_; }
  /// Whether encode prepends BOS (tokenizer.ggml.add_bos_token).
  bool addsBos() const { return addBos_; }
  /// Whether `token` ends generation: EOS or EOT.
  bool isEndOfGeneration(TokenId token) const {
    return token == eos_ || token == eot_;
  }

private:
  struct Token {
    std::string text;
    TokenType type = TokenType::Normal;
    float score = 0.0f;
  };
  /// What a byte-level merge of two adjacent tokens makes.
  struct Merge {
    uint32_t rank;
    TokenId result;
  };
  /// A stretch of the input: plain text, or a special token found in it.
  struct Fragment {
    std::string_view text;
    std::optional<TokenId> special;
  };
  class Reader;

  Tokenizer() = default;

  std::vector<Fragment> splitOnSpecialTokens(std::string_view text,
                                             bool parseSpecial) const;
  /// The ids of `fragments`, BOS first when asked.
  std::vector<TokenId> encodeFragments(const std::vector<Fragment> &fragments,
                                       bool addBos) const;
  void encodeByteLevelBpe(std::string_view text,
                          std::vector<TokenId> &out) const;
  void mergeByteLevel(std::string_view piece, std::vector<TokenId> &out) const;
  void encodeSentencePiece(std::string_view text, bool spacePrefix,
                           std::vector<TokenId> &out) const;
  void appendByteFallback(std::string_view bytes,
                          std::vector<TokenId> &out) const;

  TokenizerModel model_ = TokenizerModel::ByteLevelBpe;
  PreTokenizer preTokenizer_ = PreTokenizer::Default;
  /// Llama 3: a pre-token that is a token is emitted without merging.
  bool ignoreMerges_ = false;
  bool addBos_ = false;
  /// SentencePiece: a space goes before the text (and after each special
  /// token) before it is encoded.
  bool addSpacePrefix_ = false;

  std::vector<Token> tokens_;
  /// Token text -> id; the views point into tokens_.
  std::unordered_map<std::string_view, TokenId> idOfText_;
  /// The token for each byte value: for byte-level BPE the token of its
  /// GPT-2 symbol, for SentencePiece <0xXX> (or the byte itself as text).
  std::array<std::optional<TokenId>, 256> byteTokens_;
  /// Byte-level BPE merges by (left << 32 | right).
  std::unordered_map<uint64_t, Merge> merges_;
  /// Control, Unknown and UserDefined tokens, longest text first.
  std::vector<TokenId> specialTokens_;

  std::optional<TokenId> bos_, eos_, eot_, unknown_, padding_;
};

/// Turns tokens into text as they are generated, one at a time, and hands
/// out only complete UTF-8 characters: bytes that start a character that the
/// next token may complete are held back until it does.
class Detokenizer {
public:
  explicit Detokenizer(const Tokenizer &tokenizer, bool renderSpecial = false)
      : tokenizer_(tokenizer), renderSpecial_(renderSpecial) {}

  /// Adds `token`; returns the text that is now complete (possibly empty).
  std::string push(TokenId token);
  /// Returns the bytes still held back (an unfinished character at the end
  /// of the stream) and clears them.
  std::string flush();

private:
  const Tokenizer &tokenizer_;
  bool renderSpecial_;
  std::string pending_;
};

} // namespace ternc::tokenizer

#endif // TERNC_RUNTIME_TOKENIZER_TOKENIZER_H
