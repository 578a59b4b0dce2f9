//===- GenericConformanceTest.cpp - The generic backend's conformance -----===//

#include "test/backends/ConformanceTest.h"

#include "backends/generic/GenericKernels.h"

INSTANTIATE_TEST_SUITE_P(Generic, KernelConformanceTest,
                         ::testing::Values(ternGenericKernels()));
