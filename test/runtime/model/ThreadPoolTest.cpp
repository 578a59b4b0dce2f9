//===- ThreadPoolTest.cpp - Persistent workers ----------------------------===//

#include "runtime/model/ThreadPool.h"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

using namespace ternc;

namespace {

std::unique_ptr<ThreadPool> makePool(int threads) {
  Expected<std::unique_ptr<ThreadPool>> pool = ThreadPool::create(threads);
  EXPECT_TRUE(pool.ok()) << pool.error().message();
  return pool.take();
}

TEST(ThreadPoolTest, OneThreadRunsInline) {
  std::unique_ptr<ThreadPool> pool = makePool(1);
  std::thread::id caller = std::this_thread::get_id();
  int calls = 0;
  pool->run([&](int thread) {
    EXPECT_EQ(thread, 0);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

TEST(ThreadPoolTest, EveryThreadRunsEachTaskOnce) {
  std::unique_ptr<ThreadPool> pool = makePool(4);
  ASSERT_EQ(pool->size(), 4);
  std::thread::id caller = std::this_thread::get_id();
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::atomic<int>> calls(4);
    pool->run([&](int thread) {
      if (thread == 0)
        EXPECT_EQ(std::this_thread::get_id(), caller);
      calls[static_cast<size_t>(thread)].fetch_add(1);
    });
    // run() returns only after every thread is done.
    for (std::atomic<int> &count : calls)
      ASSERT_EQ(count.load(), 1) << "round " << round;
  }
}

TEST(ThreadPoolTest, SleepingWorkersWakeUp) {
  std::unique_ptr<ThreadPool> pool = makePool(3);
  for (int round = 0; round < 3; ++round) {
    // Long enough for the workers to stop spinning and sleep.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::atomic<int> sum{0};
    pool->run([&](int thread) { sum.fetch_add(thread + 1); });
    EXPECT_EQ(sum.load(), 1 + 2 + 3);
  }
}

TEST(ThreadPoolTest, WritesAreVisibleAfterRun) {
  std::unique_ptr<ThreadPool> pool = makePool(3);
  std::vector<int> data(3000, 0);
  for (int round = 1; round <= 100; ++round) {
    pool->run([&](int thread) {
      for (size_t i = static_cast<size_t>(thread); i < data.size(); i += 3)
        data[i] += 1;
    });
    for (int value : data)
      ASSERT_EQ(value, round);
  }
}

TEST(ThreadPoolTest, RejectsZeroThreads) {
  Expected<std::unique_ptr<ThreadPool>> pool = ThreadPool::create(0);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().message(),
            "a thread pool needs at least 1 thread, not 0");
}

} // namespace
