//===- ChatTemplate.cpp - The chat formats ternc knows --------------------===//

#include "runtime/generate/ChatTemplate.h"

#include <string>

namespace ternc::generate {

std::string_view chatTemplateName(ChatTemplate format) {
  switch (format) {
  case ChatTemplate::Bitnet2B4T:
    return "bitnet-2b4t";
  case ChatTemplate::Llama3:
    return "llama3";
  }
  return "";
}

Expected<ChatTemplate> chatTemplateNamed(std::string_view name) {
  for (ChatTemplate format : {ChatTemplate::Bitnet2B4T, ChatTemplate::Llama3})
    if (name == chatTemplateName(format))
      return format;
  return makeError("--chat-template expects bitnet-2b4t or llama3, got '{}'",
                   name);
}

Expected<ChatTemplate> modelChatTemplate(const gguf::GgufFile &file,
                                         std::string_view modelName) {
  std::string_view architecture;
  if (const gguf::Value *value = file.find("general.architecture"))
    architecture = value->asString().value_or("");
  const gguf::Value *stored = file.find("tokenizer.chat_template");
  std::optional<std::string_view> text =
      stored ? stored->asString() : std::nullopt;
  if (!text)
    return architecture == "llama" ? ChatTemplate::Llama3
                                   : ChatTemplate::Bitnet2B4T;
  auto contains = [&](std::string_view marker) {
    return text->find(marker) != std::string_view::npos;
  };
  if (Expected<ChatTemplate> named = chatTemplateNamed(*text))
    return *named;
  if (contains("<|start_header_id|>") && contains("<|end_header_id|>"))
    return ChatTemplate::Llama3;
  if (contains("<|eot_id|>") && contains("Assistant: "))
    return ChatTemplate::Bitnet2B4T;
  if (architecture == "bitnet-b1.58")
    return ChatTemplate::Bitnet2B4T;
  return makeError("{}: tokenizer.chat_template is not a chat format ternc "
                   "knows; give --chat-template bitnet-2b4t or llama3",
                   modelName);
}

std::vector<tokenizer::TextSegment> chatTurn(ChatTemplate format,
                                             std::string_view text,
                                             bool parseSpecialInText) {
  using Kind = tokenizer::TextSegment::Kind;
  auto special = [](const char *marker) {
    return tokenizer::TextSegment{marker, Kind::SpecialToken};
  };
  const Kind textKind =
      parseSpecialInText ? Kind::TextParsingSpecials : Kind::Text;
  switch (format) {
  case ChatTemplate::Bitnet2B4T:
    return {{"User: " + std::string(text), textKind},
            special("<|eot_id|>"),
            {"Assistant: ", Kind::Text}};
  case ChatTemplate::Llama3: {
    // Llama 3's template trims the message, as llama.cpp does.
    size_t first = text.find_first_not_of(" \t\n\r\f\v");
    text = first == std::string_view::npos
               ? std::string_view()
               : text.substr(first, text.find_last_not_of(" \t\n\r\f\v") -
                                        first + 1);
    return {special("<|start_header_id|>"),
            {"user", Kind::Text},
            special("<|end_header_id|>"),
            {"\n\n" + std::string(text), textKind},
            special("<|eot_id|>"),
            special("<|start_header_id|>"),
            {"assistant", Kind::Text},
            special("<|end_header_id|>"),
            {"\n\n", Kind::Text}};
  }
  }
  return {};
}

} // namespace ternc::generate
