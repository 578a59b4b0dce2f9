//===- CompiledModel.cpp - A compiled model and its sessions --------------===//

#include "runtime/model/CompiledModel.h"

#include "runtime/model/Executor.h"

#include <algorithm>

namespace ternc {
namespace {

/// The name the packed file has in error messages.
constexpr const char *kPackedFileName = "the embedded model file";
/// The packed file's key naming the backend it was compiled for, when the
/// compiler writes it.
constexpr const char *kBackendKey = "ternc.backend";
/// The packed file's key saying how the ternary matmuls quantize their
/// activations (--numerics).
constexpr const char *kTernaryActivationsKey = "ternc.ternary_activations";

/// Checks that the sizes of `info` make sense.
Status checkInfo(const TernModelInfo &info) {
  struct Field {
    const char *name;
    int64_t value;
    int64_t minimum;
  };
  const Field fields[] = {
      {"vocab_size", info.vocab_size, 1},
      {"prefill_chunk", info.prefill_chunk, 1},
      {"context_length", info.context_length, 1},
      {"layers", info.layers, 1},
      {"kv_heads", info.kv_heads, 1},
      {"head_dim", info.head_dim, 1},
      {"kv_cache_f16", info.kv_cache_f16, 0},
      {"decode_arena_bytes", info.decode_arena_bytes, 0},
      {"prefill_arena_bytes", info.prefill_arena_bytes, 0},
      {"linear_scratch_floats", info.linear_scratch_floats, 0},
  };
  for (const Field &field : fields)
    if (field.value < field.minimum)
      return makeError("the model's description is invalid: "
                       "tern_model_info.{} is {} (it must be at least {})",
                       field.name, field.value, field.minimum);
  if (info.kv_cache_f16 > 1)
    return makeError("the model's description is invalid: "
                     "tern_model_info.kv_cache_f16 is {} (it must be 0 or 1)",
                     info.kv_cache_f16);
  uint64_t logits;
  if (__builtin_mul_overflow(static_cast<uint64_t>(info.prefill_chunk),
                             static_cast<uint64_t>(info.vocab_size), &logits) ||
      logits > (uint64_t(1) << 40))
    return makeError("the model's description is invalid: {} x {} logits per "
                     "prefill call are too many",
                     info.prefill_chunk, info.vocab_size);
  return Status::success();
}

} // namespace

//===----------------------------------------------------------------------===//
// CompiledModel
//===----------------------------------------------------------------------===//

Expected<std::unique_ptr<CompiledModel>>
CompiledModel::create(const ModelDefinition &definition,
                      const ModelOptions &options) {
  if (!definition.info)
    return makeError("the model definition has no description "
                     "(tern_model_info)");
  if (!definition.kernels || !definition.decode || !definition.prefill)
    return makeError("the model definition lacks its {} function",
                     !definition.kernels  ? "tern_model_kernels"
                     : !definition.decode ? "tern_model_decode"
                                          : "tern_model_prefill");
  const TernModelInfo &info = *definition.info;
  if (info.abi_version != TERN_MODEL_ABI_VERSION)
    return makeError("the model was compiled for model ABI version {}, but "
                     "this runtime implements version {}: compile it again "
                     "with a matching ternc",
                     info.abi_version, TERN_MODEL_ABI_VERSION);
  if (info.kernel_abi_version != TERN_KERNEL_ABI_VERSION)
    return makeError("the model was compiled for kernel ABI version {}, but "
                     "this runtime implements version {}: compile it again "
                     "with a matching ternc",
                     info.kernel_abi_version, TERN_KERNEL_ABI_VERSION);
  TERNC_RETURN_IF_ERROR(checkInfo(info));
  if ((!definition.gguf.data || definition.gguf.size == 0) &&
      definition.appendedTo.empty())
    return makeError("the model definition has no packed model file");

  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->definition_ = definition;
  model->info_ = info;
  // A CPU that cannot run the model only maps the file, to name the
  // backend: nothing is copied or read but the metadata.
  const TernKernels *kernels = definition.kernels();
  WeightsOptions weightsOptions = options.weights;
  if (!kernels)
    weightsOptions = {WeightsPlacement::Mapped, /*lock=*/false,
                      /*fillThreads=*/1, /*populate=*/false};
  Expected<ModelWeights> weights =
      definition.gguf.size
          ? ModelWeights::place(definition.gguf, definition.ggufIsFileMapping,
                                weightsOptions)
          : ModelWeights::placeAppended(definition.appendedTo,
                                        weightsOptions);
  if (!weights)
    return weights.error();
  model->weights_ = weights.take();
  Expected<gguf::GgufFile> file = gguf::GgufFile::parse(
      {model->weights_.data(), model->weights_.size()}, kPackedFileName);
  if (!file)
    return file.error();
  model->file_ = std::make_unique<gguf::GgufFile>(file.take());

  if (!kernels) {
    std::string backend = "its backend";
    if (const gguf::Value *value = model->file_->find(kBackendKey))
      if (std::optional<std::string_view> name = value->asString())
        backend = fmt::format("the {} backend", *name);
    return makeError("this CPU cannot run the model: it was compiled for {}, "
                     "which needs an instruction set extension this CPU "
                     "lacks",
                     backend);
  }
  if (kernels->abi_version != TERN_KERNEL_ABI_VERSION)
    return makeError("the {} backend's kernel table has ABI version {}, but "
                     "the model needs version {}",
                     kernels->name ? kernels->name : "model's",
                     kernels->abi_version, TERN_KERNEL_ABI_VERSION);
  model->kernels_ = kernels;
  return model;
}

std::string CompiledModel::name() const {
  for (const char *key : {"general.name", "general.architecture"})
    if (const gguf::Value *value = file_->find(key))
      if (std::optional<std::string_view> text = value->asString();
          text && !text->empty())
        return std::string(*text);
  return "model";
}

std::string CompiledModel::ternaryActivations() const {
  if (const gguf::Value *value = file_->find(kTernaryActivationsKey))
    if (std::optional<std::string_view> text = value->asString())
      return std::string(*text);
  return "";
}

Expected<const tokenizer::Tokenizer *> CompiledModel::tokenizer() const {
  std::call_once(tokenizerOnce_, [this] {
    Expected<tokenizer::Tokenizer> built =
        tokenizer::Tokenizer::fromGguf(*file_);
    if (built)
      tokenizer_.emplace(built.take());
    else
      tokenizerError_.emplace(built.error());
  });
  if (tokenizerError_)
    return *tokenizerError_;
  return &*tokenizer_;
}

Expected<std::unique_ptr<CompiledSession>>
CompiledModel::newSession(const SessionOptions &options) const {
  if (options.threads < 1)
    return makeError("the thread count must be at least 1, not {}",
                     options.threads);
  if (options.contextLength < 0)
    return makeError("the context length must not be negative, not {}",
                     options.contextLength);
  if (options.contextLength > info_.context_length)
    return makeError("a context of {} positions exceeds the {} the model was "
                     "compiled for",
                     options.contextLength, info_.context_length);
  int64_t context =
      options.contextLength ? options.contextLength : info_.context_length;
  std::unique_ptr<CompiledSession> session(
      new CompiledSession(*this, context));

  TernExecOptions execOptions;
  execOptions.threads = options.threads;
  execOptions.layers = info_.layers;
  execOptions.kvHeads = info_.kv_heads;
  execOptions.headDim = info_.head_dim;
  execOptions.capacity = context;
  execOptions.f16Cache = info_.kv_cache_f16 != 0;
  execOptions.linearScratchFloats = info_.linear_scratch_floats;
  Expected<std::unique_ptr<TernExec>> exec =
      TernExec::create(kernels_, execOptions);
  if (!exec)
    return exec.error();
  session->exec_ = exec.take();

  // One arena serves both functions: they never run at the same time.
  size_t arenaBytes = static_cast<size_t>(std::max<int64_t>(
      {info_.decode_arena_bytes, info_.prefill_arena_bytes, 64}));
  Expected<AnonymousMemory> arena =
      AnonymousMemory::allocate(arenaBytes, /*hugePages=*/false, "arena");
  if (!arena)
    return arena.error();
  session->arena_ = arena.take();
  Expected<AnonymousMemory> logits = AnonymousMemory::allocate(
      static_cast<size_t>(info_.prefill_chunk * info_.vocab_size) *
          sizeof(float),
      /*hugePages=*/false, "logits");
  if (!logits)
    return logits.error();
  session->logits_ = logits.take();
  session->chunk_.resize(static_cast<size_t>(info_.prefill_chunk));
  return session;
}

//===----------------------------------------------------------------------===//
// CompiledSession
//===----------------------------------------------------------------------===//

CompiledSession::CompiledSession(const CompiledModel &model,
                                 int64_t contextLength)
    : model_(model), contextLength_(contextLength) {}

CompiledSession::~CompiledSession() = default;

int CompiledSession::threads() const { return exec_->threads(); }

Expected<std::vector<float>>
CompiledSession::forward(const std::vector<int32_t> &tokens) {
  return run(tokens, /*lastOnly=*/false);
}

Expected<std::vector<float>>
CompiledSession::forwardLast(const std::vector<int32_t> &tokens) {
  return run(tokens, /*lastOnly=*/true);
}

Expected<std::vector<float>>
CompiledSession::run(const std::vector<int32_t> &tokens, bool lastOnly) {
  const int64_t count = static_cast<int64_t>(tokens.size());
  const int64_t vocab = model_.vocabSize();
  TERNC_RETURN_IF_ERROR(
      generate::checkForward(tokens, position_, contextLength_, vocab));

  const ModelDefinition &definition = model_.definition();
  std::vector<float> logits;
  logits.reserve(static_cast<size_t>((lastOnly ? 1 : count) * vocab));
  TERNC_RETURN_IF_ERROR(generate::forEachForwardCall(
      tokens, model_.prefillChunk(), chunk_,
      [&](bool decode, const std::vector<int32_t> &padded, int64_t valid,
          bool last) -> Status {
        TernStep step;
        step.exec = exec_.get();
        step.weights = model_.tensorData();
        step.arena = arena_.data();
        step.tokens = padded.data();
        step.position = position_;
        step.valid_tokens = valid;
        auto *rows = reinterpret_cast<float *>(logits_.data());
        step.logits = rows;
        step.last_logits_only = lastOnly ? 1 : 0;
        (decode ? definition.decode : definition.prefill)(&step);
        position_ += valid;
        // With lastOnly, only the last call's last row is wanted.
        if (!lastOnly || last)
          logits.insert(logits.end(), rows + (lastOnly ? valid - 1 : 0) * vocab,
                        rows + valid * vocab);
        return Status::success();
      }));
  return logits;
}

} // namespace ternc
