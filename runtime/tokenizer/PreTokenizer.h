//===- PreTokenizer.h - Regex splits before byte-level BPE ------*- C++ -*-===//
//
// Byte-level BPE never merges across the pieces a pre-tokenizer cuts the
// text into. llama.cpp picks the pre-tokenizer by tokenizer.ggml.pre and
// describes each as a list of regexes applied one after the other: every
// regex splits each piece the previous one left into its matches and the
// text between them. These are hand-written matchers over code points, one
// function per regex (std::regex has neither \p{L} nor look-ahead), with the
// Unicode classes from Unicode.h (docs/formats.md §5.2).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_TOKENIZER_PRETOKENIZER_H
#define TERNC_RUNTIME_TOKENIZER_PRETOKENIZER_H

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ternc::tokenizer {

/// The pre-tokenizers ternc implements.
enum class PreTokenizer {
  /// llama.cpp's default, used when tokenizer.ggml.pre is absent (as in
  /// bitnet.cpp's official 2B4T file): four successive splits,
  ///   [\p{P}\$\+<=>\^~\|]+
  ///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
  ///   \p{N}+
  ///   [0-9][0-9][0-9]
  Default,
  /// GPT-2's regex alone (tokenizer.ggml.pre "gpt-2"): the second split of
  /// Default.
  Gpt2,
  /// Llama 3's regex (tokenizer.ggml.pre "llama-bpe", "llama3", "llama-v3"):
  ///   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  ///    ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  Llama3,
};

/// The pre-tokenizer llama.cpp selects for a tokenizer.ggml.pre value
/// ("default" is Default, as is the key's absence); nullopt for a name ternc
/// does not implement.
std::optional<PreTokenizer> preTokenizerNamed(std::string_view name);

/// Splits `text` into pieces, in order; their concatenation is `text` with
/// each byte of malformed UTF-8 replaced by U+FFFD (as llama.cpp does).
std::vector<std::string> preTokenize(PreTokenizer preTokenizer,
                                     std::string_view text);

} // namespace ternc::tokenizer

#endif // TERNC_RUNTIME_TOKENIZER_PRETOKENIZER_H
