//===- AmxKernels.cpp - The x86-amx backend's kernel table ----------------===//
//
// Built without ISA flags: the CPU and OS checks run before any AMX or
// AVX-512 code. The table is the x86-avx512 backend's with bitlinear_i2s
// replaced by the AMX kernel (which hands decode-sized calls back to the
// AVX-512 one).
//
//===----------------------------------------------------------------------===//

#include "backends/x86-amx/AmxKernels.h"

#include "backends/x86-amx/AmxBitLinear.h"
#include "backends/x86-avx2/Avx2BitLinear.h"
#include "backends/x86-avx512/Avx512Kernels.h"

#include <cpuid.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace {

/// Whether this CPU has AMX-TILE and AMX-INT8 and the OS lets this process
/// use the tile data (asked once, for every thread of the process).
bool amxUsable() {
#if defined(__linux__) && defined(SYS_arch_prctl)
  // CPUID leaf 7, subleaf 0: EDX bit 24 is AMX-TILE, bit 25 AMX-INT8.
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || (edx >> 24 & 3) != 3)
    return false;
  // arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA).
  constexpr int kRequestPermission = 0x1023, kTileData = 18;
  return syscall(SYS_arch_prctl, kRequestPermission, kTileData) == 0;
#else
  return false;
#endif
}

TernKernels makeAmxKernels(const TernKernels &avx512) {
  TernKernels kernels = avx512;
  kernels.name = "x86-amx";
  // AMX tiles load consecutive rows (and so does its decode fallback).
  kernels.i2s_row_interleave = 1;
  kernels.bitlinear_i2s = amx_bitlinear_i2s;
  // Consecutive rows for the Q8_K matmul too: the AVX2 kernel reads them.
  kernels.bitlinear_i2s_q8k = avx2_bitlinear_i2s_q8k;
  return kernels;
}

} // namespace

const TernKernels *ternX86AmxKernels(void) {
  const TernKernels *avx512 = ternX86Avx512Kernels();
  static const bool usable = amxUsable();
  if (!avx512 || !usable)
    return nullptr;
  static const TernKernels kernels = makeAmxKernels(*avx512);
  return &kernels;
}
