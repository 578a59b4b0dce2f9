//===- Interpreter.cpp - Reference interpreter of tern IR -----------------===//

#include "compiler/interpreter/Interpreter.h"

#include "dialects/Tern/IR/ModelEntryPoints.h"
#include "dialects/Tern/IR/TernOps.h"
#include "runtime/gguf/Quants.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <unistd.h>

namespace ternc {

using namespace mlir;
using reference::Activations;

namespace {

/// The tensor `name` of `file` decoded to f32.
std::vector<float> decodeTensor(const gguf::GgufFile &file,
                                const std::string &name) {
  const gguf::TensorInfo *tensor = file.findTensor(name);
  assert(tensor && "the importer checked that every weight exists");
  Expected<std::vector<float>> values = gguf::dequantizeTensor(file, *tensor);
  assert(values && "the importer checked every weight's type");
  return values.take();
}

reference::Precision precisionOf(Type element) {
  if (element.isF16())
    return reference::Precision::F16;
  if (element.isBF16())
    return reference::Precision::BF16;
  return reference::Precision::F32;
}

/// The GGUF tensor a weight value stands for.
std::string tensorOf(Value weight) {
  return weight.getDefiningOp<tern::WeightOp>().getTensor().str();
}

} // namespace

Expected<std::unique_ptr<Interpreter>>
Interpreter::create(ModuleOp module, const gguf::GgufFile &file,
                    const InterpreterOptions &options) {
  std::unique_ptr<Interpreter> interpreter(
      new Interpreter(module, file, options));
  std::string diagnostic;
  FailureOr<tern::ModelEntryPoints> entries = [&] {
    ScopedDiagnosticHandler capture(
        module.getContext(), [&](Diagnostic &d) {
          if (diagnostic.empty())
            diagnostic = d.str();
          return success();
        });
    return tern::getModelEntryPoints(module);
  }();
  if (failed(entries))
    return makeError("not a tern model: {}", diagnostic);
  interpreter->decode_ = entries->decode;
  interpreter->prefill_ = entries->prefill;
  interpreter->prefillChunk_ = entries->prefillChunk;
  interpreter->cacheType_ = entries->cache;
  interpreter->vocabSize_ = entries->vocabSize;
  // The reference cache holds f32 keys and values of every layer: refuse a
  // context it cannot allocate rather than fail inside the allocator.
  tern::KVCacheType cache = interpreter->cacheType_;
  uint64_t bytes = 2 * sizeof(float);
  for (int64_t factor : {cache.getLayers(), cache.getCapacity(),
                         cache.getKvHeads(), cache.getHeadDim()})
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(factor), &bytes))
      bytes = UINT64_MAX;
  uint64_t memory = static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                    static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  if (bytes > memory)
    return makeError("a KV cache of {} positions needs {} bytes, more than "
                     "this machine's {} bytes of memory (lower --ctx)",
                     cache.getCapacity(), bytes, memory);
  TERNC_RETURN_IF_ERROR(interpreter->quantizeRowScaledWeights());
  return interpreter;
}

InterpreterSession Interpreter::newSession() const {
  return InterpreterSession(reference::KVCache(
      cacheType_.getLayers(), cacheType_.getCapacity(),
      cacheType_.getKvHeads(), cacheType_.getHeadDim(), options_.f16Cache));
}

const reference::Trits &Interpreter::ternaryWeight(const std::string &name) {
  auto it = ternary_.find(name);
  if (it != ternary_.end())
    return it->second;
  // Every encoding stores t * scale with t in {-1, 0, +1}: the sign is the
  // trit. The one scale per tensor is the importer's, from the type.
  std::vector<float> values = decodeTensor(file_, name);
  const gguf::TensorInfo *tensor = file_.findTensor(name);
  reference::Trits trits = reference::Trits::from_shape(
      {static_cast<size_t>(tensor->rows()), static_cast<size_t>(tensor->ne[0])});
  for (size_t i = 0; i < values.size(); ++i)
    trits.data()[i] =
        static_cast<int8_t>(values[i] > 0 ? 1 : (values[i] < 0 ? -1 : 0));
  return ternary_.emplace(name, std::move(trits)).first->second;
}

const reference::FloatMatrix &Interpreter::floatWeight(const std::string &name,
                                                       Type type) {
  auto it = matrices_.find(name);
  if (it != matrices_.end())
    return it->second;
  const gguf::TensorInfo *tensor = file_.findTensor(name);
  std::vector<float> values = decodeTensor(file_, name);
  reference::FloatMatrix matrix;
  matrix.values = xt::xtensor<float, 2>::from_shape(
      {static_cast<size_t>(tensor->rows()), static_cast<size_t>(tensor->ne[0])});
  std::copy(values.begin(), values.end(), matrix.values.data());
  matrix.precision =
      precisionOf(cast<RankedTensorType>(type).getElementType());
  return matrices_.emplace(name, std::move(matrix)).first->second;
}

const std::vector<float> &Interpreter::vectorWeight(const std::string &name) {
  auto it = vectors_.find(name);
  if (it != vectors_.end())
    return it->second;
  return vectors_.emplace(name, decodeTensor(file_, name)).first->second;
}

Status Interpreter::quantizeRowScaledWeights() {
  Status status = Status::success();
  module_.walk([&](tern::WeightOp weight) {
    std::string name = weight.getTensor().str();
    if (!status.ok() || !tern::isRowScaled(weight.getType()) ||
        rowScaled_.count(name) || q4_.count(name))
      return;
    // Quantizes the tensor with `quantize` into `matrices`.
    auto add = [&](auto quantize, auto &matrices) {
      auto matrix = quantize(file_, *file_.findTensor(name));
      if (!matrix) {
        status = matrix.error();
        return;
      }
      matrices.emplace(name, matrix.take());
    };
    if (tern::isRowScaledQ4(weight.getType()))
      add(reference::quantizeTensorRowsQ4, q4_);
    else
      add(reference::quantizeTensorRows, rowScaled_);
  });
  return status;
}

Expected<Activations> Interpreter::run(func::FuncOp function,
                                       const std::vector<int32_t> &tokens,
                                       int64_t validTokens,
                                       InterpreterSession &session) {
  // The entry arguments the ops read: this call's tokens and the session's
  // position (getModelEntryPoints lets ops read no other token ids, index
  // or cache).
  const llvm::DenseMap<Value, const std::vector<int32_t> *> tokenIds = {
      {function.getArgument(0), &tokens}};
  const llvm::DenseMap<Value, int64_t> indices = {
      {function.getArgument(1), session.position_}};
  llvm::DenseMap<Value, Activations> values;
  auto in = [&](Value value) -> const Activations & {
    return values.find(value)->second;
  };
  for (Operation &op : function.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op))
      return in(ret.getOperand(0));
    // Ternary matmuls, fused or not, have a result per weight.
    auto ternaryMatmuls = [&](const Activations &input, ValueRange weights,
                              ResultRange results,
                              tern::ActivationQuant activations) {
      auto matmul = activations == tern::ActivationQuant::Q8K
                        ? reference::bitLinearQ8K
                        : reference::bitLinear;
      for (auto [weight, result] : llvm::zip(weights, results))
        values[result] =
            matmul(input, ternaryWeight(tensorOf(weight)),
                   cast<tern::TernaryType>(weight.getType()).getScaleValue());
    };
    if (auto fused = dyn_cast<tern::RMSNormBitLinearOp>(op)) {
      ternaryMatmuls(
          reference::rmsNorm(in(fused.getInput()),
                             vectorWeight(tensorOf(fused.getGamma())),
                             fused.getEpsilon().convertToFloat()),
          fused.getWeights(), fused.getResults(), fused.getActivations());
      continue;
    }
    if (auto matmul = dyn_cast<tern::BitLinearOp>(op)) {
      ternaryMatmuls(in(matmul.getInput()), matmul.getWeights(),
                     matmul.getResults(), matmul.getActivations());
      continue;
    }
    std::optional<Activations> result =
        llvm::TypeSwitch<Operation *, std::optional<Activations>>(&op)
            .Case([&](tern::WeightOp) { return std::nullopt; })
            .Case([&](tern::EmbedOp embed) {
              const std::vector<int32_t> &ids =
                  *tokenIds.lookup(embed.getTokens());
              Value table = embed.getTable();
              const size_t width =
                  cast<ShapedType>(table.getType()).getDimSize(1);
              Activations x({ids.size(), width});
              // The rows of a row-scaled table, dequantized.
              auto dequantized = [&](const auto &rows) {
                for (size_t t = 0; t < ids.size(); ++t) {
                  std::vector<float> row =
                      reference::dequantizeRow(rows, ids[t]);
                  std::copy(row.begin(), row.end(), &x(t, 0));
                }
                return x;
              };
              if (tern::isRowScaledQ4(table.getType()))
                return dequantized(q4_.at(tensorOf(table)));
              if (tern::isRowScaled(table.getType()))
                return dequantized(rowScaled_.at(tensorOf(table)));
              const reference::FloatMatrix &values =
                  floatWeight(tensorOf(table), table.getType());
              for (size_t t = 0; t < ids.size(); ++t)
                std::copy_n(&values.values(ids[t], 0), width, &x(t, 0));
              return x;
            })
            .Case([&](tern::RMSNormOp norm) {
              return reference::rmsNorm(in(norm.getInput()),
                                        vectorWeight(tensorOf(norm.getGamma())),
                                        norm.getEpsilon().convertToFloat());
            })
            .Case([&](tern::LinearOp matmul) {
              Value weight = matmul.getWeight();
              if (tern::isRowScaledQ4(weight.getType()))
                return reference::linearQ4(in(matmul.getInput()),
                                           q4_.at(tensorOf(weight)));
              if (tern::isRowScaled(weight.getType()))
                return reference::linearRowScaled(
                    in(matmul.getInput()), rowScaled_.at(tensorOf(weight)));
              return reference::linear(
                  in(matmul.getInput()),
                  floatWeight(tensorOf(weight), weight.getType()));
            })
            .Case([&](tern::RopeOp rope) {
              return reference::rope(in(rope.getInput()),
                                     indices.lookup(rope.getPosition()),
                                     rope.getKind() == tern::RopeKind::Neox,
                                     rope.getBase().convertToFloat(),
                                     rope.getDims(), rope.getHeadDim());
            })
            .Case([&](tern::AttentionOp attention) {
              return reference::attention(
                  in(attention.getQuery()), in(attention.getKey()),
                  in(attention.getValue()), session.cache_,
                  attention.getLayer(), indices.lookup(attention.getPosition()),
                  validTokens,
                  attention.getCache().getType().getHeadDim());
            })
            .Case([&](tern::Relu2Op op) {
              return reference::relu2(in(op.getInput()));
            })
            .Case([&](tern::SiluOp op) {
              return reference::silu(in(op.getInput()));
            })
            .Case([&](tern::AddOp op) {
              return reference::add(in(op.getLhs()), in(op.getRhs()));
            })
            .Case([&](tern::MulOp op) {
              return reference::mul(in(op.getLhs()), in(op.getRhs()));
            })
            .Case([&](tern::Relu2MulOp op) {
              return reference::mul(reference::relu2(in(op.getGate())),
                                    in(op.getUp()));
            })
            .Case([&](tern::SiluMulOp op) {
              return reference::mul(reference::silu(in(op.getGate())),
                                    in(op.getUp()));
            })
            .Default([](Operation *) { return std::nullopt; });
    if (result)
      values[op.getResult(0)] = std::move(*result);
    else if (!isa<tern::WeightOp>(op))
      return makeError("the interpreter cannot execute '{}'",
                       op.getName().getStringRef().str());
  }
  return makeError("@{} has no return", function.getName().str());
}

Expected<std::vector<float>>
Interpreter::forward(InterpreterSession &session,
                     const std::vector<int32_t> &tokens) {
  const int64_t count = static_cast<int64_t>(tokens.size());
  TERNC_RETURN_IF_ERROR(generate::checkForward(tokens, session.position_,
                                               contextLength(), vocabSize_));
  std::vector<float> logits;
  logits.reserve(static_cast<size_t>(count * vocabSize_));
  std::vector<int32_t> chunk;
  TERNC_RETURN_IF_ERROR(generate::forEachForwardCall(
      tokens, prefillChunk_, chunk,
      [&](bool decode, const std::vector<int32_t> &padded, int64_t valid,
          bool) -> Status {
        Expected<Activations> output =
            run(decode ? decode_ : prefill_, padded, valid, session);
        if (!output)
          return output.error();
        logits.insert(logits.end(), output->begin(),
                      output->begin() + valid * vocabSize_);
        session.position_ += valid;
        return Status::success();
      }));
  return logits;
}

} // namespace ternc
