/* A C program linked against a model compiled with --emit=lib: it opens the
 * model, checks that prefill + decode, and one prefill of all the tokens,
 * give the logits `ternc eval` gives for the last token (written to files
 * for cmp), and generates text greedily.
 *
 * Usage: generate TOKEN_COUNT LOGITS_OUT PROMPT N_PREDICT */

#include "ternc_model.h"

#include <stdio.h>
#include <stdlib.h>

static void print_text(const char *text, size_t length, void *user) {
  fwrite(text, 1, length, (FILE *)user);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s TOKEN_COUNT LOGITS_OUT PROMPT N_PREDICT\n",
            argv[0]);
    return 2;
  }
  char error[256];
  ternc_model *model = ternc_model_open(0, error, sizeof error);
  if (!model) {
    fprintf(stderr, "open: %s\n", error);
    return 1;
  }
  int64_t vocab = ternc_model_vocab_size(model);
  ternc_session *session = ternc_session_new(model, 1, 64, error, sizeof error);
  if (!session) {
    fprintf(stderr, "session: %s\n", error);
    return 1;
  }

  /* Tokens 1..count-1 in one prefill, then the last one decoded: the logits
   * of the last token, as `ternc eval` gives them for the whole sequence. */
  int count = atoi(argv[1]);
  int32_t tokens[64];
  for (int i = 0; i < count; ++i)
    tokens[i] = (int32_t)(i * 37 % vocab);
  float *logits = malloc(sizeof(float) * (size_t)vocab);
  if (ternc_prefill(session, tokens, count - 1, NULL) != 0 ||
      ternc_decode(session, tokens[count - 1], logits) != 0) {
    fprintf(stderr, "forward: %s\n", ternc_session_error(session));
    return 1;
  }
  FILE *out = fopen(argv[2], "wb");
  fwrite(logits, sizeof(float), (size_t)vocab, out);
  fclose(out);

  /* The same logits from one prefill of all the tokens (its LM head runs
   * for the last row only). */
  ternc_session_reset(session);
  if (ternc_prefill(session, tokens, count, logits) != 0) {
    fprintf(stderr, "prefill: %s\n", ternc_session_error(session));
    return 1;
  }
  char path[512];
  snprintf(path, sizeof path, "%s.prefill", argv[2]);
  out = fopen(path, "wb");
  fwrite(logits, sizeof(float), (size_t)vocab, out);
  fclose(out);

  /* Errors are values: an id outside the vocabulary changes nothing. */
  if (ternc_decode(session, (int32_t)vocab, logits) != -1 ||
      ternc_session_position(session) != count) {
    fprintf(stderr, "a bad token was accepted\n");
    return 1;
  }
  printf("error: %s\n", ternc_session_error(session));

  int32_t prompt[64];
  int64_t n = ternc_tokenize(model, argv[3], 0, prompt, 64);
  printf("prompt tokens: %lld\n", (long long)n);

  ternc_session_reset(session);
  ternc_sampling greedy = ternc_default_sampling();
  greedy.temperature = 0;
  int64_t generated = ternc_generate(session, argv[3], 0, atoi(argv[4]),
                                     &greedy, print_text, stdout);
  printf("generated: %lld\n", (long long)generated);
  ternc_session_free(session);
  ternc_model_free(model);
  free(logits);
  return generated == atoi(argv[4]) ? 0 : 1;
}
