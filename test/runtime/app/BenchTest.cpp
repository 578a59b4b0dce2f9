//===- BenchTest.cpp - llama-bench's table and statistics -----------------===//

#include "runtime/app/Bench.h"

#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::app;

namespace {

TEST(BenchTest, MeanAndSampleStandardDeviation) {
  BenchResult result;
  result.tokens = 10;
  result.seconds = {1.0, 0.5, 0.25}; // 10, 20 and 40 t/s.
  EXPECT_DOUBLE_EQ(result.meanTokensPerSecond(), 70.0 / 3);
  // Sample variance: ((10-m)^2 + (20-m)^2 + (40-m)^2) / 2.
  double m = 70.0 / 3;
  double variance =
      ((10 - m) * (10 - m) + (20 - m) * (20 - m) + (40 - m) * (40 - m)) / 2;
  EXPECT_DOUBLE_EQ(result.stddevTokensPerSecond(), std::sqrt(variance));
  result.seconds = {0.5};
  EXPECT_DOUBLE_EQ(result.meanTokensPerSecond(), 20);
  EXPECT_DOUBLE_EQ(result.stddevTokensPerSecond(), 0);
}

TEST(BenchTest, MarkdownTable) {
  EXPECT_EQ(benchHeader(),
            "| model                          | backend    | threads |          "
            "test |                  t/s |\n"
            "| ------------------------------ | ---------- | ------: | "
            "------------: | -------------------: |\n");
  BenchResult result;
  result.test = "tg32";
  result.tokens = 32;
  result.seconds = {1.0, 1.0};
  EXPECT_EQ(benchRow("bitnet-b1.58 2B", "generic", 4, result),
            "| bitnet-b1.58 2B                | generic    |       4 |          "
            "tg32 |         32.00 ± 0.00 |\n");
}

} // namespace
