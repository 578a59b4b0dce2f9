//===- X86ConformanceTest.cpp - The x86 SIMD backends' conformance --------===//
//
// Skipped (by the suite) on a CPU without the ISA.
//
//===----------------------------------------------------------------------===//

#include "test/backends/ConformanceTest.h"

#include "backends/x86-64/PortableKernels.h"
#include "backends/x86-amx/AmxKernels.h"
#include "backends/x86-avx2/Avx2Kernels.h"
#include "backends/x86-avx512/Avx512Kernels.h"

INSTANTIATE_TEST_SUITE_P(X86Avx2, KernelConformanceTest,
                         ::testing::Values(ternX86Avx2Kernels()));
INSTANTIATE_TEST_SUITE_P(X86Avx512, KernelConformanceTest,
                         ::testing::Values(ternX86Avx512Kernels()));
INSTANTIATE_TEST_SUITE_P(X86Amx, KernelConformanceTest,
                         ::testing::Values(ternX86AmxKernels()));

// The portable table as chosen at start-up, and each table it may choose,
// adapted to its one layout.
INSTANTIATE_TEST_SUITE_P(X86Portable, KernelConformanceTest,
                         ::testing::Values(ternX86PortableKernels()));
INSTANTIATE_TEST_SUITE_P(X86PortableGeneric, KernelConformanceTest,
                         ::testing::Values(ternX86PortableKernelsFor("generic")));
INSTANTIATE_TEST_SUITE_P(X86PortableAvx2, KernelConformanceTest,
                         ::testing::Values(ternX86PortableKernelsFor("x86-avx2")));
INSTANTIATE_TEST_SUITE_P(X86PortableAvx512, KernelConformanceTest,
                         ::testing::Values(ternX86PortableKernelsFor(
                             "x86-avx512")));
INSTANTIATE_TEST_SUITE_P(X86PortableAmx, KernelConformanceTest,
                         ::testing::Values(ternX86PortableKernelsFor("x86-amx")));
