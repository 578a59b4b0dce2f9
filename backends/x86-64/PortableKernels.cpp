//===- PortableKernels.cpp - The portable x86-64 kernel table -------------===//
//
// Built without ISA flags: each table's own accessor checks the CPU before
// any of its code runs. The weights are packed once, in the layout of
// x86-avx2 and x86-amx (f16 in 8-row groups, I2_S rows consecutive); the
// x86-avx512 table reads its ternary rows consecutively here (the AVX-512
// kernel AMX falls back on, and the AVX2 Q8_K one), and the generic table
// reads the 8-row f16 groups. Every one is bit-exact with the reference, so
// the logits do not depend on which runs.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-64/PortableKernels.h"

#include "backends/generic/GenericKernels.h"
#include "backends/x86-amx/AmxKernels.h"
#include "backends/x86-avx2/Avx2BitLinear.h"
#include "backends/x86-avx2/Avx2Kernels.h"
#include "backends/x86-avx2/Avx2Linear.h"
#include "backends/x86-avx512/Avx512BitLinear.h"
#include "backends/x86-avx512/Avx512Kernels.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

/// `table` renamed "x86-64" (what the target and its binaries are called).
TernKernels portable(const TernKernels &table) {
  TernKernels kernels = table;
  kernels.name = "x86-64";
  return kernels;
}

const TernKernels *generic() {
  static const TernKernels kernels =
      portable(*genericKernelsWithF16RowGroups(kX86F16RowInterleave));
  return &kernels;
}

const TernKernels *avx2() {
  const TernKernels *table = ternX86Avx2Kernels();
  if (!table)
    return nullptr;
  static const TernKernels kernels = portable(*table);
  return &kernels;
}

const TernKernels *avx512() {
  const TernKernels *table = ternX86Avx512Kernels();
  if (!table)
    return nullptr;
  static const TernKernels kernels = [&] {
    TernKernels adapted = portable(*table);
    adapted.i2s_row_interleave = 1;
    adapted.bitlinear_i2s = avx512_bitlinear_i2s;
    adapted.bitlinear_i2s_q8k = avx2_bitlinear_i2s_q8k;
    return adapted;
  }();
  return &kernels;
}

const TernKernels *amx() {
  const TernKernels *table = ternX86AmxKernels();
  if (!table)
    return nullptr;
  static const TernKernels kernels = portable(*table);
  return &kernels;
}

struct NamedTable {
  const char *name;
  const TernKernels *(*table)();
};

/// Fastest first.
constexpr NamedTable kTables[] = {{"x86-amx", amx},
                                  {"x86-avx512", avx512},
                                  {"x86-avx2", avx2},
                                  {"generic", generic}};

} // namespace

const TernKernels *ternX86PortableKernelsFor(const char *name) {
  for (const NamedTable &table : kTables)
    if (std::strcmp(name, table.name) == 0)
      return table.table();
  return nullptr;
}

const TernKernels *ternX86PortableKernels(void) {
  if (const char *forced = std::getenv("TERNC_KERNELS");
      forced && *forced) {
    const TernKernels *table = ternX86PortableKernelsFor(forced);
    if (!table)
      std::fprintf(stderr,
                   "error: TERNC_KERNELS=%s: expected a kernel table this "
                   "CPU runs (generic, x86-avx2, x86-avx512 or x86-amx)\n",
                   forced);
    return table;
  }
  for (const NamedTable &table : kTables)
    if (const TernKernels *kernels = table.table())
      return kernels;
  return nullptr;
}
