//===- ArmConformanceTest.cpp - The AArch64 backends' conformance ---------===//
//
// Built for AArch64 only; run under qemu-aarch64 by the host's ctest.
//
//===----------------------------------------------------------------------===//

#include "test/backends/ConformanceTest.h"

#include "backends/arm-dotprod/DotprodKernels.h"
#include "backends/arm-i8mm/I8mmKernels.h"
#include "backends/arm-neon/NeonKernels.h"

INSTANTIATE_TEST_SUITE_P(ArmNeon, KernelConformanceTest,
                         ::testing::Values(ternArmNeonKernels()));
INSTANTIATE_TEST_SUITE_P(ArmDotprod, KernelConformanceTest,
                         ::testing::Values(ternArmDotprodKernels()));
INSTANTIATE_TEST_SUITE_P(ArmI8mm, KernelConformanceTest,
                         ::testing::Values(ternArmI8mmKernels()));
