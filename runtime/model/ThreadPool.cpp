//===- ThreadPool.cpp - Persistent workers for one session's kernels ------===//

#include "runtime/model/ThreadPool.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <sched.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ternc {
namespace {

/// How many times an idle worker polls for the next task before sleeping:
/// long enough to bridge the gap between two kernels of one step (and a
/// short sampling pause), short enough not to burn a core while the program
/// waits for input.
constexpr int kSpinsBeforeSleep = 1 << 16;
/// How many times a waiting thread polls before it yields the CPU once (it
/// matters only when there are more threads than free cores).
constexpr int kSpinsBeforeYield = 1 << 10;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

} // namespace

Expected<std::unique_ptr<ThreadPool>> ThreadPool::create(int threads) {
  if (threads < 1)
    return makeError("a thread pool needs at least 1 thread, not {}", threads);
  std::unique_ptr<ThreadPool> pool(new ThreadPool(threads));
  pool->workers_ = std::make_unique<Worker[]>(static_cast<size_t>(threads));
  pool->threads_.reserve(static_cast<size_t>(threads - 1));
  for (int index = 1; index < threads; ++index) {
    pool->workers_[index] = {pool.get(), index};
    pthread_t thread;
    int result = pthread_create(&thread, nullptr, &ThreadPool::workerMain,
                                &pool->workers_[index]);
    if (result != 0) {
      pool->stopWorkers();
      return makeError("cannot start thread {} of {}: {}", index + 1, threads,
                       std::strerror(result));
    }
    pool->threads_.push_back(thread);
  }
  return pool;
}

ThreadPool::~ThreadPool() { stopWorkers(); }

void ThreadPool::stopWorkers() {
  if (threads_.empty())
    return;
  stopping_ = true;
  generation_.fetch_add(1, std::memory_order_seq_cst);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  for (pthread_t thread : threads_)
    pthread_join(thread, nullptr);
  threads_.clear();
}

void *ThreadPool::workerMain(void *argument) {
  Worker *worker = static_cast<Worker *>(argument);
  worker->pool->work(worker->index);
  return nullptr;
}

uint64_t ThreadPool::waitForWork(uint64_t seen) {
  for (int spin = 0; spin < kSpinsBeforeSleep; ++spin) {
    uint64_t generation = generation_.load(std::memory_order_acquire);
    if (generation != seen)
      return generation;
    if (spin % kSpinsBeforeYield == kSpinsBeforeYield - 1)
      sched_yield();
    else
      cpuRelax();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  // Announce the sleep before the last check: run() bumps the generation
  // before it reads sleepers_ (both sequentially consistent), so either it
  // sees this sleeper and notifies under the mutex, or the check below sees
  // its generation.
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  uint64_t generation;
  while ((generation = generation_.load(std::memory_order_seq_cst)) == seen)
    wake_.wait(lock);
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
  return generation;
}

void ThreadPool::work(int thread) {
  uint64_t seen = 0;
  for (;;) {
    seen = waitForWork(seen);
    if (stopping_)
      return;
    task_(context_, thread);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::run(Task task, void *context) {
  if (size_ == 1) {
    task(context, 0);
    return;
  }
  task_ = task;
  context_ = context;
  pending_.store(size_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  task(context, 0);
  for (int spin = 1; pending_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin % kSpinsBeforeYield == 0)
      sched_yield();
    else
      cpuRelax();
  }
}

int defaultThreadCount() {
  // Each physical core appears once per hyper-thread with the same sibling
  // list; count the distinct lists.
  std::set<std::string> cores;
  unsigned logical = std::thread::hardware_concurrency();
  for (unsigned cpu = 0; cpu < std::max(logical, 1u); ++cpu) {
    std::ifstream siblings("/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                           "/topology/thread_siblings_list");
    std::string line;
    if (!siblings || !std::getline(siblings, line))
      break;
    cores.insert(line);
  }
  int count = !cores.empty() ? static_cast<int>(cores.size())
                             : static_cast<int>(logical);
  return std::clamp(count, 1, kMaxThreads);
}

} // namespace ternc
