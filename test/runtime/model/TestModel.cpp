//===- TestModel.cpp - A compiled model written by hand, for tests --------===//

#include "test/runtime/model/TestModel.h"

#include "backends/generic/GenericKernels.h"
#include "compiler/model/Architecture.h"
#include "compiler/model/SyntheticModel.h"
#include "runtime/support/MappedFile.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace ternc::test {

/// Offsets (from the start of the packed file) and shapes: what the
/// compiler would build into the code.
struct TestModel::Layout {
  struct Layer {
    uint64_t attnNorm, attnQ, attnK, attnV, attnSubNorm, attnOutput;
    uint64_t ffnNorm, ffnGate, ffnUp, ffnSubNorm, ffnDown;
  };
  int64_t embd = 0, ffn = 0, heads = 0, kvHeads = 0, headDim = 0, vocab = 0;
  int64_t ropeDims = 0;
  float epsilon = 0, ropeBase = 0;
  int64_t chunk = 0;
  uint64_t tokenEmbd = 0, outputNorm = 0;
  std::vector<Layer> layers;
};

namespace {

const TestModel::Layout *currentLayout = nullptr;

/// Activation buffers of `tokens` tokens, at 64-byte aligned arena offsets.
struct Arena {
  uint64_t x, q8, scales, q, qRoped, k, v, attention, projected, gate, up,
      normed, bytes;

  Arena(const TestModel::Layout &l, int64_t tokens) {
    uint64_t offset = 0;
    auto take = [&](uint64_t size) {
      uint64_t at = offset;
      offset += (size + 63) / 64 * 64;
      return at;
    };
    uint64_t t = static_cast<uint64_t>(tokens);
    uint64_t e = static_cast<uint64_t>(l.embd), f = static_cast<uint64_t>(l.ffn);
    uint64_t kv = static_cast<uint64_t>(l.kvHeads * l.headDim);
    x = take(t * e * 4);
    q8 = take(t * std::max(e, f));
    scales = take(t * 4);
    q = take(t * e * 4);
    qRoped = take(t * e * 4);
    k = take(t * kv * 4);
    v = take(t * kv * 4);
    attention = take(t * e * 4);
    projected = take(t * e * 4);
    gate = take(t * f * 4);
    up = take(t * f * 4);
    normed = take(t * e * 4);
    bytes = offset;
  }
};

/// The model's forward pass on the `tokens` tokens of `step`.
void runModel(const TernStep *step, int64_t tokens) {
  const TestModel::Layout &l = *currentLayout;
  Arena a(l, tokens);
  TernExec *exec = step->exec;
  const uint8_t *w = step->weights;
  uint8_t *arena = step->arena;
  auto f32 = [&](uint64_t offset) {
    return reinterpret_cast<float *>(arena + offset);
  };
  auto weightF32 = [&](uint64_t offset) {
    return reinterpret_cast<const float *>(w + offset);
  };
  int8_t *q8 = reinterpret_cast<int8_t *>(arena + a.q8);
  float *scales = f32(a.scales);
  // y = x W^T for the I2_S weight at `offset` ([rows][in]), x quantized.
  auto bitlinear = [&](uint64_t offset, int64_t in, int64_t rows, float *y) {
    float scale;
    std::memcpy(&scale, w + offset + rows * in / 4, sizeof(float));
    TernBitLinearPart part{w + offset, rows, scale, y};
    tern_exec_bitlinear_i2s(exec, q8, scales, tokens, in, 1, &part);
  };
  const int64_t e = l.embd, kv = l.kvHeads * l.headDim;

  float *x = f32(a.x);
  tern_exec_embed_f16(exec,
                      reinterpret_cast<const uint16_t *>(w + l.tokenEmbd),
                      step->tokens, tokens, e, x);
  for (size_t layer = 0; layer < l.layers.size(); ++layer) {
    const TestModel::Layout::Layer &L = l.layers[layer];
    tern_exec_rms_norm_quantize_i8(exec, x, weightF32(L.attnNorm), tokens, e,
                                   l.epsilon, q8, scales);
    bitlinear(L.attnQ, e, e, f32(a.q));
    bitlinear(L.attnK, e, kv, f32(a.k));
    bitlinear(L.attnV, e, kv, f32(a.v));
    tern_exec_rope_neox_f32(exec, f32(a.q), f32(a.qRoped), tokens, e,
                            l.headDim, l.ropeDims, step->position, l.ropeBase);
    tern_exec_rope_neox_f32(exec, f32(a.k), f32(a.k), tokens, kv, l.headDim,
                            l.ropeDims, step->position, l.ropeBase);
    tern_exec_attention(exec, f32(a.qRoped), f32(a.k), f32(a.v), tokens,
                        step->valid_tokens, step->position, l.heads,
                        l.kvHeads, l.headDim, static_cast<int64_t>(layer),
                        f32(a.attention));
    tern_exec_rms_norm_quantize_i8(exec, f32(a.attention),
                                   weightF32(L.attnSubNorm), tokens, e,
                                   l.epsilon, q8, scales);
    bitlinear(L.attnOutput, e, e, f32(a.projected));
    tern_exec_add_f32(exec, x, f32(a.projected), tokens * e, x);

    tern_exec_rms_norm_quantize_i8(exec, x, weightF32(L.ffnNorm), tokens, e,
                                   l.epsilon, q8, scales);
    bitlinear(L.ffnGate, e, l.ffn, f32(a.gate));
    bitlinear(L.ffnUp, e, l.ffn, f32(a.up));
    tern_exec_relu2_mul_f32(exec, f32(a.gate), f32(a.up), tokens * l.ffn,
                            f32(a.gate));
    tern_exec_rms_norm_quantize_i8(exec, f32(a.gate), weightF32(L.ffnSubNorm),
                                   tokens, l.ffn, l.epsilon, q8, scales);
    bitlinear(L.ffnDown, l.ffn, e, f32(a.projected));
    tern_exec_add_f32(exec, x, f32(a.projected), tokens * e, x);
  }
  tern_exec_rms_norm_f32(exec, x, weightF32(l.outputNorm), tokens, e,
                         l.epsilon, f32(a.normed));
  tern_exec_linear_f16(exec, f32(a.normed),
                       reinterpret_cast<const uint16_t *>(w + l.tokenEmbd),
                       tokens, e, l.vocab, step->logits, l.vocab);
}

void testDecode(const TernStep *step) { runModel(step, 1); }
void testPrefill(const TernStep *step) {
  runModel(step, currentLayout->chunk);
}
const TernKernels *testKernels() { return ternGenericKernels(); }

} // namespace

TestModel::TestModel(const TestModelOptions &options) : options_(options) {
  static std::atomic<int> counter{0};
  std::string path = (std::filesystem::temp_directory_path() /
                      ("ternc-test-model-" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter++) + ".gguf"))
                         .string();
  Status written = model::writeSyntheticModel({}, path);
  if (!written.ok()) {
    ADD_FAILURE() << written.error().message();
    return;
  }
  {
    Expected<std::unique_ptr<MappedFile>> mapped = MappedFile::open(path);
    std::remove(path.c_str());
    if (!mapped) {
      ADD_FAILURE() << mapped.error().message();
      return;
    }
    ByteSpan source = (*mapped)->bytes();
    Expected<AnonymousMemory> copy =
        AnonymousMemory::allocate(source.size, false, "test model");
    if (!copy) {
      ADD_FAILURE() << copy.error().message();
      return;
    }
    std::memcpy(copy->data(), source.data, source.size);
    bytes_ = copy.take();
  }
  Expected<gguf::GgufFile> file =
      gguf::GgufFile::parse({bytes_.data(), bytes_.size()}, "test model");
  if (!file) {
    ADD_FAILURE() << file.error().message();
    return;
  }
  const model::Architecture *arch = model::findArchitecture("bitnet-b1.58");
  Expected<model::HyperParams> params = model::readHyperParams(*file, *arch);
  if (!params) {
    ADD_FAILURE() << params.error().message();
    return;
  }

  layout_ = std::make_unique<Layout>();
  Layout &l = *layout_;
  l.embd = static_cast<int64_t>(params->embeddingLength);
  l.ffn = static_cast<int64_t>(params->feedForwardLength);
  l.heads = static_cast<int64_t>(params->headCount);
  l.kvHeads = static_cast<int64_t>(params->headCountKv);
  l.headDim = static_cast<int64_t>(params->headDim());
  l.vocab = static_cast<int64_t>(params->vocabSize);
  l.ropeDims = static_cast<int64_t>(params->ropeDimensionCount);
  l.epsilon = params->rmsEpsilon;
  l.ropeBase = params->ropeFreqBase;
  l.chunk = options.prefillChunk;
  bool typesOk = true;
  auto offset = [&](const std::string &name, gguf::TensorType type) {
    const gguf::TensorInfo *tensor = file->findTensor(name);
    if (!tensor || tensor->type != type) {
      ADD_FAILURE() << name << " is missing or not of the expected type";
      typesOk = false;
      return uint64_t(0);
    }
    return tensor->offset;
  };
  using gguf::TensorType;
  l.tokenEmbd = offset("token_embd.weight", TensorType::F16);
  l.outputNorm = offset("output_norm.weight", TensorType::F32);
  for (uint64_t i = 0; i < params->blockCount; ++i) {
    std::string p = "blk." + std::to_string(i) + ".";
    Layout::Layer L;
    L.attnNorm = offset(p + "attn_norm.weight", TensorType::F32);
    L.attnQ = offset(p + "attn_q.weight", TensorType::I2_S);
    L.attnK = offset(p + "attn_k.weight", TensorType::I2_S);
    L.attnV = offset(p + "attn_v.weight", TensorType::I2_S);
    L.attnSubNorm = offset(p + "attn_sub_norm.weight", TensorType::F32);
    L.attnOutput = offset(p + "attn_output.weight", TensorType::I2_S);
    L.ffnNorm = offset(p + "ffn_norm.weight", TensorType::F32);
    L.ffnGate = offset(p + "ffn_gate.weight", TensorType::I2_S);
    L.ffnUp = offset(p + "ffn_up.weight", TensorType::I2_S);
    L.ffnSubNorm = offset(p + "ffn_sub_norm.weight", TensorType::F32);
    L.ffnDown = offset(p + "ffn_down.weight", TensorType::I2_S);
    l.layers.push_back(L);
  }
  if (!typesOk)
    return;

  info_.abi_version = TERN_MODEL_ABI_VERSION;
  info_.kernel_abi_version = TERN_KERNEL_ABI_VERSION;
  info_.vocab_size = l.vocab;
  info_.prefill_chunk = options.prefillChunk;
  info_.context_length = options.contextLength;
  info_.layers = static_cast<int64_t>(l.layers.size());
  info_.kv_heads = l.kvHeads;
  info_.head_dim = l.headDim;
  info_.kv_cache_f16 = options.f16Cache ? 1 : 0;
  info_.decode_arena_bytes = static_cast<int64_t>(Arena(l, 1).bytes);
  info_.prefill_arena_bytes =
      static_cast<int64_t>(Arena(l, options.prefillChunk).bytes);
  info_.linear_scratch_floats = l.embd;
  ok_ = true;
}

TestModel::~TestModel() {
  if (currentLayout == layout_.get())
    currentLayout = nullptr;
}

ModelDefinition TestModel::definition() const {
  currentLayout = layout_.get();
  ModelDefinition definition;
  definition.info = &info_;
  definition.gguf = {bytes_.data(), bytes_.size()};
  definition.kernels = &testKernels;
  definition.decode = &testDecode;
  definition.prefill = &testPrefill;
  return definition;
}

} // namespace ternc::test
