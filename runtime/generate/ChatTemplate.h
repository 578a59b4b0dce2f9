//===- ChatTemplate.h - The chat formats ternc knows ------------*- C++ -*-===//
//
// The one place that knows how a user turn is written for a model: BitNet
// b1.58 2B4T's format and Llama 3's header format. `--chat` in compiled
// binaries and `ternc run`, and the C API, take the model's format from its
// GGUF (tokenizer.chat_template, else its architecture) unless
// `--chat-template NAME` names one. These are not Jinja: a template is
// recognized by its markers, as llama.cpp's llm_chat_detect_template does.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GENERATE_CHATTEMPLATE_H
#define TERNC_RUNTIME_GENERATE_CHATTEMPLATE_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/support/Error.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <string_view>
#include <vector>

namespace ternc::generate {

/// A chat format.
enum class ChatTemplate {
  /// BitNet b1.58 2B4T: "User: TEXT<|eot_id|>Assistant: ".
  Bitnet2B4T,
  /// Llama 3: "<|start_header_id|>user<|end_header_id|>\n\nTEXT<|eot_id|>"
  /// then the assistant's header.
  Llama3,
};

/// The name --chat-template takes for `format` ("bitnet-2b4t", "llama3").
std::string_view chatTemplateName(ChatTemplate format);

/// The format --chat-template NAME names; the error lists the names.
Expected<ChatTemplate> chatTemplateNamed(std::string_view name);

/// The format of the model in `file` (named `modelName` in errors): its
/// tokenizer.chat_template when that is a known name or carries Llama 3's
/// header markers (llama3) or 2B4T's "Assistant: " turn after <|eot_id|>;
/// without a template, llama3 for arch `llama` and bitnet-2b4t for the
/// BitNet archs. bitnet.cpp writes a placeholder template into 2B4T files,
/// so an unrecognized template on arch `bitnet-b1.58` is 2B4T's; on other
/// archs it is an error asking for --chat-template.
Expected<ChatTemplate> modelChatTemplate(const gguf::GgufFile &file,
                                         std::string_view modelName);

/// One user turn of `text` in `format`, with the assistant's turn opened.
/// The format's markers are special tokens; special-token text inside
/// `text` becomes those tokens only when `parseSpecialInText`.
std::vector<tokenizer::TextSegment> chatTurn(ChatTemplate format,
                                             std::string_view text,
                                             bool parseSpecialInText);

} // namespace ternc::generate

#endif // TERNC_RUNTIME_GENERATE_CHATTEMPLATE_H
