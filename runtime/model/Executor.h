//===- Executor.h - The runtime side of ModelAbi.h's tern_exec_* -*- C++ -*-===//
//
// `TernExec` is what compiled code calls kernels through: it owns one
// session's kernel table, threads, per-thread scratch and KV cache, and
// implements every tern_exec_* entry of ModelAbi.h on top of the table. The
// matmuls (bitlinear_i2s, linear_f16/f32) are split across threads by
// output rows, row-local operations of several tokens by tokens and long
// elementwise operations by elements; every split computes each output
// element exactly as one call would, so results do not depend on the
// number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_EXECUTOR_H
#define TERNC_RUNTIME_MODEL_EXECUTOR_H

#include "runtime/model/AnonymousMemory.h"
#include "runtime/model/ModelAbi.h"
#include "runtime/model/ThreadPool.h"
#include "runtime/support/Error.h"

#include <algorithm>
#include <cstdint>
#include <memory>

/// The shapes an executor is built for.
struct TernExecOptions {
  /// Threads in all (1: every kernel runs on the calling thread).
  int threads = 1;
  int64_t layers = 0;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
  /// Positions of the KV cache (the session's context length).
  int64_t capacity = 0;
  /// Keys and values in f16 (otherwise f32).
  bool f16Cache = true;
  /// Scratch floats a thread needs for linear_f16/f32 (the widest input).
  int64_t linearScratchFloats = 0;
};

/// One session's executor (declared opaque in ModelAbi.h). The tern_exec_*
/// entries run on it; it is used from one thread at a time.
struct TernExec {
public:
  /// Allocates the cache and scratch and starts the threads. `kernels` must
  /// be a complete table and outlive the executor.
  static ternc::Expected<std::unique_ptr<TernExec>>
  create(const TernKernels *kernels, const TernExecOptions &options);

  TernExec(const TernExec &) = delete;
  TernExec &operator=(const TernExec &) = delete;

  const TernKernels &kernels() const { return *kernels_; }
  const TernExecOptions &options() const { return options_; }
  int threads() const { return pool_->size(); }
  ternc::ThreadPool &pool() { return *pool_; }

  /// Elements of one position of one layer: kv_heads * head_dim.
  int64_t kvWidth() const { return options_.kvHeads * options_.headDim; }
  /// Layer `layer`'s key and value slices, [capacity][kvWidth()] of
  /// uint16_t (f16 cache) or float.
  void *keys(int64_t layer) const { return cacheSlice(keys_, layer); }
  void *values(int64_t layer) const { return cacheSlice(values_, layer); }
  /// Thread `thread`'s scratch: scratchFloats() floats, 64-byte aligned.
  float *scratch(int thread) const {
    return reinterpret_cast<float *>(scratch_.data()) +
           static_cast<size_t>(thread) * scratchStride_;
  }
  int64_t scratchFloats() const { return scratchFloats_; }

  /// Splits [0, count) into one range per thread, each (but the last) a
  /// multiple of `grain` long, and calls function(begin, end, thread) for
  /// the non-empty ones in parallel. With one thread, or fewer than two
  /// grains of work, it calls function(0, count, 0) inline.
  template <typename F>
  void parallelFor(int64_t count, int64_t grain, const F &function) {
    int parts = pool_->size();
    if (parts == 1 || count < 2 * grain) {
      if (count > 0)
        function(int64_t(0), count, 0);
      return;
    }
    int64_t grains = (count + grain - 1) / grain;
    if (grains < parts)
      parts = static_cast<int>(grains);
    pool_->run([&](int thread) {
      if (thread >= parts)
        return;
      int64_t begin = std::min(count, grains * thread / parts * grain);
      int64_t end = std::min(count, grains * (thread + 1) / parts * grain);
      if (begin < end)
        function(begin, end, thread);
    });
  }

private:
  TernExec(const TernKernels *kernels, const TernExecOptions &options)
      : kernels_(kernels), options_(options) {}
  void *cacheSlice(const ternc::AnonymousMemory &cache, int64_t layer) const {
    size_t element = options_.f16Cache ? 2 : 4;
    return cache.data() + static_cast<size_t>(layer) *
                              static_cast<size_t>(options_.capacity) *
                              static_cast<size_t>(kvWidth()) * element;
  }

  const TernKernels *kernels_;
  TernExecOptions options_;
  std::unique_ptr<ternc::ThreadPool> pool_;
  ternc::AnonymousMemory keys_, values_, scratch_;
  int64_t scratchFloats_ = 0;
  /// Floats from one thread's scratch to the next (a multiple of 16).
  size_t scratchStride_ = 0;
};

#endif // TERNC_RUNTIME_MODEL_EXECUTOR_H
