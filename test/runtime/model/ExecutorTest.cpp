//===- ExecutorTest.cpp - tern_exec_* against the kernels called directly -===//
//
// Every tern_exec_* entry must give exactly what one direct call of its
// kernel gives, whatever the number of threads it splits the work across,
// and attention must read and write the right layer of the KV cache.
//
//===----------------------------------------------------------------------===//

#include "runtime/model/Executor.h"

#include "backends/common/Q4Layout.h"
#include "backends/generic/GenericKernels.h"
#include "runtime/support/Half.h"
#include "runtime/support/Random.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

using namespace ternc;

namespace {

const TernKernels &kernels() { return *ternGenericKernels(); }

std::unique_ptr<TernExec> makeExec(int threads, bool f16Cache = true,
                                   int64_t layers = 3, int64_t capacity = 16,
                                   int64_t kvHeads = 2, int64_t headDim = 8,
                                   int64_t linearScratch = 512) {
  TernExecOptions options;
  options.threads = threads;
  options.layers = layers;
  options.kvHeads = kvHeads;
  options.headDim = headDim;
  options.capacity = capacity;
  options.f16Cache = f16Cache;
  options.linearScratchFloats = linearScratch;
  Expected<std::unique_ptr<TernExec>> exec =
      TernExec::create(ternGenericKernels(), options);
  EXPECT_TRUE(exec.ok()) << exec.error().message();
  return exec.take();
}

std::vector<float> randomFloats(size_t count, uint64_t seed) {
  SplitMix64 random(seed);
  std::vector<float> values(count);
  for (float &value : values)
    value = static_cast<float>(static_cast<double>(random.next() >> 11) *
                                   0x1.0p-53 * 4.0 -
                               2.0);
  return values;
}

/// I2_S bytes of `rows` x `in` trits with random codes 0..2.
std::vector<uint8_t> randomI2s(int64_t rows, int64_t in, uint64_t seed) {
  SplitMix64 random(seed);
  std::vector<uint8_t> bytes(static_cast<size_t>(rows * in / 4));
  for (uint8_t &byte : bytes) {
    byte = 0;
    for (int i = 0; i < 4; ++i)
      byte = static_cast<uint8_t>(byte << 2 | random.next() % 3);
  }
  return bytes;
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(ExecutorTest, BitlinearPartsMatchTheKernelOnAnyThreadCount) {
  // Three weights of one fused op (q/k/v-like, row counts that are not
  // multiples of the row grain, so slices span parts).
  const int64_t tokens = 3, in = 256;
  const int64_t rows[] = {100, 37, 37};
  const float weightScales[] = {0.75f, 0.5f, 2.0f};
  std::vector<float> x = randomFloats(tokens * in, 1);
  std::vector<int8_t> q(tokens * in);
  std::vector<float> scales(tokens);
  kernels().quantize_rows_i8(x.data(), tokens, in, q.data(), scales.data());
  std::vector<std::vector<uint8_t>> weights;
  std::vector<std::vector<float>> expected;
  for (int part = 0; part < 3; ++part) {
    weights.push_back(randomI2s(rows[part], in, 2 + part));
    expected.emplace_back(tokens * rows[part]);
    kernels().bitlinear_i2s(q.data(), scales.data(), weights[part].data(),
                            tokens, in, rows[part], weightScales[part],
                            expected[part].data(), rows[part]);
  }
  for (int threads : {1, 2, 3, 5}) {
    std::unique_ptr<TernExec> exec = makeExec(threads);
    std::vector<std::vector<float>> y;
    std::vector<TernBitLinearPart> parts;
    for (int part = 0; part < 3; ++part)
      y.emplace_back(tokens * rows[part], -1.0f);
    for (int part = 0; part < 3; ++part)
      parts.push_back({weights[part].data(), rows[part], weightScales[part],
                       y[part].data()});
    tern_exec_bitlinear_i2s(exec.get(), q.data(), scales.data(), tokens, in, 3,
                            parts.data());
    for (int part = 0; part < 3; ++part)
      EXPECT_TRUE(sameBits(y[part], expected[part]))
          << threads << " threads, part " << part;
  }
}

TEST(ExecutorTest, LinearF16MatchesTheKernelOnAnyThreadCount) {
  const int64_t tokens = 2, in = 96, rows = 75;
  std::vector<float> x = randomFloats(tokens * in, 3);
  std::vector<float> w = randomFloats(rows * in, 4);
  std::vector<uint16_t> weights(w.size());
  for (size_t i = 0; i < w.size(); ++i)
    weights[i] = floatToHalf(w[i]);
  std::vector<float> scratch(in);
  std::vector<float> expected(tokens * rows);
  kernels().linear_f16(x.data(), weights.data(), tokens, in, rows,
                       expected.data(), rows, scratch.data());
  for (int threads : {1, 2, 4}) {
    std::unique_ptr<TernExec> exec = makeExec(threads);
    std::vector<float> y(tokens * rows);
    tern_exec_linear_f16(exec.get(), x.data(), weights.data(), tokens, in,
                         rows, y.data(), rows);
    EXPECT_TRUE(sameBits(y, expected)) << threads << " threads";
  }
}

TEST(ExecutorTest, LinearF32MatchesTheKernelOnAnyThreadCount) {
  const int64_t tokens = 2, in = 40, rows = 70;
  std::vector<float> x = randomFloats(tokens * in, 5);
  std::vector<float> weights = randomFloats(rows * in, 6);
  std::vector<float> scratch(in);
  std::vector<float> expected(tokens * rows);
  kernels().linear_f32(x.data(), weights.data(), tokens, in, rows,
                       expected.data(), rows, scratch.data());
  for (int threads : {1, 3}) {
    std::unique_ptr<TernExec> exec = makeExec(threads);
    std::vector<float> y(tokens * rows);
    tern_exec_linear_f32(exec.get(), x.data(), weights.data(), tokens, in,
                         rows, y.data(), rows);
    EXPECT_TRUE(sameBits(y, expected)) << threads << " threads";
  }
}

TEST(ExecutorTest, LinearI8MatchesTheKernelOnAnyThreadCount) {
  const int64_t tokens = 2, in = 72, rows = 75;
  std::vector<float> x = randomFloats(tokens * in, 9);
  std::vector<float> w = randomFloats(rows * in, 10);
  std::vector<int8_t> q(tokens * in), weights(w.size());
  std::vector<float> scales(tokens), rowScales(rows);
  kernels().quantize_rows_i8(x.data(), tokens, in, q.data(), scales.data());
  kernels().quantize_rows_i8(w.data(), rows, in, weights.data(),
                             rowScales.data());
  std::vector<float> expected(tokens * rows);
  kernels().linear_i8(q.data(), scales.data(), weights.data(), rowScales.data(),
                      tokens, in, rows, expected.data(), rows);
  for (int threads : {1, 2, 4}) {
    std::unique_ptr<TernExec> exec = makeExec(threads);
    std::vector<float> y(tokens * rows);
    tern_exec_linear_i8(exec.get(), q.data(), scales.data(), weights.data(),
                        rowScales.data(), tokens, in, rows, y.data(), rows);
    EXPECT_TRUE(sameBits(y, expected)) << threads << " threads";
  }
}

TEST(ExecutorTest, LinearQ4MatchesTheKernelOnAnyThreadCount) {
  // Three groups a row (a lone last group); any bytes are valid q4 rows.
  const int64_t tokens = 2, in = 96, rows = 75;
  std::vector<float> x = randomFloats(tokens * in, 11);
  std::vector<int8_t> q(tokens * in);
  std::vector<float> scales(tokens);
  const std::vector<float> rowScales = randomFloats(rows, 12);
  kernels().quantize_rows_i8(x.data(), tokens, in, q.data(), scales.data());
  SplitMix64 random(13);
  std::vector<uint8_t> weights(rows * backends::q4RowBytes(in));
  for (uint8_t &byte : weights)
    byte = static_cast<uint8_t>(random.next());
  std::vector<float> expected(tokens * rows);
  kernels().linear_q4(q.data(), scales.data(), weights.data(), rowScales.data(),
                      tokens, in, rows, expected.data(), rows);
  for (int threads : {1, 2, 4}) {
    std::unique_ptr<TernExec> exec = makeExec(threads);
    std::vector<float> y(tokens * rows);
    tern_exec_linear_q4(exec.get(), q.data(), scales.data(), weights.data(),
                        rowScales.data(), tokens, in, rows, y.data(), rows);
    EXPECT_TRUE(sameBits(y, expected)) << threads << " threads";
  }
}

TEST(ExecutorTest, RowOperationsSplitByTokens) {
  const int64_t tokens = 7, features = 64;
  std::vector<float> x = randomFloats(tokens * features, 7);
  std::vector<float> gamma = randomFloats(features, 8);
  std::vector<int8_t> expectedQ(tokens * features);
  std::vector<float> expectedScales(tokens), expectedNorm(tokens * features);
  kernels().rms_norm_quantize_i8(x.data(), gamma.data(), tokens, features,
                                 1e-5f, expectedQ.data(),
                                 expectedScales.data());
  kernels().rms_norm_f32(x.data(), gamma.data(), tokens, features, 1e-5f,
                         expectedNorm.data());
  for (int threads : {1, 2, 3}) {
    std::unique_ptr<TernExec> exec = makeExec(threads);
    std::vector<int8_t> q(tokens * features);
    std::vector<float> scales(tokens), norm(tokens * features);
    tern_exec_rms_norm_quantize_i8(exec.get(), x.data(), gamma.data(), tokens,
                                   features, 1e-5f, q.data(), scales.data());
    EXPECT_EQ(q, expectedQ);
    EXPECT_TRUE(sameBits(scales, expectedScales));
    tern_exec_rms_norm_f32(exec.get(), x.data(), gamma.data(), tokens,
                           features, 1e-5f, norm.data());
    EXPECT_TRUE(sameBits(norm, expectedNorm));
    tern_exec_quantize_rows_i8(exec.get(), x.data(), tokens, features,
                               q.data(), scales.data());
    std::vector<int8_t> plainQ(tokens * features);
    std::vector<float> plainScales(tokens);
    kernels().quantize_rows_i8(x.data(), tokens, features, plainQ.data(),
                               plainScales.data());
    EXPECT_EQ(q, plainQ);
    EXPECT_TRUE(sameBits(scales, plainScales));
  }
}

TEST(ExecutorTest, EmbedF16SplitsByTokens) {
  const int64_t vocab = 10, features = 12;
  std::vector<float> table = randomFloats(vocab * features, 9);
  std::vector<uint16_t> half(table.size());
  for (size_t i = 0; i < table.size(); ++i)
    half[i] = floatToHalf(table[i]);
  std::vector<int32_t> ids = {3, 0, 9, 3, 5};
  std::vector<float> expected(ids.size() * features);
  kernels().embed_f16(half.data(), ids.data(), 5, features, expected.data());
  std::unique_ptr<TernExec> exec = makeExec(2);
  std::vector<float> y(expected.size());
  tern_exec_embed_f16(exec.get(), half.data(), ids.data(), 5, features,
                      y.data());
  EXPECT_TRUE(sameBits(y, expected));
}

TEST(ExecutorTest, RopeCopiesWhenOutOfPlace) {
  const int64_t tokens = 5, features = 32, headDim = 16;
  std::vector<float> x = randomFloats(tokens * features, 10);
  for (bool neox : {true, false}) {
    std::vector<float> expected = x;
    (neox ? kernels().rope_neox_f32 : kernels().rope_norm_f32)(
        expected.data(), tokens, features, headDim, 12, 7, 10000.0f);
    for (int threads : {1, 2}) {
      std::unique_ptr<TernExec> exec = makeExec(threads);
      auto rope = neox ? tern_exec_rope_neox_f32 : tern_exec_rope_norm_f32;
      std::vector<float> input = x, y(x.size(), 0.0f);
      rope(exec.get(), input.data(), y.data(), tokens, features, headDim, 12,
           7, 10000.0f);
      EXPECT_TRUE(sameBits(y, expected)) << neox << " " << threads;
      EXPECT_TRUE(sameBits(input, x)) << "the input must not change";
      rope(exec.get(), input.data(), input.data(), tokens, features, headDim,
           12, 7, 10000.0f);
      EXPECT_TRUE(sameBits(input, expected)) << neox << " " << threads;
    }
  }
}

TEST(ExecutorTest, ElementwiseSplitsByElements) {
  const int64_t count = 20000; // Long enough to be split.
  std::vector<float> a = randomFloats(count, 11), b = randomFloats(count, 12);
  struct Case {
    const char *name;
    void (*kernel)(const float *, const float *, int64_t, float *);
    void (*exec)(TernExec *, const float *, const float *, int64_t, float *);
  };
  for (const Case &c :
       {Case{"add", kernels().add_f32, tern_exec_add_f32},
        Case{"mul", kernels().mul_f32, tern_exec_mul_f32},
        Case{"relu2_mul", kernels().relu2_mul_f32, tern_exec_relu2_mul_f32},
        Case{"silu_mul", kernels().silu_mul_f32, tern_exec_silu_mul_f32}}) {
    if (!c.kernel)
      continue; // Kernel ABI v2 entries the backend may not have yet.
    std::vector<float> expected(count), y(count);
    c.kernel(a.data(), b.data(), count, expected.data());
    std::unique_ptr<TernExec> exec = makeExec(3);
    c.exec(exec.get(), a.data(), b.data(), count, y.data());
    EXPECT_TRUE(sameBits(y, expected)) << c.name;
    // In place, y = a.
    std::vector<float> inPlace = a;
    c.exec(exec.get(), inPlace.data(), b.data(), count, inPlace.data());
    EXPECT_TRUE(sameBits(inPlace, expected)) << c.name;
  }
}

TEST(ExecutorTest, UnaryElementwiseSplitsByElements) {
  ASSERT_TRUE(kernels().relu2_f32 && kernels().silu_f32);
  const int64_t count = 20000;
  std::vector<float> x = randomFloats(count, 13);
  std::unique_ptr<TernExec> exec = makeExec(2);
  std::vector<float> expected(count), y(count);
  kernels().relu2_f32(x.data(), count, expected.data());
  tern_exec_relu2_f32(exec.get(), x.data(), count, y.data());
  EXPECT_TRUE(sameBits(y, expected));
  kernels().silu_f32(x.data(), count, expected.data());
  tern_exec_silu_f32(exec.get(), x.data(), count, y.data());
  EXPECT_TRUE(sameBits(y, expected));
}

/// Attention through the executor on `layer`, against the kernel on caches
/// of its own: same outputs, the same bytes in that layer's slice, and
/// nothing written to the other layers.
template <typename Element>
void checkAttention(bool f16Cache) {
  const int64_t layers = 3, capacity = 16, kvHeads = 2, headDim = 8, heads = 4;
  const int64_t kvWidth = kvHeads * headDim, layer = 1;
  std::unique_ptr<TernExec> exec =
      makeExec(2, f16Cache, layers, capacity, kvHeads, headDim);
  std::vector<Element> keys(capacity * kvWidth), values(capacity * kvWidth);
  std::vector<float> scratch(headDim + capacity);

  // A padded prefill of 5 rows with 3 valid at position 0, then one token.
  struct Call {
    int64_t tokens, valid, position;
  };
  uint64_t seed = 20;
  for (Call call : {Call{5, 3, 0}, Call{1, 1, 3}}) {
    std::vector<float> q = randomFloats(call.tokens * heads * headDim, seed++);
    std::vector<float> k = randomFloats(call.tokens * kvWidth, seed++);
    std::vector<float> v = randomFloats(call.tokens * kvWidth, seed++);
    std::vector<float> expected(q.size()), out(q.size(), 1.0f);
    if constexpr (sizeof(Element) == 2)
      kernels().attention_f16_cache(
          q.data(), k.data(), v.data(), call.tokens, call.valid, call.position,
          heads, kvHeads, headDim, 0, kvHeads, keys.data(), values.data(),
          expected.data(), scratch.data());
    else
      kernels().attention_f32_cache(
          q.data(), k.data(), v.data(), call.tokens, call.valid, call.position,
          heads, kvHeads, headDim, 0, kvHeads, keys.data(), values.data(),
          expected.data(), scratch.data());
    tern_exec_attention(exec.get(), q.data(), k.data(), v.data(), call.tokens,
                        call.valid, call.position, heads, kvHeads, headDim,
                        layer, out.data());
    EXPECT_TRUE(sameBits(out, expected));
  }
  size_t sliceBytes = keys.size() * sizeof(Element);
  EXPECT_EQ(std::memcmp(exec->keys(layer), keys.data(), sliceBytes), 0);
  EXPECT_EQ(std::memcmp(exec->values(layer), values.data(), sliceBytes), 0);
  // The slices are where ModelAbi.h says: base + layer * capacity * width.
  EXPECT_EQ(static_cast<uint8_t *>(exec->keys(layer)),
            static_cast<uint8_t *>(exec->keys(0)) + layer * sliceBytes);
  std::vector<uint8_t> zeros(sliceBytes, 0);
  for (int64_t other : {int64_t(0), int64_t(2)}) {
    EXPECT_EQ(std::memcmp(exec->keys(other), zeros.data(), sliceBytes), 0);
    EXPECT_EQ(std::memcmp(exec->values(other), zeros.data(), sliceBytes), 0);
  }
}

TEST(ExecutorTest, AttentionUsesTheLayersF16CacheSlice) {
  checkAttention<uint16_t>(true);
}

TEST(ExecutorTest, AttentionUsesTheLayersF32CacheSlice) {
  checkAttention<float>(false);
}

TEST(ExecutorTest, ScratchCoversLinearAndAttention) {
  std::unique_ptr<TernExec> exec = makeExec(3, true, 1, 100, 1, 64, 40);
  EXPECT_GE(exec->scratchFloats(), 64 + 100);
  exec = makeExec(3, true, 1, 10, 1, 64, 3000);
  EXPECT_GE(exec->scratchFloats(), 3000);
  for (int thread = 0; thread < 3; ++thread)
    EXPECT_EQ(reinterpret_cast<uintptr_t>(exec->scratch(thread)) % 64, 0u);
  EXPECT_GE(exec->scratch(1) - exec->scratch(0), exec->scratchFloats());
}

TEST(ExecutorDeathTest, AttentionOutsideTheCacheStopsInEveryBuildType) {
  // 2 layers of 4 positions, 1 KV head of 8: a call past either bound must
  // stop the process with a message, not write past the cache (release
  // builds included: this is not an assert).
  std::unique_ptr<TernExec> exec = makeExec(1, true, 2, 4, 1, 8);
  std::vector<float> q(8), k(8), v(8), out(8);
  auto attend = [&](int64_t layer, int64_t position) {
    tern_exec_attention(exec.get(), q.data(), k.data(), v.data(), 1, 1,
                        position, 1, 1, 8, layer, out.data());
  };
  attend(1, 3);
  EXPECT_DEATH(attend(2, 0), "tern_exec_attention: the layer is outside the "
                             "KV cache");
  EXPECT_DEATH(attend(0, 4), "tern_exec_attention: the positions overflow "
                             "the KV cache");
}

TEST(ExecutorDeathTest, LinearWiderThanTheScratchStops) {
  std::unique_ptr<TernExec> exec = makeExec(1, true, 1, 4, 1, 8, 16);
  const int64_t in = exec->scratchFloats() + 1;
  std::vector<float> x(in), y(1);
  std::vector<uint16_t> weights(in);
  EXPECT_DEATH(tern_exec_linear_f16(exec.get(), x.data(), weights.data(), 1,
                                    in, 1, y.data(), 1),
               "tern_exec_linear_f16: the input is wider than the executor's "
               "linear scratch");
}

TEST(ExecutorTest, RejectsBadShapes) {
  TernExecOptions options;
  options.layers = 1;
  options.kvHeads = 1;
  options.headDim = 8;
  options.capacity = 0;
  Expected<std::unique_ptr<TernExec>> exec =
      TernExec::create(ternGenericKernels(), options);
  ASSERT_FALSE(exec.ok());
  EXPECT_NE(exec.error().message().find("0 positions"), std::string::npos);
  options.capacity = 4;
  options.threads = 0;
  exec = TernExec::create(ternGenericKernels(), options);
  ASSERT_FALSE(exec.ok());
  EXPECT_EQ(exec.error().message(),
            "the thread count must be at least 1, not 0");
}

} // namespace
