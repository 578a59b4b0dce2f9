//===- ConformanceTest.cpp - Backend kernels against the reference --------===//
//
// Every case feeds the same fixed-seed inputs to a backend's kernel and to
// compiler/reference/ReferenceOps and asserts bit-identical results (any NaN
// matching any NaN): the reference fixes each operation's order and
// precision, and the ABI (backends/KernelAbi.h) promises to reproduce it,
// NaN payloads aside. Inputs cover the smallest legal shapes, odd row
// counts, several token counts and 2B4T's shapes; the documented slicing and
// aliasing rules are exercised too.
//
//===----------------------------------------------------------------------===//

#include "test/backends/ConformanceTest.h"

#include "backends/common/Q4Layout.h"
#include "compiler/reference/ReferenceOps.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Half.h"
#include "runtime/support/Random.h"

#include <xtensor/xbuilder.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <type_traits>
#include <vector>

using namespace ternc;
using reference::Activations;

void PrintTo(const TernKernels *table, std::ostream *os) {
  *os << (table ? table->name : "none");
}

void KernelConformanceTest::SetUp() {
  if (!GetParam())
    GTEST_SKIP() << "the host CPU cannot run this backend";
}

namespace {

/// `value` stored as Element: itself, or its nearest f16 bit pattern.
template <typename Element> Element narrow(float value) {
  if constexpr (std::is_same_v<Element, uint16_t>)
    return floatToHalf(value);
  else
    return value;
}

/// A stored element as f32.
float widen(uint16_t half) { return halfToFloat(half); }
float widen(float value) { return value; }

/// The reference's rounding of activations multiplied with Element weights.
template <typename Element> reference::Precision precisionOf() {
  return std::is_same_v<Element, uint16_t> ? reference::Precision::F16
                                           : reference::Precision::F32;
}

/// Fixed-seed test data: the same values on every host and compiler.
class TestData {
public:
  explicit TestData(uint64_t seed) : random_(seed) {}

  /// Uniform in [-range, range).
  float uniform(float range) {
    return static_cast<float>((random_.nextUniform() * 2 - 1) * range);
  }

  /// Uniform in [0, bound).
  int64_t below(int64_t bound) {
    return static_cast<int64_t>(random_.next() % static_cast<uint64_t>(bound));
  }

  /// [tokens, features] values uniform in [-range, range).
  Activations activations(int64_t tokens, int64_t features,
                          float range = 4.0f) {
    Activations values(
        {static_cast<size_t>(tokens), static_cast<size_t>(features)});
    for (float &value : values)
      value = uniform(range);
    return values;
  }

  /// `count` random token ids below `vocab`, the first 0 and the last
  /// vocab - 1 (the table's edges).
  std::vector<int32_t> tokenIds(int64_t count, int64_t vocab) {
    std::vector<int32_t> ids(count);
    for (int32_t &id : ids)
      id = static_cast<int32_t>(below(vocab));
    ids.front() = 0;
    ids.back() = static_cast<int32_t>(vocab - 1);
    return ids;
  }

  /// Uniformly random trits of a [rows, in] weight.
  reference::Trits trits(int64_t rows, int64_t in) {
    reference::Trits values(
        {static_cast<size_t>(rows), static_cast<size_t>(in)});
    for (int8_t &trit : values)
      trit = static_cast<int8_t>(below(3) - 1);
    return values;
  }

  /// `count` values uniform in [-range, range), stored as Element (f32, or
  /// f16 bit patterns).
  template <typename Element>
  std::vector<Element> elements(size_t count, float range) {
    std::vector<Element> values(count);
    for (Element &value : values)
      value = narrow<Element>(uniform(range));
    return values;
  }

private:
  Xoshiro256StarStar random_;
};

/// Whether `actual` is `expected` bit for bit, or both are NaN (the ABI
/// leaves NaN payloads unspecified).
template <typename T> bool sameValue(const T &actual, const T &expected) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(actual) && std::isnan(expected))
      return true;
  return std::memcmp(&actual, &expected, sizeof(T)) == 0;
}

/// Whether `count` values at `actual` equal those at `expected` bit for bit
/// (sameValue); on failure, how many differ and the first difference.
template <typename T>
::testing::AssertionResult sameBits(const T *actual, const T *expected,
                                    size_t count) {
  size_t differing = 0, first = 0;
  for (size_t i = 0; i < count; ++i)
    if (!sameValue(actual[i], expected[i]) && differing++ == 0)
      first = i;
  if (differing == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << differing << " of " << count << " values differ; the first, at "
         << first << ", is " << std::hexfloat << +actual[first]
         << " instead of " << +expected[first];
}

::testing::AssertionResult sameBits(const std::vector<float> &actual,
                                    const Activations &expected) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << actual.size() << " values instead of " << expected.size();
  return sameBits(actual.data(), expected.data(), actual.size());
}

/// The tokens and features of an activation matrix.
struct RowsShape {
  int64_t tokens, features;
};

/// Activation shapes: the smallest, odd feature counts (vector tails of every
/// length class: 7 alone, 47 = 32 + 8 + 7), 2B4T's hidden size.
constexpr RowsShape kRowsShapes[] = {{1, 128}, {3, 7}, {6, 47}, {17, 2560}};

/// A matrix product of `tokens` rows of `in` features by `out` weight rows.
struct MatmulShape {
  int64_t tokens, in, out;
};

/// "3 tokens, 128 -> 7" for a trace.
::testing::Message describe(const MatmulShape &shape) {
  return ::testing::Message()
         << shape.tokens << " tokens, " << shape.in << " -> " << shape.out;
}

/// Runs a matmul once whole and once as two slices of rows (as threads
/// would), and checks both results against `expected` [tokens, out].
/// `runRows(begin, end, y)` computes rows [begin, end) into y, row stride
/// out, by the ABI's slicing rule.
template <typename RunRows>
void expectRowSlicesMatch(RunRows runRows, const Activations &expected,
                          int64_t rowGrain = 1) {
  const int64_t out = static_cast<int64_t>(expected.shape(1));
  std::vector<float> whole(expected.size());
  runRows(0, out, whole.data());
  EXPECT_TRUE(sameBits(whole, expected)) << "in one call";
  // Slices start at multiples of the layout's row groups.
  const int64_t split = out / 2 / rowGrain * rowGrain;
  if (split == 0)
    return;
  std::vector<float> sliced(expected.size());
  runRows(0, split, sliced.data());
  runRows(split, out, sliced.data());
  EXPECT_TRUE(sameBits(sliced, expected)) << "in two row slices";
}

/// A ternary matrix as a GGUF file stores it in I2_S, and its scale as read
/// back from the bytes.
struct I2sMatrix {
  std::vector<uint8_t> bytes;
  float scale = 0;
};

/// The I2_S rows `bytes` (`rows` rows of `in` trits, consecutive, then the
/// scale) laid out as KernelAbi.h's i2s_row_interleave = `interleave` says:
/// 32-byte block b of row r at block ((r / N) * (in / 128) + b) * N + r % N,
/// zero blocks padding the last group. Only the rows: kernels take the scale
/// as an argument.
std::vector<uint8_t> i2sLaidOut(const std::vector<uint8_t> &bytes,
                                int64_t rows, int64_t in, int64_t interleave) {
  const int64_t blocks = in / 128;
  const int64_t groups = (rows + interleave - 1) / interleave;
  std::vector<uint8_t> out(groups * interleave * blocks * 32, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < blocks; ++b)
      std::copy_n(bytes.begin() + (r * blocks + b) * 32, 32,
                  out.begin() +
                      ((r / interleave * blocks + b) * interleave +
                       r % interleave) *
                          32);
  return out;
}

/// `trits` times `alpha`, encoded by the GGUF library's I2_S quantizer (no
/// bytes, and a test failure, if it refuses them).
I2sMatrix encodeI2s(const reference::Trits &trits, float alpha) {
  std::vector<float> weights(trits.size());
  for (size_t i = 0; i < trits.size(); ++i)
    weights[i] = trits.data()[i] * alpha;
  I2sMatrix matrix;
  Status encoded = gguf::quantize(gguf::TensorType::I2_S, weights.data(),
                                  weights.size(), matrix.bytes);
  if (!encoded.ok()) {
    ADD_FAILURE() << encoded.error().message();
    return {};
  }
  matrix.scale = gguf::i2sScale({matrix.bytes.data(), matrix.bytes.size()},
                                weights.size());
  return matrix;
}

/// Random activations and trits of a matmul shape, the trits encoded as I2_S
/// (scale in [0.25, 2.25)) and laid out in a table's row interleave.
struct TernaryMatmulCase {
  Activations x;
  reference::Trits trits;
  I2sMatrix matrix;
  std::vector<uint8_t> laidOut;
};

TernaryMatmulCase makeTernaryMatmulCase(TestData &data,
                                        const MatmulShape &shape,
                                        int64_t interleave) {
  TernaryMatmulCase c;
  c.x = data.activations(shape.tokens, shape.in);
  c.trits = data.trits(shape.out, shape.in);
  c.matrix = encodeI2s(c.trits, 0.25f + std::fabs(data.uniform(2.0f)));
  if (c.matrix.bytes.empty())
    return c;
  c.laidOut = i2sLaidOut(c.matrix.bytes, shape.out, shape.in, interleave);
  return c;
}

/// Int8 activation rows and their per-token scales.
struct QuantizedRows {
  std::vector<int8_t> q;
  std::vector<float> scales;
};

/// x quantized by `kernels`' quantize_rows_i8.
QuantizedRows quantizeWith(const TernKernels &kernels, const Activations &x) {
  QuantizedRows rows{std::vector<int8_t>(x.size()),
                     std::vector<float>(x.shape(0))};
  kernels.quantize_rows_i8(x.data(), x.shape(0), x.shape(1), rows.q.data(),
                           rows.scales.data());
  return rows;
}

/// The reference's int8 rows and scales of x.
void quantizeLikeReference(const Activations &x, std::vector<int8_t> &q,
                           std::vector<float> &scales) {
  const size_t tokens = x.shape(0), features = x.shape(1);
  q.resize(x.size());
  scales.resize(tokens);
  for (size_t t = 0; t < tokens; ++t)
    scales[t] = reference::quantizeActivations(&x(t, 0), features,
                                               q.data() + t * features);
}

TEST_P(KernelConformanceTest, TableIsComplete) {
  EXPECT_EQ(kernels().abi_version, TERN_KERNEL_ABI_VERSION);
  ASSERT_NE(kernels().name, nullptr);
  EXPECT_STRNE(kernels().name, "");
  EXPECT_GE(kernels().f16_row_interleave, 1);
  EXPECT_GE(kernels().i2s_row_interleave, 1);
  // The runtime slices rows 16 at a time (KernelAbi.h: a divisor of 16).
  EXPECT_EQ(16 % kernels().f16_row_interleave, 0);
  EXPECT_EQ(16 % kernels().i2s_row_interleave, 0);
  EXPECT_NE(kernels().quantize_rows_i8, nullptr);
  EXPECT_NE(kernels().rms_norm_quantize_i8, nullptr);
  EXPECT_NE(kernels().rms_norm_f32, nullptr);
  EXPECT_NE(kernels().bitlinear_i2s, nullptr);
  EXPECT_NE(kernels().quantize_rows_q8k, nullptr);
  EXPECT_NE(kernels().rms_norm_quantize_q8k, nullptr);
  EXPECT_NE(kernels().bitlinear_i2s_q8k, nullptr);
  EXPECT_NE(kernels().linear_f16, nullptr);
  EXPECT_NE(kernels().linear_f32, nullptr);
  EXPECT_NE(kernels().embed_f16, nullptr);
  EXPECT_NE(kernels().embed_f32, nullptr);
  EXPECT_NE(kernels().linear_i8, nullptr);
  EXPECT_NE(kernels().embed_i8, nullptr);
  EXPECT_NE(kernels().linear_q4, nullptr);
  EXPECT_NE(kernels().embed_q4, nullptr);
  EXPECT_NE(kernels().rope_neox_f32, nullptr);
  EXPECT_NE(kernels().rope_norm_f32, nullptr);
  EXPECT_NE(kernels().attention_f16_cache, nullptr);
  EXPECT_NE(kernels().attention_f32_cache, nullptr);
  EXPECT_NE(kernels().add_f32, nullptr);
  EXPECT_NE(kernels().mul_f32, nullptr);
  EXPECT_NE(kernels().relu2_f32, nullptr);
  EXPECT_NE(kernels().silu_f32, nullptr);
  EXPECT_NE(kernels().relu2_mul_f32, nullptr);
  EXPECT_NE(kernels().silu_mul_f32, nullptr);
}

TEST_P(KernelConformanceTest, QuantizeRowsMatchesReference) {
  TestData data(1);
  std::vector<Activations> inputs;
  for (const RowsShape &shape : kRowsShapes)
    inputs.push_back(data.activations(shape.tokens, shape.features));
  // Products landing on halves (scale 1), an all-zero row and a tiny one
  // (amax clamped at 1e-5).
  inputs.push_back({{127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -127.0f, 3.4f},
                    {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f},
                    {1e-6f, -3e-6f, 0.0f, 1e-7f, 0.0f, 0.0f, 0.0f, 0.0f}});

  for (const Activations &x : inputs) {
    SCOPED_TRACE(::testing::Message() << x.shape(0) << "x" << x.shape(1));
    std::vector<int8_t> q(x.size()), expectedQ;
    std::vector<float> scales(x.shape(0)), expectedScales;
    kernels().quantize_rows_i8(x.data(), x.shape(0), x.shape(1), q.data(),
                               scales.data());
    quantizeLikeReference(x, expectedQ, expectedScales);
    EXPECT_TRUE(sameBits(q.data(), expectedQ.data(), q.size()));
    EXPECT_TRUE(sameBits(scales.data(), expectedScales.data(), scales.size()));
  }
}

TEST_P(KernelConformanceTest, RmsNormMatchesReference) {
  TestData data(2);
  for (const RowsShape &shape : kRowsShapes)
    for (float epsilon : {1e-5f, 1e-6f}) {
      SCOPED_TRACE(::testing::Message() << shape.tokens << "x" << shape.features
                                        << ", epsilon " << epsilon);
      const Activations x = data.activations(shape.tokens, shape.features);
      std::vector<float> gamma(shape.features);
      for (float &g : gamma)
        g = data.uniform(2.0f);
      const Activations expected = reference::rmsNorm(x, gamma, epsilon);

      std::vector<float> y(x.size());
      kernels().rms_norm_f32(x.data(), gamma.data(), shape.tokens,
                             shape.features, epsilon, y.data());
      EXPECT_TRUE(sameBits(y, expected)) << "into a separate output";
      std::vector<float> inPlace(x.begin(), x.end());
      kernels().rms_norm_f32(inPlace.data(), gamma.data(), shape.tokens,
                             shape.features, epsilon, inPlace.data());
      EXPECT_TRUE(sameBits(inPlace, expected)) << "in place";
    }
}

TEST_P(KernelConformanceTest, RmsNormSumsSquaresInOrder) {
  // Added in order, a^2 + b^2 is a tie between two floats, which the mean
  // (the sum / 32, exact) rounds to the even one, and each t^2 then vanishes
  // in the double sum; summed in lanes, pairwise or backwards, some t^2
  // survive and the mean rounds up, which changes 1/rms for both epsilons.
  // Every row is that row, in 1, 3 and 6 rows (SIMD backends may sum rows
  // in groups).
  const float a = 0x1.002004p+0f, b = 0x1p-12f, t = 0x1p-27f;
  constexpr int64_t kFeatures = 32;
  const std::vector<float> gamma(kFeatures, 1.0f);
  for (int64_t tokens : {1, 3, 6})
    for (float epsilon : {1e-5f, 1e-6f}) {
      SCOPED_TRACE(::testing::Message()
                   << tokens << " rows, epsilon " << epsilon);
      Activations x({static_cast<size_t>(tokens), kFeatures});
      x.fill(t);
      for (int64_t row = 0; row < tokens; ++row) {
        x(row, 0) = a;
        x(row, 1) = b;
      }
      const Activations expected = reference::rmsNorm(x, gamma, epsilon);
      std::vector<float> y(x.size());
      kernels().rms_norm_f32(x.data(), gamma.data(), tokens, kFeatures, epsilon,
                             y.data());
      EXPECT_TRUE(sameBits(y, expected));

      std::vector<int8_t> q(x.size()), expectedQ;
      std::vector<float> scales(tokens), expectedScales;
      kernels().rms_norm_quantize_i8(x.data(), gamma.data(), tokens, kFeatures,
                                     epsilon, q.data(), scales.data());
      quantizeLikeReference(expected, expectedQ, expectedScales);
      EXPECT_TRUE(sameBits(q.data(), expectedQ.data(), q.size()));
      EXPECT_TRUE(
          sameBits(scales.data(), expectedScales.data(), scales.size()));
    }
}

TEST_P(KernelConformanceTest, RmsNormQuantizeMatchesNormThenQuantize) {
  TestData data(3);
  for (const RowsShape &shape : kRowsShapes) {
    SCOPED_TRACE(::testing::Message() << shape.tokens << "x" << shape.features);
    const Activations x = data.activations(shape.tokens, shape.features);
    std::vector<float> gamma(shape.features);
    for (float &g : gamma)
      g = data.uniform(2.0f);
    std::vector<int8_t> q(x.size()), expectedQ;
    std::vector<float> scales(shape.tokens), expectedScales;
    kernels().rms_norm_quantize_i8(x.data(), gamma.data(), shape.tokens,
                                   shape.features, 1e-5f, q.data(),
                                   scales.data());
    quantizeLikeReference(reference::rmsNorm(x, gamma, 1e-5f), expectedQ,
                          expectedScales);
    EXPECT_TRUE(sameBits(q.data(), expectedQ.data(), q.size()));
    EXPECT_TRUE(sameBits(scales.data(), expectedScales.data(), scales.size()));
  }
}

TEST_P(KernelConformanceTest, BitLinearMatchesReference) {
  // The smallest legal matrix, odd row counts, token counts 1/3/5/17 (SIMD
  // backends take tokens in tiles: 5 = a tile and a tail), odd block counts
  // (384 = 3 blocks, with several tokens too), and 2B4T's k/v projection
  // (2560 -> 640) and ffn_down (6912 -> 2560).
  // Prefill-sized calls (AMX takes 16 x 16 token x row tiles, in pairs:
  // 37 tokens and 83 rows leave tails of both, also in slices of 41 and 42
  // rows; 52 tokens and 48 rows end in single tiles; 150 tokens span two
  // token chunks), 128 tokens of the k/v projection, and a few tokens on
  // ffn_down's long rows (the longest a tile unpacks on the stack).
  // Interleaved layouts: decode of whole groups and of a last partial one
  // (83 rows), two tokens on 5-row tiles that straddle groups.
  const MatmulShape shapes[] = {
      {1, 128, 1},    {3, 128, 3},     {17, 256, 7},    {3, 384, 129},
      {5, 384, 9},    {17, 2560, 640}, {1, 6912, 2560}, {37, 2560, 83},
      {52, 1280, 48}, {150, 256, 32},  {128, 2560, 640}, {6, 6912, 9},
      {1, 384, 83},   {2, 512, 24}};
  TestData data(4);
  for (const MatmulShape &shape : shapes) {
    SCOPED_TRACE(describe(shape));
    const TernaryMatmulCase c =
        makeTernaryMatmulCase(data, shape, kernels().i2s_row_interleave);
    ASSERT_FALSE(c.matrix.bytes.empty());
    const QuantizedRows quantized = quantizeWith(kernels(), c.x);
    expectRowSlicesMatch(
        [&](int64_t begin, int64_t end, float *y) {
          kernels().bitlinear_i2s(quantized.q.data(), quantized.scales.data(),
                                  c.laidOut.data() + begin * shape.in / 4,
                                  shape.tokens, shape.in, end - begin,
                                  c.matrix.scale, y + begin, shape.out);
        },
        reference::bitLinear(c.x, c.trits, c.matrix.scale),
        kernels().i2s_row_interleave);
  }
}

/// Q8_K activation blocks and their scales.
struct Q8KRows {
  std::vector<int8_t> q;
  std::vector<float> blockScales;
};

/// The reference's Q8_K rows of x.
Q8KRows quantizeQ8KLikeReference(const Activations &x) {
  const int64_t tokens = x.shape(0), features = x.shape(1);
  const int64_t blocks = features / reference::kQ8KBlock;
  Q8KRows rows{std::vector<int8_t>(x.size()),
               std::vector<float>(tokens * blocks)};
  for (int64_t t = 0; t < tokens; ++t)
    reference::quantizeActivationsQ8K(&x(t, 0), features,
                                      rows.q.data() + t * features,
                                      rows.blockScales.data() + t * blocks);
  return rows;
}

/// Q8_K shapes: one block, odd block counts, 2B4T's hidden and FFN sizes.
constexpr RowsShape kQ8KRowsShapes[] = {
    {1, 256}, {3, 768}, {17, 2560}, {2, 6912}};

TEST_P(KernelConformanceTest, QuantizeRowsQ8KMatchesReference) {
  TestData data(21);
  std::vector<Activations> inputs;
  for (const RowsShape &shape : kQ8KRowsShapes)
    inputs.push_back(data.activations(shape.tokens, shape.features));
  // A block whose extremes tie in magnitude (the first, negative, wins),
  // products on halves, and a block of zeros.
  Activations crafted({1, 2 * reference::kQ8KBlock});
  crafted.fill(0.0f);
  const float head[] = {-127.0f, 127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -2.5f};
  std::copy(std::begin(head), std::end(head), crafted.begin());
  inputs.push_back(crafted);

  for (const Activations &x : inputs) {
    SCOPED_TRACE(::testing::Message() << x.shape(0) << "x" << x.shape(1));
    const Q8KRows expected = quantizeQ8KLikeReference(x);
    Q8KRows rows{std::vector<int8_t>(x.size()),
                 std::vector<float>(expected.blockScales.size())};
    kernels().quantize_rows_q8k(x.data(), x.shape(0), x.shape(1),
                                rows.q.data(), rows.blockScales.data());
    EXPECT_TRUE(sameBits(rows.q.data(), expected.q.data(), rows.q.size()));
    EXPECT_TRUE(sameBits(rows.blockScales.data(), expected.blockScales.data(),
                         rows.blockScales.size()));
  }
}

TEST_P(KernelConformanceTest, RmsNormQuantizeQ8KMatchesNormThenQuantize) {
  TestData data(22);
  for (const RowsShape &shape : kQ8KRowsShapes) {
    SCOPED_TRACE(::testing::Message() << shape.tokens << "x" << shape.features);
    const Activations x = data.activations(shape.tokens, shape.features);
    std::vector<float> gamma(shape.features);
    for (float &g : gamma)
      g = data.uniform(2.0f);
    const Q8KRows expected =
        quantizeQ8KLikeReference(reference::rmsNorm(x, gamma, 1e-5f));
    Q8KRows rows{std::vector<int8_t>(x.size()),
                 std::vector<float>(expected.blockScales.size())};
    kernels().rms_norm_quantize_q8k(x.data(), gamma.data(), shape.tokens,
                                    shape.features, 1e-5f, rows.q.data(),
                                    rows.blockScales.data());
    EXPECT_TRUE(sameBits(rows.q.data(), expected.q.data(), rows.q.size()));
    EXPECT_TRUE(sameBits(rows.blockScales.data(), expected.blockScales.data(),
                         rows.blockScales.size()));
  }
}

TEST_P(KernelConformanceTest, BitLinearQ8KMatchesReference) {
  // One block, odd block counts and row counts, several tokens, 2B4T's k/v
  // projection and a slice of ffn_down's long rows; interleaved layouts:
  // a last partial group (83 rows) and tiles that straddle groups.
  const MatmulShape shapes[] = {
      {1, 256, 1},     {3, 256, 3},    {17, 512, 7},  {5, 768, 9},
      {17, 2560, 640}, {1, 6912, 40},  {37, 2560, 83}, {1, 512, 83},
      {2, 512, 24}};
  TestData data(23);
  for (const MatmulShape &shape : shapes) {
    SCOPED_TRACE(describe(shape));
    const TernaryMatmulCase c =
        makeTernaryMatmulCase(data, shape, kernels().i2s_row_interleave);
    ASSERT_FALSE(c.matrix.bytes.empty());
    const Q8KRows quantized = quantizeQ8KLikeReference(c.x);
    expectRowSlicesMatch(
        [&](int64_t begin, int64_t end, float *y) {
          kernels().bitlinear_i2s_q8k(
              quantized.q.data(), quantized.blockScales.data(),
              c.laidOut.data() + begin * shape.in / 4, shape.tokens, shape.in,
              end - begin, c.matrix.scale, y + begin, shape.out);
        },
        reference::bitLinearQ8K(c.x, c.trits, c.matrix.scale),
        kernels().i2s_row_interleave);
  }
}

TEST_P(KernelConformanceTest, BitLinearSumsTheLongestRowsExactly) {
  // Rows of 2^23 trits, all +1 in even rows and alternating in odd ones
  // (eight rows: one whole group of an interleaved layout), by
  // activations that all quantize to 127: the exact sum (2^23 * 127) is far
  // inside int32, but a kernel that keeps partial sums with place values
  // (x86-avx512's decode, up to 2^16 a block in one lane) must fold them
  // before they overflow.
  const int64_t in = int64_t(1) << 23, out = 8;
  reference::Trits trits({static_cast<size_t>(out), static_cast<size_t>(in)});
  for (int64_t r = 0; r < out; ++r)
    for (int64_t k = 0; k < in; ++k)
      trits(r, k) = r % 2 == 0 || k % 2 == 0 ? 1 : -1;
  const I2sMatrix matrix = encodeI2s(trits, 0.5f);
  ASSERT_FALSE(matrix.bytes.empty());
  const int64_t interleave = kernels().i2s_row_interleave;
  const std::vector<uint8_t> bytes =
      i2sLaidOut(matrix.bytes, out, in, interleave);
  const float weightScale = matrix.scale;
  const Activations x = xt::ones<float>({size_t(1), static_cast<size_t>(in)});
  const QuantizedRows quantized = quantizeWith(kernels(), x);
  ASSERT_EQ(quantized.q[0], 127);
  expectRowSlicesMatch(
      [&](int64_t begin, int64_t end, float *y) {
        kernels().bitlinear_i2s(quantized.q.data(), quantized.scales.data(),
                                bytes.data() + begin * in / 4, 1, in,
                                end - begin, weightScale, y + begin, out);
      },
      reference::bitLinear(x, trits, weightScale), interleave);
}

/// The signature shared by linear_f16 and linear_f32.
template <typename Element>
using LinearEntry = void (*)(const float *, const Element *, int64_t, int64_t,
                             int64_t, float *, int64_t, float *);

/// Runs `linear` on random Element weights against reference::linear at the
/// matching precision: any row length, odd row counts, and a slice of 2B4T's
/// LM head; each in one call and in two row slices.
/// The [rows][columns] matrix `rowMajor` laid out as KernelAbi.h's
/// f16_row_interleave = `interleave` says (padded to whole groups).
template <typename Element>
std::vector<Element> laidOut(const std::vector<Element> &rowMajor, int64_t rows,
                             int64_t columns, int64_t interleave) {
  if (interleave == 1)
    return rowMajor;
  const int64_t groups = (rows + interleave - 1) / interleave;
  std::vector<Element> out(groups * interleave * columns, Element{});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < columns; ++k)
      out[((r / interleave) * columns + k) * interleave + r % interleave] =
          rowMajor[r * columns + k];
  return out;
}

template <typename Element>
void expectLinearMatchesReference(LinearEntry<Element> linear, uint64_t seed,
                                  int64_t interleave) {
  const MatmulShape shapes[] = {
      {1, 128, 1}, {3, 5, 3}, {17, 64, 7}, {3, 200, 129}, {3, 2560, 640}};
  TestData data(seed);
  for (const MatmulShape &shape : shapes) {
    SCOPED_TRACE(describe(shape));
    const Activations x = data.activations(shape.tokens, shape.in);
    const std::vector<Element> weights =
        data.elements<Element>(shape.out * shape.in, 1.0f);
    reference::FloatMatrix matrix{
        xt::xtensor<float, 2>(
            {static_cast<size_t>(shape.out), static_cast<size_t>(shape.in)}),
        precisionOf<Element>()};
    for (size_t i = 0; i < weights.size(); ++i)
      matrix.values.data()[i] = widen(weights[i]);

    const std::vector<Element> packed =
        laidOut(weights, shape.out, shape.in, interleave);
    std::vector<float> scratch(shape.in);
    expectRowSlicesMatch(
        [&](int64_t begin, int64_t end, float *y) {
          linear(x.data(), packed.data() + begin * shape.in, shape.tokens,
                 shape.in, end - begin, y + begin, shape.out, scratch.data());
        },
        reference::linear(x, matrix), interleave);
  }
}

TEST_P(KernelConformanceTest, LinearF16MatchesReference) {
  expectLinearMatchesReference(kernels().linear_f16, 5,
                               kernels().f16_row_interleave);
}

TEST_P(KernelConformanceTest, LinearF32MatchesReference) {
  expectLinearMatchesReference(kernels().linear_f32, 11, 1);
}

/// The signature shared by embed_f16 and embed_f32.
template <typename Element>
using EmbedEntry = void (*)(const Element *, const int32_t *, int64_t, int64_t,
                            float *);

/// Looks up random ids (the first and last row among them) in a random
/// Element table with `embed` for several token counts, and checks that each
/// output row is its table row as f32.
template <typename Element>
void expectEmbedCopiesTableRows(EmbedEntry<Element> embed, uint64_t seed,
                                int64_t interleave) {
  constexpr int64_t kVocab = 50, kFeatures = 2560;
  TestData data(seed);
  const std::vector<Element> table =
      data.elements<Element>(kVocab * kFeatures, 1.0f);
  for (int64_t tokens : {1, 3, 17}) {
    SCOPED_TRACE(::testing::Message() << tokens << " tokens");
    const std::vector<int32_t> ids = data.tokenIds(tokens, kVocab);
    Activations expected(
        {static_cast<size_t>(tokens), static_cast<size_t>(kFeatures)});
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t i = 0; i < kFeatures; ++i)
        expected(t, i) = widen(table[ids[t] * kFeatures + i]);

    std::vector<float> y(expected.size());
    embed(laidOut(table, kVocab, kFeatures, interleave).data(), ids.data(),
          tokens, kFeatures, y.data());
    EXPECT_TRUE(sameBits(y, expected));
  }
}

TEST_P(KernelConformanceTest, EmbedF16CopiesTableRows) {
  expectEmbedCopiesTableRows(kernels().embed_f16, 6,
                             kernels().f16_row_interleave);
}

TEST_P(KernelConformanceTest, EmbedF32CopiesTableRows) {
  expectEmbedCopiesTableRows(kernels().embed_f32, 12, 1);
}

/// A [rows, columns] weight uniform in [-1, 1) with an all-zero row (scale
/// 0) and a row of one repeated extreme, quantized by the reference.
reference::RowScaledMatrix rowScaledWeight(TestData &data, int64_t rows,
                                           int64_t columns) {
  std::vector<float> values(rows * columns);
  for (float &value : values)
    value = data.uniform(1.0f);
  if (rows > 2) {
    std::fill_n(values.begin(), columns, 0.0f);
    std::fill_n(values.begin() + columns, columns, -3.0f);
  }
  Expected<reference::RowScaledMatrix> matrix =
      reference::quantizeRows(values.data(), rows, columns);
  EXPECT_TRUE(static_cast<bool>(matrix));
  return matrix.take();
}

TEST_P(KernelConformanceTest, LinearI8MatchesReference) {
  // Any row length (SIMD tails), odd row counts, token tiles and tails, and
  // a slice of 2B4T's LM head.
  const MatmulShape shapes[] = {{1, 1, 1},     {3, 5, 3},   {17, 64, 7},
                                {5, 200, 129}, {2, 97, 33}, {3, 2560, 640},
                                {1, 2560, 67}};
  TestData data(13);
  for (const MatmulShape &shape : shapes) {
    SCOPED_TRACE(describe(shape));
    const Activations x = data.activations(shape.tokens, shape.in);
    const reference::RowScaledMatrix weight =
        rowScaledWeight(data, shape.out, shape.in);
    const QuantizedRows quantized = quantizeWith(kernels(), x);
    expectRowSlicesMatch(
        [&](int64_t begin, int64_t end, float *y) {
          kernels().linear_i8(quantized.q.data(), quantized.scales.data(),
                              weight.values.data() + begin * shape.in,
                              weight.scales.data() + begin, shape.tokens,
                              shape.in, end - begin, y + begin, shape.out);
        },
        reference::linearRowScaled(x, weight));
  }
}

TEST_P(KernelConformanceTest, LinearI8IsExactAtTheExtremes) {
  // The largest products the ABI allows (|q| = 128, |W| = 127) over a long
  // row: SIMD schemes that bias or take signs must neither saturate nor
  // overflow. The sums are known in closed form.
  constexpr int64_t kIn = 6912, kRows = 4;
  std::vector<int8_t> q(2 * kIn), weights(kRows * kIn);
  for (int64_t k = 0; k < kIn; ++k) {
    q[k] = -128;                                    // token 0
    q[kIn + k] = k % 2 == 0 ? 127 : -128;           // token 1
    weights[k] = -127;                              // row 0
    weights[kIn + k] = 127;                         // row 1
    weights[2 * kIn + k] = k % 2 == 0 ? 127 : -127; // row 2
    weights[3 * kIn + k] = 0;                       // row 3
  }
  const float scales[] = {1.0f, 1.0f}, rowScales[] = {1.0f, 1.0f, 1.0f, 1.0f};
  std::vector<float> y(2 * kRows);
  kernels().linear_i8(q.data(), scales, weights.data(), rowScales, 2, kIn,
                      kRows, y.data(), kRows);
  const float half = static_cast<float>(kIn / 2);
  const std::vector<float> expected = {128.0f * 127 * kIn,
                                       -128.0f * 127 * kIn,
                                       0.0f,
                                       0.0f,
                                       (128.0f - 127) * 127 * half,
                                       (127.0f - 128) * 127 * half,
                                       127.0f * 127 * half +
                                           128.0f * 127 * half,
                                       0.0f};
  EXPECT_TRUE(sameBits(y.data(), expected.data(), y.size()));
}

TEST_P(KernelConformanceTest, EmbedI8ScalesTableRows) {
  constexpr int64_t kVocab = 50, kFeatures = 2560;
  TestData data(14);
  const reference::RowScaledMatrix table =
      rowScaledWeight(data, kVocab, kFeatures);
  for (int64_t tokens : {1, 3, 17}) {
    SCOPED_TRACE(::testing::Message() << tokens << " tokens");
    const std::vector<int32_t> ids = data.tokenIds(tokens, kVocab);
    Activations expected(
        {static_cast<size_t>(tokens), static_cast<size_t>(kFeatures)});
    for (int64_t t = 0; t < tokens; ++t) {
      const std::vector<float> row = reference::dequantizeRow(table, ids[t]);
      std::copy(row.begin(), row.end(), &expected(t, 0));
    }
    std::vector<float> y(expected.size());
    kernels().embed_i8(table.values.data(), table.scales.data(), ids.data(),
                       tokens, kFeatures, y.data());
    EXPECT_TRUE(sameBits(y, expected));
  }
}

/// A 4-bit weight quantized by the reference and its rows packed as
/// Q4Layout.h says.
struct Q4Weight {
  reference::Q4Matrix matrix;
  std::vector<uint8_t> packed;
};

/// A [rows, columns] weight uniform in [-1, 1) with groups of very
/// different magnitudes (sub-scales from 0 to 255), an all-zero row and a
/// row of one repeated extreme, quantized and packed.
Q4Weight q4Weight(TestData &data, int64_t rows, int64_t columns) {
  std::vector<float> values(rows * columns);
  const float magnitudes[] = {1.0f, 0.01f, 1e-4f};
  for (int64_t i = 0; i < rows * columns; ++i)
    values[i] = data.uniform(magnitudes[i / backends::kQ4Group % 3]);
  if (rows > 2) {
    std::fill_n(values.begin(), columns, 0.0f);
    std::fill_n(values.begin() + columns, columns, -3.0f);
  }
  Expected<reference::Q4Matrix> matrix =
      reference::quantizeRowsQ4(values.data(), rows, columns);
  EXPECT_TRUE(static_cast<bool>(matrix));
  Q4Weight weight{matrix.take(), {}};
  const int64_t rowBytes = backends::q4RowBytes(columns);
  weight.packed.resize(rows * rowBytes);
  for (int64_t r = 0; r < rows; ++r)
    backends::packQ4Row(&weight.matrix.values(r, 0),
                        &weight.matrix.groupScales(r, 0), columns,
                        weight.packed.data() + r * rowBytes);
  return weight;
}

TEST_P(KernelConformanceTest, LinearQ4MatchesReference) {
  // Even and odd group counts (a lone last group), sub-scale chunks and
  // their tails, odd row counts and row tiles, many rows split in two as
  // threads would, 2B4T's LM head rows and the longest row.
  const MatmulShape shapes[] = {{1, 32, 1},    {3, 96, 5},     {17, 64, 7},
                                {5, 288, 129}, {2, 544, 33},   {3, 2560, 640},
                                {1, 2560, 67}, {1, 256, 1001}, {2, 8192, 9},
                                {4, 8160, 3}};
  TestData data(15);
  for (const MatmulShape &shape : shapes) {
    SCOPED_TRACE(describe(shape));
    const Activations x = data.activations(shape.tokens, shape.in);
    const Q4Weight weight = q4Weight(data, shape.out, shape.in);
    const QuantizedRows quantized = quantizeWith(kernels(), x);
    const int64_t rowBytes = backends::q4RowBytes(shape.in);
    expectRowSlicesMatch(
        [&](int64_t begin, int64_t end, float *y) {
          kernels().linear_q4(quantized.q.data(), quantized.scales.data(),
                              weight.packed.data() + begin * rowBytes,
                              weight.matrix.scales.data() + begin, shape.tokens,
                              shape.in, end - begin, y + begin, shape.out);
        },
        reference::linearQ4(x, weight.matrix));
  }
}

TEST_P(KernelConformanceTest, LinearQ4IsExactAtTheInt32Bound) {
  // The largest products the ABI allows (|q| = 128, w = -8, s_g = 255) over
  // the longest row: 8192 * 1024 * 255 = 2139095040, just under 2^31. The
  // sums are known in closed form (and exact as floats).
  constexpr int64_t kIn = backends::kQ4MaxIn, kRows = 4;
  const int64_t rowBytes = backends::q4RowBytes(kIn);
  std::vector<int8_t> q(2 * kIn);
  std::vector<uint8_t> weights(kRows * rowBytes);
  for (int64_t k = 0; k < kIn; ++k) {
    q[k] = -128;                          // token 0
    q[kIn + k] = k % 2 == 0 ? 127 : -128; // token 1
  }
  for (int64_t i = 0; i < kIn / 2; ++i) {
    weights[i] = 0x00;                        // row 0: w = -8
    weights[rowBytes + i] = 0xFF;             // row 1: w = 7
    weights[2 * rowBytes + i] = i % 2 ? 0x00  // row 2: 7 at even columns,
                                      : 0xFF; // -8 at odd ones
    weights[3 * rowBytes + i] = 0x5A;         // row 3: sub-scales 0
  }
  for (int64_t r = 0; r < kRows; ++r)
    std::fill_n(weights.begin() + r * rowBytes + kIn / 2, kIn / 32,
                r == 3 ? 0 : 255);
  const float scales[] = {1.0f, 1.0f}, rowScales[] = {1.0f, 1.0f, 1.0f, 1.0f};
  std::vector<float> y(2 * kRows);
  kernels().linear_q4(q.data(), scales, weights.data(), rowScales, 2, kIn,
                      kRows, y.data(), kRows);
  const double half = kIn / 2, s = 255;
  const std::vector<float> expected = {
      static_cast<float>(s * 1024 * kIn),
      static_cast<float>(s * -896 * kIn),
      static_cast<float>(s * (-896 + 1024) * half),
      0.0f,
      static_cast<float>(s * (-8 * 127 + 1024) * half),
      static_cast<float>(s * (7 * 127 - 896) * half),
      static_cast<float>(s * (7 * 127 + 1024) * half),
      0.0f};
  EXPECT_EQ(s * 1024 * kIn, 2139095040.0);
  EXPECT_TRUE(sameBits(y.data(), expected.data(), y.size()));
}

TEST_P(KernelConformanceTest, EmbedQ4ScalesTableRows) {
  constexpr int64_t kVocab = 50, kFeatures = 2592; // 81 groups
  TestData data(16);
  const Q4Weight table = q4Weight(data, kVocab, kFeatures);
  for (int64_t tokens : {1, 3, 17}) {
    SCOPED_TRACE(::testing::Message() << tokens << " tokens");
    const std::vector<int32_t> ids = data.tokenIds(tokens, kVocab);
    Activations expected(
        {static_cast<size_t>(tokens), static_cast<size_t>(kFeatures)});
    for (int64_t t = 0; t < tokens; ++t) {
      const std::vector<float> row =
          reference::dequantizeRow(table.matrix, ids[t]);
      std::copy(row.begin(), row.end(), &expected(t, 0));
    }
    std::vector<float> y(expected.size());
    kernels().embed_q4(table.packed.data(), table.matrix.scales.data(),
                       ids.data(), tokens, kFeatures, y.data());
    EXPECT_TRUE(sameBits(y, expected));
  }
}

TEST_P(KernelConformanceTest, RopeMatchesReference) {
  struct RopeCase {
    int64_t headDim, rotatedDims;
    float base;
  };
  // 2B4T's heads, and Llama-style partial rotation with another base.
  const RopeCase cases[] = {{128, 128, 500000.0f}, {64, 32, 10000.0f}};
  TestData data(7);
  for (const RopeCase &rope : cases)
    for (bool neox : {true, false})
      for (int64_t position : {0, 4090})
        for (int64_t tokens : {1, 3, 17}) {
          SCOPED_TRACE(::testing::Message()
                       << (neox ? "neox" : "norm") << ", head " << rope.headDim
                       << ", dims " << rope.rotatedDims << ", position "
                       << position << ", " << tokens << " tokens");
          const int64_t features = 3 * rope.headDim;
          const Activations x = data.activations(tokens, features);
          std::vector<float> y(x.begin(), x.end());
          (neox ? kernels().rope_neox_f32 : kernels().rope_norm_f32)(
              y.data(), tokens, features, rope.headDim, rope.rotatedDims,
              position, rope.base);
          EXPECT_TRUE(
              sameBits(y, reference::rope(x, position, neox, rope.base,
                                          rope.rotatedDims, rope.headDim)));
        }
}

/// A conformance shape of attention's heads.
struct AttentionShape {
  int64_t heads, kvHeads, headDim;
};

/// One call of a sequence: `tokens` rows of which the first `validTokens`
/// are real, at `position`.
struct AttentionStep {
  int64_t position, tokens, validTokens;
};

/// Layers and capacity of the test caches, and the layer under test.
constexpr int64_t kCacheLayers = 2, kCacheCapacity = 16, kCacheLayer = 1;

/// A prefill chunk with padding, a decode step, a full chunk and another
/// decode step: the cache fills up to its capacity.
constexpr AttentionStep kAttentionSteps[] = {
    {0, 8, 5}, {5, 1, 1}, {6, 8, 8}, {14, 1, 1}};

/// The signature shared by attention_f16_cache and attention_f32_cache.
template <typename Element>
using AttentionEntry = void (*)(const float *, const float *, const float *,
                                int64_t, int64_t, int64_t, int64_t, int64_t,
                                int64_t, int64_t, int64_t, Element *, Element *,
                                float *, float *);

/// Runs kAttentionSteps through `attention` and the reference with the same
/// inputs, checking each step's output and the whole cache (every layer and
/// position) after it.
template <typename Element>
void expectAttentionSequenceMatches(AttentionEntry<Element> attention,
                                    const AttentionShape &shape,
                                    TestData &data) {
  constexpr bool kF16 = std::is_same_v<Element, uint16_t>;
  const int64_t width = shape.heads * shape.headDim;
  const int64_t kvWidth = shape.kvHeads * shape.headDim;
  const int64_t layerSize = kCacheCapacity * kvWidth;
  reference::KVCache expectedCache(kCacheLayers, kCacheCapacity, shape.kvHeads,
                                   shape.headDim, kF16);
  std::vector<Element> keys(kCacheLayers * layerSize);
  std::vector<Element> values(keys.size());

  int64_t stepIndex = 0;
  for (const AttentionStep &step : kAttentionSteps) {
    SCOPED_TRACE(::testing::Message()
                 << "position " << step.position << ", " << step.validTokens
                 << " of " << step.tokens << " tokens");
    const Activations q = data.activations(step.tokens, width, 1.0f);
    const Activations k = data.activations(step.tokens, kvWidth, 1.0f);
    const Activations v = data.activations(step.tokens, kvWidth, 1.0f);
    const Activations expected =
        reference::attention(q, k, v, expectedCache, kCacheLayer, step.position,
                             step.validTokens, shape.headDim);

    // Padding rows must come back zero, not as whatever was there.
    std::vector<float> out(q.size(), 12345.0f);
    std::vector<float> scratch(shape.headDim + step.position +
                               step.validTokens);
    // Every other step runs one call per KV head (as threads would): the
    // result must not depend on the split.
    const int64_t split = ++stepIndex % 2 == 0 ? 1 : shape.kvHeads;
    for (int64_t begin = 0; begin < shape.kvHeads; begin += split)
      attention(q.data(), k.data(), v.data(), step.tokens, step.validTokens,
                step.position, shape.heads, shape.kvHeads, shape.headDim, begin,
                begin + split, keys.data() + kCacheLayer * layerSize,
                values.data() + kCacheLayer * layerSize, out.data(),
                scratch.data());
    EXPECT_TRUE(sameBits(out, expected))
        << "output, KV heads in calls of " << split;

    std::vector<float> storedKeys, storedValues, expectedKeys, expectedValues;
    for (int64_t layer = 0; layer < kCacheLayers; ++layer)
      for (int64_t position = 0; position < kCacheCapacity; ++position)
        for (int64_t i = 0; i < kvWidth; ++i) {
          const size_t index = layer * layerSize + position * kvWidth + i;
          storedKeys.push_back(widen(keys[index]));
          storedValues.push_back(widen(values[index]));
          expectedKeys.push_back(expectedCache.key(layer, position, i));
          expectedValues.push_back(expectedCache.value(layer, position, i));
        }
    EXPECT_TRUE(
        sameBits(storedKeys.data(), expectedKeys.data(), storedKeys.size()))
        << "cached keys";
    EXPECT_TRUE(sameBits(storedValues.data(), expectedValues.data(),
                         storedValues.size()))
        << "cached values";
  }
}

/// Grouped queries (4 heads reading 2 KV heads), one KV head per query head,
/// 2B4T's heads (20 reading 5, 128 features each), and 3 or 5 heads per KV
/// head (an odd group, or more than SIMD kernels attend at once) with
/// feature counts that are no multiple of a vector (13) or below one (7).
constexpr AttentionShape kAttentionShapes[] = {
    {4, 2, 32}, {2, 2, 16}, {20, 5, 128}, {6, 2, 13}, {10, 2, 7}};

/// expectAttentionSequenceMatches on each of kAttentionShapes.
template <typename Element>
void expectAttentionMatchesReference(AttentionEntry<Element> attention) {
  TestData data(8);
  for (const AttentionShape &shape : kAttentionShapes) {
    SCOPED_TRACE(::testing::Message()
                 << shape.heads << " heads, " << shape.kvHeads
                 << " kv heads of " << shape.headDim);
    expectAttentionSequenceMatches(attention, shape, data);
  }
}

TEST_P(KernelConformanceTest, AttentionWithF16CacheMatchesReference) {
  expectAttentionMatchesReference(kernels().attention_f16_cache);
}

TEST_P(KernelConformanceTest, AttentionWithF32CacheMatchesReference) {
  expectAttentionMatchesReference(kernels().attention_f32_cache);
}

TEST_P(KernelConformanceTest, AttentionMayWriteOverItsQueries) {
  const AttentionShape shape = kAttentionShapes[0];
  const int64_t tokens = 5, width = shape.heads * shape.headDim;
  const int64_t kvWidth = shape.kvHeads * shape.headDim;
  TestData data(9);
  const Activations q = data.activations(tokens, width, 1.0f);
  const Activations k = data.activations(tokens, kvWidth, 1.0f);
  const Activations v = data.activations(tokens, kvWidth, 1.0f);
  std::vector<float> scratch(shape.headDim + tokens);

  // Two fresh caches, so that both calls see the same history.
  auto run = [&](float *out, const float *query) {
    std::vector<uint16_t> keys(kCacheCapacity * kvWidth), values(keys.size());
    kernels().attention_f16_cache(query, k.data(), v.data(), tokens, tokens, 0,
                                  shape.heads, shape.kvHeads, shape.headDim, 0,
                                  shape.kvHeads, keys.data(), values.data(),
                                  out, scratch.data());
  };
  std::vector<float> separate(q.size());
  run(separate.data(), q.data());
  std::vector<float> inPlace(q.begin(), q.end());
  run(inPlace.data(), inPlace.data());
  EXPECT_TRUE(sameBits(inPlace.data(), separate.data(), separate.size()));
}

TEST_P(KernelConformanceTest, AttentionOverALongContextMatchesReference) {
  // Decode steps at 4096 to 12289 keys, where SIMD kernels may run out of
  // the stack space for the scores of several heads at once and attend
  // fewer together. The cache is filled directly, not by prefill calls.
  const AttentionShape shape = {8, 2, 16};
  constexpr int64_t kCapacity = 12289;
  const int64_t width = shape.heads * shape.headDim;
  const int64_t kvWidth = shape.kvHeads * shape.headDim;
  TestData data(10);
  reference::KVCache expectedCache(1, kCapacity, shape.kvHeads, shape.headDim,
                                   true);
  std::vector<uint16_t> keys(kCapacity * kvWidth), values(keys.size());
  for (int64_t position = 0; position < kCapacity; ++position) {
    const Activations k = data.activations(1, kvWidth, 1.0f);
    const Activations v = data.activations(1, kvWidth, 1.0f);
    expectedCache.store(0, position, k.data(), v.data());
    for (int64_t i = 0; i < kvWidth; ++i) {
      keys[position * kvWidth + i] = floatToHalf(k[i]);
      values[position * kvWidth + i] = floatToHalf(v[i]);
    }
  }
  for (int64_t position : {4095, 4096, 6144, 12288}) {
    SCOPED_TRACE(::testing::Message() << "position " << position);
    const Activations q = data.activations(1, width, 1.0f);
    const Activations k = data.activations(1, kvWidth, 1.0f);
    const Activations v = data.activations(1, kvWidth, 1.0f);
    const Activations expected = reference::attention(
        q, k, v, expectedCache, 0, position, 1, shape.headDim);
    std::vector<float> out(width);
    std::vector<float> scratch(shape.headDim + position + 1);
    kernels().attention_f16_cache(q.data(), k.data(), v.data(), 1, 1, position,
                                  shape.heads, shape.kvHeads, shape.headDim, 0,
                                  shape.kvHeads, keys.data(), values.data(),
                                  out.data(), scratch.data());
    EXPECT_TRUE(sameBits(out, expected));
  }
}

/// The signature shared by relu2_f32 and silu_f32.
using UnaryEntry = void (*)(const float *, int64_t, float *);

/// Checks `entry` (called `name`) on x against `expected`, writing to a
/// separate output and over x.
void expectUnaryMatches(const char *name, UnaryEntry entry,
                        const Activations &x, const Activations &expected) {
  SCOPED_TRACE(name);
  const int64_t count = static_cast<int64_t>(x.size());
  std::vector<float> y(x.size());
  entry(x.data(), count, y.data());
  EXPECT_TRUE(sameBits(y, expected)) << "into a separate output";
  std::vector<float> inPlace(x.begin(), x.end());
  entry(inPlace.data(), count, inPlace.data());
  EXPECT_TRUE(sameBits(inPlace, expected)) << "in place";
}

/// The signature shared by add_f32, mul_f32, relu2_mul_f32 and silu_mul_f32.
using ElementwiseEntry = void (*)(const float *, const float *, int64_t,
                                  float *);

/// Checks `entry` (called `name`) on a and b against `expected`, writing to
/// a separate output and over each operand.
void expectElementwiseMatches(const char *name, ElementwiseEntry entry,
                              const Activations &a, const Activations &b,
                              const Activations &expected) {
  SCOPED_TRACE(name);
  const int64_t count = static_cast<int64_t>(a.size());
  std::vector<float> y(a.size());
  entry(a.data(), b.data(), count, y.data());
  EXPECT_TRUE(sameBits(y, expected)) << "into a separate output";
  std::vector<float> overA(a.begin(), a.end());
  entry(overA.data(), b.data(), count, overA.data());
  EXPECT_TRUE(sameBits(overA, expected)) << "over the first operand";
  std::vector<float> overB(b.begin(), b.end());
  entry(a.data(), overB.data(), count, overB.data());
  EXPECT_TRUE(sameBits(overB, expected)) << "over the second operand";
}

TEST_P(KernelConformanceTest, ElementwiseMatchesReference) {
  TestData data(10);
  for (const RowsShape &shape : kRowsShapes) {
    SCOPED_TRACE(::testing::Message() << shape.tokens << "x" << shape.features);
    Activations a = data.activations(shape.tokens, shape.features, 8.0f);
    const Activations b = data.activations(shape.tokens, shape.features, 8.0f);
    // Signed zeros, gates whose exp(-g) overflows or vanishes, and a NaN
    // (max(NaN, 0) is 0: NaN > 0 is false), spread over a.
    const float special[] = {0.0f, -0.0f, -100.0f, 100.0f, -20.0f, 1e-30f, NAN};
    for (size_t i = 0; i < std::size(special); ++i)
      a.data()[i * a.size() / std::size(special)] = special[i];

    expectElementwiseMatches("add_f32", kernels().add_f32, a, b,
                             reference::add(a, b));
    expectElementwiseMatches("mul_f32", kernels().mul_f32, a, b,
                             reference::mul(a, b));
    expectUnaryMatches("relu2_f32", kernels().relu2_f32, a,
                       reference::relu2(a));
    expectUnaryMatches("silu_f32", kernels().silu_f32, a, reference::silu(a));
    expectElementwiseMatches("relu2_mul_f32", kernels().relu2_mul_f32, a, b,
                             reference::mul(reference::relu2(a), b));
    expectElementwiseMatches("silu_mul_f32", kernels().silu_mul_f32, a, b,
                             reference::mul(reference::silu(a), b));
  }
}

} // namespace
