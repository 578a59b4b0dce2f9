/*===- ternc_model.h - C API of a model compiled by ternc ---------*- C -*-===//
 *
 * `ternc compile MODEL.gguf --emit=lib -o libNAME.a` writes a static library
 * holding one model (code and weights) and its runtime, and this header. Link
 * the library into a C or C++ program (with the C++ and math libraries and
 * threads: `cc app.c libNAME.a -lstdc++ -lm -pthread`) and:
 *
 *   ternc_model *model = ternc_model_open(0, error, sizeof error);
 *   ternc_session *session = ternc_session_new(model, 0, 0, error, sizeof error);
 *   ternc_generate(session, "Hello", 0, 32, NULL, print_text, NULL);
 *   ternc_session_free(session);
 *   ternc_model_free(model);
 *
 * A model is read-only and may serve several sessions; each session (one
 * sequence: its KV cache and position) is used by one thread at a time.
 * Functions that can fail return NULL or -1; sessions keep the message of
 * their last failure (ternc_session_error).
 *
 *===----------------------------------------------------------------------===*/

#ifndef TERNC_MODEL_H
#define TERNC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ternc_model ternc_model;
typedef struct ternc_session ternc_session;

/** Flags of ternc_model_open, or-ed together; 0 for the defaults. */
enum {
  /** Use the weights in place in the program's mapping instead of copying
   *  them into memory when the model opens (as a compiled binary's --mmap). */
  TERNC_MODEL_MMAP = 1,
  /** Lock the weights in memory (as --mlock); opening fails when the
   *  kernel refuses. */
  TERNC_MODEL_MLOCK = 2,
};

/** Opens the model compiled into this program. By default the weights are
 *  copied into memory (by as many threads as the machine has cores); `flags`
 *  (TERNC_MODEL_*) change that. On failure returns NULL and writes a message
 *  into error[error_size] (if error is not NULL). */
ternc_model *ternc_model_open(unsigned flags, char *error, size_t error_size);
void ternc_model_free(ternc_model *model);

/** Logits per token. */
int64_t ternc_model_vocab_size(const ternc_model *model);
/** The largest context a session may have. */
int64_t ternc_model_context_length(const ternc_model *model);

/** The token ids of `text` (with BOS when the vocabulary asks for it;
 *  special tokens found in the text when parse_special != 0). Writes at most
 *  `capacity` ids and returns how many there are (call again with more room
 *  when that exceeds capacity), or -1 when the tokenizer is unusable. */
int64_t ternc_tokenize(const ternc_model *model, const char *text,
                       int parse_special, int32_t *tokens, int64_t capacity);

/** A new empty sequence run by `threads` threads (0: the physical cores)
 *  with room for context_length positions (0: the compiled context). */
ternc_session *ternc_session_new(const ternc_model *model, int threads,
                                 int64_t context_length, char *error,
                                 size_t error_size);
void ternc_session_free(ternc_session *session);
/** Positions filled so far. */
int64_t ternc_session_position(const ternc_session *session);
/** Empties the sequence. */
void ternc_session_reset(ternc_session *session);
/** The message of the session's last failure ("" if none). */
const char *ternc_session_error(const ternc_session *session);

/** Appends `count` tokens to the sequence and writes the logits of the last
 *  one into last_logits[vocab] (if not NULL). Returns 0, or -1 (nothing
 *  changed) on a full context or an id outside the vocabulary. */
int ternc_prefill(ternc_session *session, const int32_t *tokens, int64_t count,
                  float *last_logits);
/** ternc_prefill of one token. */
int ternc_decode(ternc_session *session, int32_t token, float *logits);

/** Sampling settings, llama.cpp's defaults from ternc_default_sampling(). */
typedef struct ternc_sampling {
  float temperature;   /**< <= 0: greedy */
  int top_k;           /**< <= 0: off */
  float top_p;         /**< 1: off */
  float min_p;         /**< 0: off */
  float repeat_penalty; /**< 1: off */
  int repeat_last_n;
  uint64_t seed;       /**< 0xFFFFFFFF: a random seed (llama.cpp's value) */
} ternc_sampling;
ternc_sampling ternc_default_sampling(void);

/** Receives generated text, complete UTF-8, as it is produced. */
typedef void (*ternc_text_callback)(const char *text, size_t length,
                                    void *user);

/** From an empty session: runs `prompt` (special tokens written in it
 *  parsed, as llama.cpp does; wrapped in the model's chat format, 2B4T's or
 *  Llama 3's, when chat != 0), then samples up to n_predict tokens (< 0: until
 *  the end of generation or a full context), passing their text to
 *  `on_text`. `sampling` may be NULL (the defaults). Returns the number of
 *  tokens generated, or -1. */
int64_t ternc_generate(ternc_session *session, const char *prompt, int chat,
                       int64_t n_predict, const ternc_sampling *sampling,
                       ternc_text_callback on_text, void *user);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TERNC_MODEL_H */
