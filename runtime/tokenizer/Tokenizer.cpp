//===- Tokenizer.cpp - Text to token ids and back, as llama.cpp -----------===//
//
// Follows llama.cpp's llama-vocab.cpp: the GGUF keys and their defaults
// (llama_vocab::impl::load), special-token partitioning
// (tokenizer_st_partition), byte-level BPE (llm_tokenizer_bpe_session),
// SentencePiece BPE (llm_tokenizer_spm_session) and token_to_piece.
//
// Byte-level BPE works on token ids rather than strings: every merge "A B"
// must join two tokens into a third (checked when the tokenizer is built), so
// a merge is a lookup of the id pair.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/Tokenizer.h"

#include "runtime/tokenizer/ByteSymbols.h"
#include "runtime/tokenizer/Unicode.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <queue>
#include <tuple>

namespace ternc::tokenizer {

using gguf::Value;
using gguf::ValueType;

namespace {

//===----------------------------------------------------------------------===//
// SentencePiece text
//===----------------------------------------------------------------------===//

/// U+2581 '▁', which stands for a space in SentencePiece tokens.
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";

/// The byte of a "<0xXX>" token (hex digits in either case).
std::optional<uint8_t> parseByteToken(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>')
    return std::nullopt;
  uint8_t value = 0;
  for (char digit : text.substr(3, 2)) {
    int nibble = digit >= '0' && digit <= '9'   ? digit - '0'
                 : digit >= 'A' && digit <= 'F' ? digit - 'A' + 10
                 : digit >= 'a' && digit <= 'f' ? digit - 'a' + 10
                                                : -1;
    if (nibble < 0)
      return std::nullopt;
    value = static_cast<uint8_t>(value * 16 + nibble);
  }
  return value;
}

/// Replaces every occurrence of `from` in `text` by `to`.
std::string replaceAll(std::string_view text, std::string_view from,
                       std::string_view to) {
  std::string result;
  result.reserve(text.size());
  for (size_t pos = 0;;) {
    size_t found = text.find(from, pos);
    result.append(text.substr(pos, found - pos));
    if (found == std::string_view::npos)
      return result;
    result.append(to);
    pos = found + from.size();
  }
}

//===----------------------------------------------------------------------===//
// Merge queues
//===----------------------------------------------------------------------===//

/// A symbol of the text being merged, linked to its live neighbours.
struct LinkedSymbol {
  static constexpr size_t kNone = SIZE_MAX;
  size_t prev;
  size_t next;
};

/// Links the symbols in a row.
template <typename Symbol> void linkInARow(std::vector<Symbol> &symbols) {
  for (size_t i = 0; i < symbols.size(); ++i) {
    symbols[i].prev = i == 0 ? LinkedSymbol::kNone : i - 1;
    symbols[i].next = i + 1 == symbols.size() ? LinkedSymbol::kNone : i + 1;
  }
}

/// Unlinks symbols[right] after it was merged into symbols[left].
template <typename Symbol>
void unlinkMergedRight(std::vector<Symbol> &symbols, size_t left,
                       size_t right) {
  symbols[left].next = symbols[right].next;
  if (symbols[right].next != LinkedSymbol::kNone)
    symbols[symbols[right].next].prev = left;
}

/// Calls `visit` on each symbol still linked, left to right (the first one
/// is never merged away).
template <typename Symbol, typename Visit>
void forEachLinked(const std::vector<Symbol> &symbols, Visit visit) {
  for (size_t i = symbols.empty() ? LinkedSymbol::kNone : 0;
       i != LinkedSymbol::kNone; i = symbols[i].next)
    visit(symbols[i]);
}

/// The key of a byte-level merge of two tokens.
uint64_t pairKey(TokenId left, TokenId right) {
  return (static_cast<uint64_t>(left) << 32) | right;
}

/// A byte-level symbol: the token it is so far (none for a byte without a
/// token, or once merged into its left neighbour).
struct ByteLevelSymbol : LinkedSymbol {
  std::optional<TokenId> token;
};

/// A possible byte-level merge. The queue pops the lowest rank first and,
/// among equal ranks, the leftmost pair (llama.cpp's llm_bigram_bpe).
struct ByteLevelCandidate {
  uint32_t rank;
  size_t left;
  size_t right;
  TokenId leftToken;
  TokenId rightToken;
  TokenId result;

  bool operator>(const ByteLevelCandidate &other) const {
    return std::tie(rank, left) > std::tie(other.rank, other.left);
  }
};

/// A SentencePiece symbol: a byte range of the escaped text; empty once
/// merged into its left neighbour.
struct SentencePieceSymbol : LinkedSymbol {
  size_t begin;
  size_t length;
};

/// A possible SentencePiece merge, made when the joined text is a token. The
/// queue pops the highest score first and, among equal scores, the leftmost
/// pair (llama.cpp's llm_bigram_spm).
struct SentencePieceCandidate {
  float score;
  size_t left;
  size_t right;
  /// The joined length; a merge of either symbol since makes it stale.
  size_t length;

  bool operator<(const SentencePieceCandidate &other) const {
    return score < other.score || (score == other.score && left > other.left);
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Reading the vocabulary from GGUF
//===----------------------------------------------------------------------===//

/// Builds a Tokenizer from a file's tokenizer.ggml.* keys.
class Tokenizer::Reader {
public:
  explicit Reader(const gguf::GgufFile &file) : file_(file) {}

  Expected<Tokenizer> read() {
    Tokenizer tokenizer;
    TERNC_RETURN_IF_ERROR(readModel(tokenizer));
    TERNC_RETURN_IF_ERROR(readTokens(tokenizer));
    if (tokenizer.model_ == TokenizerModel::ByteLevelBpe)
      TERNC_RETURN_IF_ERROR(readMerges(tokenizer));
    findByteTokens(tokenizer);
    TERNC_RETURN_IF_ERROR(readSpecialTokenIds(tokenizer));
    TERNC_RETURN_IF_ERROR(readFlags(tokenizer));
    collectSpecialTokens(tokenizer);
    return tokenizer;
  }

private:
  Error keyError(std::string_view key, std::string_view problem) const {
    return makeError("{}: {}: {}", file_.name(), key, problem);
  }

  /// The array `key` with elements accepted by `elementTypeOk` (described as
  /// `expected` in messages); nullptr when absent and not `required`.
  template <typename ElementTypeOk>
  Expected<const Value *> findArray(std::string_view key, bool required,
                                    ElementTypeOk elementTypeOk,
                                    std::string_view expected) const {
    const Value *value = file_.find(key);
    if (!value) {
      if (required)
        return makeError("{}: metadata key '{}' is missing", file_.name(), key);
      return static_cast<const Value *>(nullptr);
    }
    if (value->type() != ValueType::Array)
      return makeError("{}: metadata key '{}' has type {}, expected {}",
                       file_.name(), key, gguf::valueTypeName(value->type()),
                       expected);
    if (!elementTypeOk(value->elementType()))
      return makeError("{}: metadata key '{}' is an array of {}, expected {}",
                       file_.name(), key,
                       gguf::valueTypeName(value->elementType()), expected);
    return value;
  }

  /// An optional array with one number per token (integers only when
  /// `integral`).
  Expected<const Value *> findPerTokenNumbers(std::string_view key,
                                              bool integral,
                                              size_t tokenCount) const {
    auto acceptable = [integral](ValueType type) {
      bool isFloat = type == ValueType::Float32 || type == ValueType::Float64;
      bool isInteger = !isFloat && type != ValueType::Bool &&
                       type != ValueType::String && type != ValueType::Array;
      return isInteger || (isFloat && !integral);
    };
    Expected<const Value *> array =
        findArray(key, /*required=*/false, acceptable,
                  integral ? "an array of integers" : "an array of numbers");
    if (array.ok() && *array && (*array)->arraySize() != tokenCount)
      return keyError(key, fmt::format("has {} entries but there are {} "
                                       "tokens",
                                       (*array)->arraySize(), tokenCount));
    return array;
  }

  /// tokenizer.ggml.model, and for byte-level BPE tokenizer.ggml.pre.
  Status readModel(Tokenizer &tokenizer) const {
    Expected<std::string_view> model = file_.getString(kModelKey);
    if (!model)
      return model.status();
    if (*model == "llama") {
      tokenizer.model_ = TokenizerModel::SentencePieceBpe;
      return Status::success();
    }
    if (*model != "gpt2")
      return keyError(kModelKey,
                      fmt::format("unsupported tokenizer model \"{}\" (ternc "
                                  "supports \"gpt2\" and \"llama\")",
                                  *model));
    tokenizer.model_ = TokenizerModel::ByteLevelBpe;
    if (!file_.find(kPreKey))
      return Status::success(); // llama.cpp's default pre-tokenizer.
    Expected<std::string_view> pre = file_.getString(kPreKey);
    if (!pre)
      return pre.status();
    std::optional<PreTokenizer> preTokenizer = preTokenizerNamed(*pre);
    if (!preTokenizer)
      return keyError(kPreKey,
                      fmt::format("unknown pre-tokenizer \"{}\" (ternc "
                                  "supports \"default\", \"gpt-2\", "
                                  "\"llama-bpe\", \"llama3\" and "
                                  "\"llama-v3\")",
                                  *pre));
    tokenizer.preTokenizer_ = *preTokenizer;
    tokenizer.ignoreMerges_ = *preTokenizer == PreTokenizer::Llama3;
    return Status::success();
  }

  /// tokenizer.ggml.tokens, .scores and .token_type.
  Status readTokens(Tokenizer &tokenizer) const {
    Expected<const Value *> texts = findArray(
        kTokensKey, /*required=*/true,
        [](ValueType type) { return type == ValueType::String; },
        "an array of strings");
    if (!texts)
      return texts.status();
    size_t count = (*texts)->arraySize();
    if (count == 0 || count > UINT32_MAX)
      return keyError(kTokensKey, fmt::format("cannot have {} tokens", count));
    Expected<const Value *> scores =
        findPerTokenNumbers(kScoresKey, /*integral=*/false, count);
    if (!scores)
      return scores.status();
    Expected<const Value *> types =
        findPerTokenNumbers(kTokenTypeKey, /*integral=*/true, count);
    if (!types)
      return types.status();

    tokenizer.tokens_.resize(count);
    for (size_t id = 0; id < count; ++id) {
      Token &token = tokenizer.tokens_[id];
      token.text = *(*texts)->element(id).asString();
      if (*scores)
        token.score = static_cast<float>(*(*scores)->element(id).asDouble());
      if (*types)
        token.type = tokenTypeOf((*types)->element(id));
      if (token.type == TokenType::Byte && !parseByteToken(token.text))
        return keyError(kTokensKey,
                        fmt::format("token {} \"{}\" has type BYTE but is not "
                                    "of the form <0xXX>",
                                    id, token.text));
    }
    // The map's views point into tokens_, which no longer grows.
    tokenizer.idOfText_.reserve(count);
    for (TokenId id = 0; id < count; ++id) {
      std::string_view text = tokenizer.tokens_[id].text;
      if (text.empty())
        continue; // llama.cpp renames these "[EMPTY_<id>]"; none can match.
      auto [it, inserted] = tokenizer.idOfText_.emplace(text, id);
      if (!inserted)
        return keyError(kTokensKey,
                        fmt::format("tokens {} and {} are both \"{}\"",
                                    it->second, id, text));
    }
    return Status::success();
  }

  /// llama.cpp reads token types it does not know as undefined.
  static TokenType tokenTypeOf(const Value &value) {
    std::optional<int64_t> type = value.asSigned();
    if (!type || *type < 0 || *type > static_cast<int64_t>(TokenType::Byte))
      return TokenType::Undefined;
    return static_cast<TokenType>(*type);
  }

  /// tokenizer.ggml.merges: "A B" in rank order, split at the first space
  /// after the first byte. A, B and AB must all be tokens.
  Status readMerges(Tokenizer &tokenizer) const {
    Expected<const Value *> merges = findArray(
        kMergesKey, /*required=*/true,
        [](ValueType type) { return type == ValueType::String; },
        "an array of strings");
    if (!merges)
      return merges.status();
    size_t count = (*merges)->arraySize();
    tokenizer.merges_.reserve(count);
    std::string joined;
    for (size_t rank = 0; rank < count; ++rank) {
      std::string_view merge = *(*merges)->element(rank).asString();
      auto mergeError = [&](std::string_view problem) {
        return keyError(kMergesKey, fmt::format("merge {} \"{}\": {}", rank,
                                                merge, problem));
      };
      size_t space = merge.find(' ', 1);
      if (space == std::string_view::npos)
        return mergeError("expected two tokens separated by a space");
      std::string_view left = merge.substr(0, space);
      std::string_view right = merge.substr(space + 1);
      joined.assign(left).append(right);
      std::optional<TokenId> leftId = tokenizer.find(left);
      std::optional<TokenId> rightId = tokenizer.find(right);
      std::optional<TokenId> resultId = tokenizer.find(joined);
      for (auto [part, id] :
           {std::pair(left, leftId), std::pair(right, rightId),
            std::pair(std::string_view(joined), resultId)})
        if (!id)
          return mergeError(fmt::format("\"{}\" is not a token", part));
      // A repeated pair keeps its first (best) rank, as in llama.cpp.
      tokenizer.merges_.emplace(pairKey(*leftId, *rightId),
                                Merge{static_cast<uint32_t>(rank), *resultId});
    }
    return Status::success();
  }

  /// Byte-level BPE: the token of each byte's GPT-2 symbol. SentencePiece:
  /// "<0xXX>", else the byte itself as a token (llama.cpp's byte_to_token).
  static void findByteTokens(Tokenizer &tokenizer) {
    for (uint32_t byte = 0; byte < 256; ++byte) {
      char rawByte = static_cast<char>(byte);
      std::string_view raw(&rawByte, 1);
      if (tokenizer.model_ == TokenizerModel::ByteLevelBpe) {
        tokenizer.byteTokens_[byte] = tokenizer.find(encodeByteSymbols(raw));
        continue;
      }
      std::optional<TokenId> hex =
          tokenizer.find(fmt::format("<0x{:02X}>", byte));
      tokenizer.byteTokens_[byte] = hex ? hex : tokenizer.find(raw);
    }
  }

  /// The special token ids, with llama.cpp's defaults where a key is absent
  /// (dropped when out of range); EOT falls back to the token <|eot_id|>.
  Status readSpecialTokenIds(Tokenizer &tokenizer) const {
    bool sentencePiece = tokenizer.model_ == TokenizerModel::SentencePieceBpe;
    struct SpecialId {
      std::string_view key;
      std::optional<TokenId> &id;
      std::optional<TokenId> fallback;
    };
    std::optional<TokenId> eotByText = tokenizer.find("<|eot_id|>");
    SpecialId specials[] = {
        {kBosKey, tokenizer.bos_, sentencePiece ? 1u : 11u},
        {kEosKey, tokenizer.eos_, sentencePiece ? 2u : 11u},
        {kEotKey, tokenizer.eot_, eotByText},
        {kUnknownKey, tokenizer.unknown_,
         sentencePiece ? std::optional<TokenId>(0) : std::nullopt},
        {kPaddingKey, tokenizer.padding_, std::nullopt},
    };
    for (SpecialId &special : specials) {
      if (!file_.find(special.key)) {
        if (special.fallback && *special.fallback < tokenizer.size())
          special.id = special.fallback;
        continue;
      }
      Expected<uint64_t> id = file_.getUnsigned(special.key);
      if (!id)
        return id.status();
      if (*id >= tokenizer.size())
        return keyError(special.key,
                        fmt::format("token {} is beyond the {} tokens", *id,
                                    tokenizer.size()));
      special.id = static_cast<TokenId>(*id);
    }
    return Status::success();
  }

  /// add_bos_token (default: true for SentencePiece and Llama 3) and, for
  /// SentencePiece, add_space_prefix (default true).
  Status readFlags(Tokenizer &tokenizer) const {
    bool sentencePiece = tokenizer.model_ == TokenizerModel::SentencePieceBpe;
    Expected<bool> addBos =
        readBool(kAddBosKey, sentencePiece || tokenizer.preTokenizer_ ==
                                                  PreTokenizer::Llama3);
    if (!addBos)
      return addBos.status();
    tokenizer.addBos_ = *addBos;
    if (tokenizer.addBos_ && !tokenizer.bos_)
      return keyError(
          kAddBosKey,
          fmt::format("is true but there is no BOS token ({})", kBosKey));
    if (!sentencePiece)
      return Status::success();
    Expected<bool> addSpacePrefix = readBool(kAddSpacePrefixKey, true);
    if (!addSpacePrefix)
      return addSpacePrefix.status();
    tokenizer.addSpacePrefix_ = *addSpacePrefix;
    return Status::success();
  }

  Expected<bool> readBool(std::string_view key, bool fallback) const {
    return file_.find(key) ? file_.getBool(key) : Expected<bool>(fallback);
  }

  /// The tokens matched in the text before tokenizing it, longest first (on
  /// equal lengths, lower ids first).
  static void collectSpecialTokens(Tokenizer &tokenizer) {
    for (TokenId id = 0; id < tokenizer.size(); ++id) {
      const Token &token = tokenizer.tokens_[id];
      bool special = token.type == TokenType::Control ||
                     token.type == TokenType::Unknown ||
                     token.type == TokenType::UserDefined;
      if (special && !token.text.empty())
        tokenizer.specialTokens_.push_back(id);
    }
    std::sort(tokenizer.specialTokens_.begin(), tokenizer.specialTokens_.end(),
              [&](TokenId a, TokenId b) {
                size_t aLength = tokenizer.tokens_[a].text.size();
                size_t bLength = tokenizer.tokens_[b].text.size();
                return aLength > bLength || (aLength == bLength && a < b);
              });
  }

  static constexpr std::string_view kModelKey = "tokenizer.ggml.model";
  static constexpr std::string_view kPreKey = "tokenizer.ggml.pre";
  static constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";
  static constexpr std::string_view kScoresKey = "tokenizer.ggml.scores";
  static constexpr std::string_view kTokenTypeKey = "tokenizer.ggml.token_type";
  static constexpr std::string_view kMergesKey = "tokenizer.ggml.merges";
  static constexpr std::string_view kBosKey = "tokenizer.ggml.bos_token_id";
  static constexpr std::string_view kEosKey = "tokenizer.ggml.eos_token_id";
  static constexpr std::string_view kEotKey = "tokenizer.ggml.eot_token_id";
  static constexpr std::string_view kUnknownKey =
      "tokenizer.ggml.unknown_token_id";
  static constexpr std::string_view kPaddingKey =
      "tokenizer.ggml.padding_token_id";
  static constexpr std::string_view kAddBosKey = "tokenizer.ggml.add_bos_token";
  static constexpr std::string_view kAddSpacePrefixKey =
      "tokenizer.ggml.add_space_prefix";

  const gguf::GgufFile &file_;
};

Expected<Tokenizer> Tokenizer::fromGguf(const gguf::GgufFile &file) {
  return Reader(file).read();
}

std::optional<TokenId> Tokenizer::find(std::string_view text) const {
  auto it = idOfText_.find(text);
  if (it == idOfText_.end())
    return std::nullopt;
  return it->second;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

std::vector<TokenId> Tokenizer::encode(std::string_view text,
                                       const EncodeOptions &options) const {
  return encodeFragments(splitOnSpecialTokens(text, options.parseSpecial),
                         options.addBos);
}

Expected<std::vector<TokenId>>
Tokenizer::encodeSegments(const std::vector<TextSegment> &segments,
                          bool addBos) const {
  std::vector<Fragment> fragments;
  for (const TextSegment &segment : segments) {
    if (segment.kind == TextSegment::Kind::SpecialToken) {
      std::optional<TokenId> token = find(segment.text);
      if (!token)
        return makeError("the vocabulary has no token '{}'", segment.text);
      fragments.push_back({{}, *token});
      continue;
    }
    std::vector<Fragment> split = splitOnSpecialTokens(
        segment.text, segment.kind == TextSegment::Kind::TextParsingSpecials);
    fragments.insert(fragments.end(), split.begin(), split.end());
  }
  return encodeFragments(fragments, addBos);
}

std::vector<TokenId>
Tokenizer::encodeFragments(const std::vector<Fragment> &fragments,
                           bool addBos) const {
  std::vector<TokenId> tokens;
  if (addBos && addBos_)
    tokens.push_back(*bos_);
  // SentencePiece puts a space before the text and after each special token.
  bool afterSpecial = true;
  for (const Fragment &fragment : fragments) {
    if (fragment.special) {
      tokens.push_back(*fragment.special);
      afterSpecial = true;
      continue;
    }
    if (model_ == TokenizerModel::SentencePieceBpe)
      encodeSentencePiece(fragment.text, afterSpecial && addSpacePrefix_,
                          tokens);
    else
      encodeByteLevelBpe(fragment.text, tokens);
    afterSpecial = false;
  }
  return tokens;
}

std::vector<Tokenizer::Fragment>
Tokenizer::splitOnSpecialTokens(std::string_view text,
                                bool parseSpecial) const {
  std::vector<Fragment> fragments;
  if (!text.empty())
    fragments.push_back({text, std::nullopt});
  // Like llama.cpp, each special token in turn (longest first) splits every
  // stretch of text still left.
  for (TokenId special : specialTokens_) {
    const Token &token = tokens_[special];
    if (!parseSpecial && token.type != TokenType::UserDefined)
      continue;
    std::vector<Fragment> split;
    split.reserve(fragments.size());
    for (const Fragment &fragment : fragments) {
      if (fragment.special) {
        split.push_back(fragment);
        continue;
      }
      std::string_view rest = fragment.text;
      for (size_t found; (found = rest.find(token.text)) != rest.npos;) {
        if (found > 0)
          split.push_back({rest.substr(0, found), std::nullopt});
        split.push_back({{}, special});
        rest.remove_prefix(found + token.text.size());
      }
      if (!rest.empty())
        split.push_back({rest, std::nullopt});
    }
    fragments = std::move(split);
  }
  return fragments;
}

void Tokenizer::encodeByteLevelBpe(std::string_view text,
                                   std::vector<TokenId> &out) const {
  for (const std::string &piece : preTokenize(preTokenizer_, text)) {
    if (ignoreMerges_) {
      if (std::optional<TokenId> whole = find(encodeByteSymbols(piece))) {
        out.push_back(*whole);
        continue;
      }
    }
    mergeByteLevel(piece, out);
  }
}

void Tokenizer::mergeByteLevel(std::string_view piece,
                               std::vector<TokenId> &out) const {
  std::vector<ByteLevelSymbol> symbols(piece.size());
  for (size_t i = 0; i < piece.size(); ++i)
    symbols[i].token = byteTokens_[static_cast<uint8_t>(piece[i])];
  linkInARow(symbols);

  std::priority_queue<ByteLevelCandidate, std::vector<ByteLevelCandidate>,
                      std::greater<>>
      queue;
  auto consider = [&](size_t left, size_t right) {
    if (left == LinkedSymbol::kNone || right == LinkedSymbol::kNone ||
        !symbols[left].token || !symbols[right].token)
      return;
    TokenId leftToken = *symbols[left].token;
    TokenId rightToken = *symbols[right].token;
    auto merge = merges_.find(pairKey(leftToken, rightToken));
    if (merge != merges_.end())
      queue.push({merge->second.rank, left, right, leftToken, rightToken,
                  merge->second.result});
  };
  for (size_t i = 1; i < symbols.size(); ++i)
    consider(i - 1, i);

  while (!queue.empty()) {
    ByteLevelCandidate candidate = queue.top();
    queue.pop();
    // Stale when either side has merged since: a symbol's token only ever
    // changes by a merge, and a merged-away symbol has none.
    if (symbols[candidate.left].token != candidate.leftToken ||
        symbols[candidate.right].token != candidate.rightToken)
      continue;
    symbols[candidate.left].token = candidate.result;
    symbols[candidate.right].token.reset();
    unlinkMergedRight(symbols, candidate.left, candidate.right);
    consider(symbols[candidate.left].prev, candidate.left);
    consider(candidate.left, symbols[candidate.left].next);
  }

  // A byte without a token is dropped, as llama.cpp does.
  forEachLinked(symbols, [&](const ByteLevelSymbol &symbol) {
    if (symbol.token)
      out.push_back(*symbol.token);
  });
}

void Tokenizer::encodeSentencePiece(std::string_view text, bool spacePrefix,
                                    std::vector<TokenId> &out) const {
  std::string escaped =
      replaceAll(spacePrefix ? " " + std::string(text) : std::string(text), " ",
                 kSpaceSymbol);
  // One symbol per UTF-8 character, its length read from the lead byte.
  std::vector<SentencePieceSymbol> symbols;
  for (size_t pos = 0; pos < escaped.size();) {
    size_t length =
        std::min(utf8SequenceLength(static_cast<uint8_t>(escaped[pos])),
                 escaped.size() - pos);
    SentencePieceSymbol &symbol = symbols.emplace_back();
    symbol.begin = pos;
    symbol.length = length;
    pos += length;
  }
  linkInARow(symbols);

  auto textOf = [&](size_t begin, size_t length) {
    return std::string_view(escaped).substr(begin, length);
  };
  std::priority_queue<SentencePieceCandidate> queue;
  auto consider = [&](size_t left, size_t right) {
    if (left == LinkedSymbol::kNone || right == LinkedSymbol::kNone)
      return;
    size_t length = symbols[left].length + symbols[right].length;
    if (std::optional<TokenId> token =
            find(textOf(symbols[left].begin, length)))
      queue.push({tokens_[*token].score, left, right, length});
  };
  for (size_t i = 1; i < symbols.size(); ++i)
    consider(i - 1, i);

  while (!queue.empty()) {
    SentencePieceCandidate candidate = queue.top();
    queue.pop();
    SentencePieceSymbol &left = symbols[candidate.left];
    SentencePieceSymbol &right = symbols[candidate.right];
    if (left.length == 0 || right.length == 0 ||
        left.length + right.length != candidate.length)
      continue;
    left.length += right.length;
    right.length = 0;
    unlinkMergedRight(symbols, candidate.left, candidate.right);
    consider(left.prev, candidate.left);
    consider(candidate.left, left.next);
  }

  forEachLinked(symbols, [&](const SentencePieceSymbol &symbol) {
    std::string_view symbolText = textOf(symbol.begin, symbol.length);
    if (std::optional<TokenId> token = find(symbolText))
      out.push_back(*token);
    else
      appendByteFallback(symbolText, out);
  });
}

void Tokenizer::appendByteFallback(std::string_view bytes,
                                   std::vector<TokenId> &out) const {
  // llama.cpp aborts when a byte has no token; ternc emits <unk> (or
  // nothing, without one).
  for (char byte : bytes) {
    std::optional<TokenId> token = byteTokens_[static_cast<uint8_t>(byte)];
    if (!token)
      token = unknown_;
    if (token)
      out.push_back(*token);
  }
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

std::string Tokenizer::tokenToPiece(TokenId token, bool renderSpecial) const {
  assert(token < tokens_.size() && "token id out of range");
  const Token &data = tokens_[token];
  switch (data.type) {
  case TokenType::Control:
  case TokenType::Unknown:
    return renderSpecial ? data.text : std::string();
  case TokenType::UserDefined:
    return data.text;
  case TokenType::Byte:
    return std::string(1, static_cast<char>(*parseByteToken(data.text)));
  case TokenType::Normal:
    return model_ == TokenizerModel::SentencePieceBpe
               ? replaceAll(data.text, kSpaceSymbol, " ")
               : decodeByteSymbols(data.text);
  case TokenType::Unused:
  case TokenType::Undefined:
    break;
  }
  return std::string();
}

std::string Tokenizer::decode(const std::vector<TokenId> &tokens,
                              bool renderSpecial) const {
  std::string text;
  bool stripPrefixSpace =
      model_ == TokenizerModel::SentencePieceBpe && addSpacePrefix_;
  for (TokenId token : tokens) {
    std::string piece = tokenToPiece(token, renderSpecial);
    if (stripPrefixSpace && !piece.empty()) {
      if (piece[0] == ' ')
        piece.erase(0, 1);
      stripPrefixSpace = false;
    }
    text += piece;
  }
  return text;
}

std::string Detokenizer::push(TokenId token) {
  pending_ += tokenizer_.tokenToPiece(token, renderSpecial_);
  size_t held = incompleteUtf8SuffixLength(pending_);
  std::string complete = pending_.substr(0, pending_.size() - held);
  pending_.erase(0, pending_.size() - held);
  return complete;
}

std::string Detokenizer::flush() {
  std::string rest;
  rest.swap(pending_);
  return rest;
}

} // namespace ternc::tokenizer
