//===- ThreadPool.h - Persistent workers for one session's kernels -*- C++ -*-===//
//
// A compiled model calls hundreds of kernels per token, so threads are
// created once per session and handed each kernel call without allocating:
// run() publishes a task, every thread (the caller included) runs its share,
// and run() returns when all have finished. Idle workers spin briefly (the
// next kernel usually follows within microseconds) and then sleep, so a
// session waiting for input costs no CPU.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_THREADPOOL_H
#define TERNC_RUNTIME_MODEL_THREADPOOL_H

#include "runtime/support/Error.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <type_traits>
#include <vector>

namespace ternc {

/// The most threads -t accepts.
inline constexpr int kMaxThreads = 1024;

/// The threads used without -t: the physical cores (hyper-threads share a
/// core's memory bandwidth and SIMD units), or the logical CPUs where the
/// topology cannot be read.
int defaultThreadCount();

/// A fixed set of threads that run one task at a time together. Not
/// thread-safe: one thread calls run().
class ThreadPool {
public:
  /// A task: called once per thread with the thread's index.
  using Task = void (*)(void *context, int thread);

  /// A pool of `threads` threads in all (at least 1): the caller of run() is
  /// thread 0 and threads - 1 workers are started now. Fails when a thread
  /// cannot be created.
  static Expected<std::unique_ptr<ThreadPool>> create(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// The number of threads, the caller's included.
  int size() const { return size_; }

  /// Calls task(context, t) for every t in [0, size()), t = 0 on the calling
  /// thread, and returns when every call has returned. With one thread the
  /// task simply runs inline.
  void run(Task task, void *context);

  /// run() with a callable taking the thread index.
  template <typename F> void run(F &&function) {
    using Callable = std::remove_reference_t<F>;
    run(
        [](void *context, int thread) {
          (*static_cast<Callable *>(context))(thread);
        },
        const_cast<void *>(static_cast<const void *>(&function)));
  }

private:
  explicit ThreadPool(int threads) : size_(threads) {}
  static void *workerMain(void *argument);
  void work(int thread);
  /// Waits until the generation differs from `seen` and returns it.
  uint64_t waitForWork(uint64_t seen);
  void stopWorkers();

  struct Worker {
    ThreadPool *pool;
    int index;
  };

  int size_;
  std::vector<pthread_t> threads_;
  std::unique_ptr<Worker[]> workers_;

  // The published task; written by run() before generation_ is bumped.
  Task task_ = nullptr;
  void *context_ = nullptr;
  bool stopping_ = false;

  /// Bumped once per run() (and once to stop); workers wait for a change.
  alignas(64) std::atomic<uint64_t> generation_{0};
  /// Workers that have not finished the current task.
  alignas(64) std::atomic<int> pending_{0};
  /// Workers asleep (or about to sleep) on wake_.
  alignas(64) std::atomic<int> sleepers_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
};

} // namespace ternc

#endif // TERNC_RUNTIME_MODEL_THREADPOOL_H
