//===- KernelTableCoverageTest.cpp - Which tables this run exercised ------===//
//
// The conformance suite skips a table whose ISA the host lacks, so a green
// run on a small CPU says nothing about the larger ones. These tests print
// which registered tables ran here and which were skipped, and fail where a
// skip would hide a fault: a registered backend whose table has no
// conformance instantiation, a table that disagrees with its target on its
// name or f16 layout, an x86-64 host with AVX2 on which no SIMD table ran,
// and a table named in TERNC_REQUIRE_KERNEL_TABLES (comma-separated, e.g.
// "x86-avx512,x86-amx" on a CI host known to have them) that did not run.
//
//===----------------------------------------------------------------------===//

#include "test/backends/ConformanceTest.h"

#include "backends/Target.h"

#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

using namespace ternc;

namespace {

/// The table of `target` this host runs, or null (cross target, or this
/// CPU lacks its ISA).
const TernKernels *hostTable(const BackendTarget &target) {
  return target.hostKernels ? target.hostKernels() : nullptr;
}

/// The tables KernelConformanceTest was instantiated with, by name (see
/// PrintTo in ConformanceTest.cpp).
std::set<std::string> conformanceTables() {
  std::set<std::string> names;
  const ::testing::UnitTest &unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite &suite = *unit.GetTestSuite(i);
    const std::string suiteName = suite.name();
    if (suiteName.find("/KernelConformanceTest") == std::string::npos)
      continue;
    for (int j = 0; j < suite.total_test_count(); ++j)
      if (const char *param = suite.GetTestInfo(j)->value_param())
        names.insert(param);
  }
  return names;
}

} // namespace

TEST(KernelTableCoverageTest, ReportsTheTablesThisHostRuns) {
  const std::set<std::string> instantiated = conformanceTables();
  for (const BackendTarget &target : registeredTargets()) {
    if (!target.hostKernels) {
      std::cout << "[ tables   ] " << target.name
                << ": not built for this host\n";
      continue;
    }
    const TernKernels *table = hostTable(target);
    std::cout << "[ tables   ] " << target.name << ": "
              << (table ? "conformance ran"
                        : "skipped, this CPU cannot run it")
              << "\n";
    if (!table)
      continue;
    EXPECT_EQ(std::string(table->name), target.name);
    EXPECT_EQ(table->f16_row_interleave, target.f16RowInterleave)
        << target.name << ": the packer and the kernels disagree on the f16 "
                          "row interleave";
    EXPECT_EQ(table->i2s_row_interleave, target.ternaryRowInterleave)
        << target.name << ": the packer and the kernels disagree on the I2_S "
                          "row interleave";
    EXPECT_TRUE(instantiated.count(target.name))
        << target.name << " runs here but KernelConformanceTest has no "
                          "instantiation for it";
  }
}

TEST(KernelTableCoverageTest, AnAvx2HostRunsASimdTable) {
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") ||
      !__builtin_cpu_supports("f16c"))
    GTEST_SKIP() << "this CPU has no AVX2";
  bool simd = false;
  for (const BackendTarget &target : registeredTargets())
    simd |= target.name != "generic" && hostTable(target) != nullptr;
  EXPECT_TRUE(simd) << "an AVX2 host ran only the generic kernels";
#else
  GTEST_SKIP() << "not an x86-64 host";
#endif
}

TEST(KernelTableCoverageTest, TheRequiredTablesRan) {
  const char *required = std::getenv("TERNC_REQUIRE_KERNEL_TABLES");
  if (!required || !*required)
    GTEST_SKIP() << "TERNC_REQUIRE_KERNEL_TABLES is not set";
  std::stringstream names(required);
  std::string name;
  while (std::getline(names, name, ',')) {
    if (name.empty())
      continue;
    const BackendTarget *target = findTarget(name);
    if (!target) {
      ADD_FAILURE() << "TERNC_REQUIRE_KERNEL_TABLES names '" << name
                    << "', which is not a registered target";
      continue;
    }
    EXPECT_NE(hostTable(*target), nullptr)
        << "TERNC_REQUIRE_KERNEL_TABLES names " << name
        << ", but this CPU cannot run it: its conformance tests were skipped";
  }
}
