//===- FakeCompiledModel.cpp - A stand-in for ternc compile's object ------===//
//
// Defines every tern_model_* symbol of ModelAbi.h the way a compiled object
// does (the packed file embedded with .incbin, page aligned; static sizes;
// functions that only call tern_exec_* entries), so that a test can link it
// with the runtime's static libraries in the documented order and run the
// resulting program. The "model" is the tiny synthetic model's embedding,
// output norm and tied head: enough to produce logits and text.
//
//===----------------------------------------------------------------------===//

#include "backends/generic/GenericKernels.h"
#include "runtime/model/ModelAbi.h"

#include "FakeModelOffsets.h"

#ifndef TERNC_FAKE_MODEL_GGUF
#error "TERNC_FAKE_MODEL_GGUF must name the GGUF file to embed"
#endif

asm(".section .rodata\n"
    ".balign 4096\n"
    ".globl tern_model_gguf\n"
    ".type tern_model_gguf, @object\n"
    "tern_model_gguf:\n"
    ".incbin \"" TERNC_FAKE_MODEL_GGUF "\"\n"
    ".globl tern_model_gguf_end\n"
    ".type tern_model_gguf_end, @object\n"
    "tern_model_gguf_end:\n"
    ".previous\n");

namespace {

// What the compiler would know statically about the tiny preset.
constexpr int64_t kFeatures = 512;
constexpr int64_t kVocab = 1024;
constexpr int64_t kChunk = 8;
constexpr float kEpsilon = 1e-5f;

/// Byte offsets of token_embd (F16) and output_norm (F32) in the packed
/// file's tensor data, generated with it.
constexpr uint64_t tokenEmbd = TERNC_FAKE_TOKEN_EMBD;
constexpr uint64_t outputNorm = TERNC_FAKE_OUTPUT_NORM;

void run(const TernStep *step, int64_t tokens) {
  float *x = reinterpret_cast<float *>(step->arena);
  float *normed = x + tokens * kFeatures;
  const uint16_t *table =
      reinterpret_cast<const uint16_t *>(step->weights + tokenEmbd);
  tern_exec_embed_f16(step->exec, table, step->tokens, tokens, kFeatures, x);
  tern_exec_rms_norm_f32(
      step->exec, x,
      reinterpret_cast<const float *>(step->weights + outputNorm), tokens,
      kFeatures, kEpsilon, normed);
  tern_exec_linear_f16(step->exec, normed, table, tokens, kFeatures, kVocab,
                       step->logits, kVocab);
}

} // namespace

extern "C" {

const TernModelInfo tern_model_info = {
    TERN_MODEL_ABI_VERSION,
    TERN_KERNEL_ABI_VERSION,
    kVocab,
    kChunk,
    /*context_length=*/256,
    /*layers=*/1,
    /*kv_heads=*/1,
    /*head_dim=*/8,
    /*kv_cache_f16=*/1,
    /*decode_arena_bytes=*/2 * kFeatures * 4,
    /*prefill_arena_bytes=*/2 * kChunk * kFeatures * 4,
    /*linear_scratch_floats=*/kFeatures,
};

const TernKernels *tern_model_kernels(void) { return ternGenericKernels(); }

void tern_model_decode(const TernStep *step) { run(step, 1); }

void tern_model_prefill(const TernStep *step) { run(step, kChunk); }

} // extern "C"
