//===- X86ConformanceTest.cpp - The x86 SIMD backends' conformance --------===//
//
// Skipped (by the suite) on a CPU without the ISA.
//
//===----------------------------------------------------------------------===//

#include "test/backends/ConformanceTest.h"

#include "backends/x86-amx/AmxKernels.h"
#include "backends/x86-avx2/Avx2Kernels.h"
#include "backends/x86-avx512/Avx512Kernels.h"

INSTANTIATE_TEST_SUITE_P(X86Avx2, KernelConformanceTest,
                         ::testing::Values(ternX86Avx2Kernels()));
INSTANTIATE_TEST_SUITE_P(X86Avx512, KernelConformanceTest,
                         ::testing::Values(ternX86Avx512Kernels()));
INSTANTIATE_TEST_SUITE_P(X86Amx, KernelConformanceTest,
                         ::testing::Values(ternX86AmxKernels()));
