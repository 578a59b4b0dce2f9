//===- TerncModelApi.cpp - The C API of a compiled model ------------------===//
//
// ternc_model.h over CompiledModel/CompiledSession and the shared generation
// loop: handles own the C++ objects, failures become NULL/-1 plus a message.
//
//===----------------------------------------------------------------------===//

#include "runtime/capi/ternc_model.h"

#include "runtime/generate/Generate.h"
#include "runtime/model/EmbeddedModel.h"
#include "runtime/model/ThreadPool.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

using namespace ternc;

struct ternc_model {
  std::unique_ptr<CompiledModel> model;
};

struct ternc_session {
  const CompiledModel *model;
  std::unique_ptr<CompiledSession> session;
  std::string error;
};

namespace {

/// Copies `message` into the caller's buffer, truncated and terminated.
void reportTo(char *buffer, size_t size, const std::string &message) {
  if (!buffer || size == 0)
    return;
  size_t length = std::min(message.size(), size - 1);
  std::memcpy(buffer, message.data(), length);
  buffer[length] = '\0';
}

/// Runs `tokens` and copies the last row of logits to `lastLogits`.
int forward(ternc_session *session, std::vector<int32_t> tokens,
            float *lastLogits) {
  Expected<std::vector<float>> logits = session->session->forwardLast(tokens);
  if (!logits) {
    session->error = logits.error().message();
    return -1;
  }
  session->error.clear();
  if (lastLogits) {
    std::copy(logits->begin(), logits->end(), lastLogits);
  }
  return 0;
}

} // namespace

extern "C" {

ternc_model *ternc_model_open(unsigned flags, char *error,
                              size_t error_size) {
  constexpr unsigned kKnownFlags = TERNC_MODEL_MMAP | TERNC_MODEL_MLOCK;
  if (flags & ~kKnownFlags) {
    reportTo(error, error_size,
             fmt::format("ternc_model_open: unknown flags {:#x} (known: "
                         "TERNC_MODEL_MMAP, TERNC_MODEL_MLOCK)",
                         flags & ~kKnownFlags));
    return nullptr;
  }
  ModelOptions options;
  options.weights.placement = flags & TERNC_MODEL_MMAP
                                  ? WeightsPlacement::Mapped
                                  : WeightsPlacement::Resident;
  options.weights.lock = (flags & TERNC_MODEL_MLOCK) != 0;
  options.weights.fillThreads = defaultThreadCount();
  Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::create(embeddedModelDefinition(), options);
  if (!model) {
    reportTo(error, error_size, model.error().message());
    return nullptr;
  }
  return new ternc_model{model.take()};
}

void ternc_model_free(ternc_model *model) { delete model; }

int64_t ternc_model_vocab_size(const ternc_model *model) {
  return model->model->vocabSize();
}

int64_t ternc_model_context_length(const ternc_model *model) {
  return model->model->contextLength();
}

int64_t ternc_tokenize(const ternc_model *model, const char *text,
                       int parse_special, int32_t *tokens, int64_t capacity) {
  Expected<const tokenizer::Tokenizer *> tokenizer = model->model->tokenizer();
  if (!tokenizer)
    return -1;
  tokenizer::EncodeOptions options;
  options.parseSpecial = parse_special != 0;
  std::vector<tokenizer::TokenId> ids = (*tokenizer)->encode(text, options);
  for (int64_t i = 0; i < std::min<int64_t>(capacity, ids.size()); ++i)
    tokens[i] = static_cast<int32_t>(ids[i]);
  return static_cast<int64_t>(ids.size());
}

ternc_session *ternc_session_new(const ternc_model *model, int threads,
                                 int64_t context_length, char *error,
                                 size_t error_size) {
  SessionOptions options;
  options.threads = threads > 0 ? threads : defaultThreadCount();
  options.contextLength = context_length;
  Expected<std::unique_ptr<CompiledSession>> session =
      model->model->newSession(options);
  if (!session) {
    reportTo(error, error_size, session.error().message());
    return nullptr;
  }
  return new ternc_session{model->model.get(), session.take(), {}};
}

void ternc_session_free(ternc_session *session) { delete session; }

int64_t ternc_session_position(const ternc_session *session) {
  return session->session->position();
}

void ternc_session_reset(ternc_session *session) { session->session->reset(); }

const char *ternc_session_error(const ternc_session *session) {
  return session->error.c_str();
}

int ternc_prefill(ternc_session *session, const int32_t *tokens, int64_t count,
                  float *last_logits) {
  if (count <= 0) {
    session->error = "ternc_prefill: no tokens";
    return -1;
  }
  return forward(session, std::vector<int32_t>(tokens, tokens + count),
                 last_logits);
}

int ternc_decode(ternc_session *session, int32_t token, float *logits) {
  return forward(session, {token}, logits);
}

ternc_sampling ternc_default_sampling(void) {
  const sampler::SamplerOptions defaults;
  return {defaults.temperature,   defaults.topK,        defaults.topP,
          defaults.minP,          defaults.repeatPenalty, defaults.repeatLastN,
          defaults.seed};
}

int64_t ternc_generate(ternc_session *session, const char *prompt, int chat,
                       int64_t n_predict, const ternc_sampling *sampling,
                       ternc_text_callback on_text, void *user) {
  auto fail = [&](const Error &error) {
    session->error = error.message();
    return int64_t{-1};
  };
  ternc_sampling chosen = sampling ? *sampling : ternc_default_sampling();
  sampler::SamplerOptions options;
  options.temperature = chosen.temperature;
  options.topK = chosen.top_k;
  options.topP = chosen.top_p;
  options.minP = chosen.min_p;
  options.repeatPenalty = chosen.repeat_penalty;
  options.repeatLastN = chosen.repeat_last_n;
  options.seed = chosen.seed;
  Expected<sampler::Sampler> sampler = sampler::Sampler::create(options);
  if (!sampler)
    return fail(sampler.error());
  Expected<const tokenizer::Tokenizer *> tokenizer =
      session->model->tokenizer();
  if (!tokenizer)
    return fail(tokenizer.error());
  generate::PromptOptions encoding;
  if (chat) {
    Expected<generate::ChatTemplate> format = generate::modelChatTemplate(
        session->model->file(), session->model->name());
    if (!format)
      return fail(format.error());
    encoding.chat = *format;
  }
  Expected<std::vector<int32_t>> tokens =
      generate::encodePrompt(**tokenizer, prompt, encoding);
  if (!tokens)
    return fail(tokens.error());
  generate::GenerationOptions generation;
  generation.predict = n_predict;
  generation.contextFlag = "context_length";
  Expected<generate::GenerationStats> stats = generate::generate(
      *session->session, **tokenizer, *sampler, *tokens, generation,
      [&](const std::string &text) {
        if (on_text)
          on_text(text.data(), text.size(), user);
      });
  if (!stats)
    return fail(stats.error());
  session->error.clear();
  return stats->generated;
}

} // extern "C"
