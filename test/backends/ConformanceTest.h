//===- ConformanceTest.h - Every backend against the reference --*- C++ -*-===//
//
// The conformance suite every backend passes: each entry of a TernKernels
// table runs on fixed-seed random inputs (smallest legal shapes, odd row
// counts, several token counts, 2B4T-like shapes) and must reproduce
// compiler/reference/ReferenceOps bit for bit. A backend joins with one line
// in a test source linked into TerncBackendTests:
//
//   INSTANTIATE_TEST_SUITE_P(X86Avx2, KernelConformanceTest,
//                            testing::Values(ternX86Avx2Kernels()));
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_TEST_BACKENDS_CONFORMANCETEST_H
#define TERNC_TEST_BACKENDS_CONFORMANCETEST_H

#include "backends/KernelAbi.h"

#include <gtest/gtest.h>
#include <ostream>

/// Runs the conformance cases on the kernel table that is the parameter. A
/// NULL table (the backend's accessor found the host CPU unable to run it)
/// skips them.
class KernelConformanceTest
    : public ::testing::TestWithParam<const TernKernels *> {
protected:
  void SetUp() override;

  /// The backend under test.
  const TernKernels &kernels() const { return *GetParam(); }
};

/// Names the table in test names and failures (its backend's name, or
/// "none" where this CPU cannot run it), so that a run shows which tables
/// it exercised.
void PrintTo(const TernKernels *table, std::ostream *os);

#endif // TERNC_TEST_BACKENDS_CONFORMANCETEST_H
