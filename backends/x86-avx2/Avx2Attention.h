//===- Avx2Attention.h - f16-cache attention with AVX2 ----------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2ATTENTION_H
#define TERNC_BACKENDS_X86_AVX2_AVX2ATTENTION_H

#include <cstdint>

/// KernelAbi.h's attention_f16_cache with AVX2 and F16C (the CPU must have
/// them). Besides the caller's scratch it keeps up to 48 KiB of scores on
/// the stack.
void avx2_attention_f16_cache(const float *q, const float *k, const float *v,
                              int64_t tokens, int64_t validTokens,
                              int64_t position, int64_t heads, int64_t kvHeads,
                              int64_t headDim, int64_t kvHeadBegin,
                              int64_t kvHeadEnd, uint16_t *kCache,
                              uint16_t *vCache, float *out, float *scratch);

#endif // TERNC_BACKENDS_X86_AVX2_AVX2ATTENTION_H
