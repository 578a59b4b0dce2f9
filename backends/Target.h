//===- Target.h - What the compiler knows about a backend -------*- C++ -*-===//
//
// The compiler-side half of a backend (its runtime half is a kernel library
// behind backends/KernelAbi.h): the machine it generates code for, the weight
// layout its kernels read, and the library and symbol that provide the
// kernels. Each backend folder defines one `BackendTarget`; Registry.cpp lists
// them all (the one registration point). Plain data, no MLIR or LLVM types,
// so backends depend on nothing above them.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_TARGET_H
#define TERNC_BACKENDS_TARGET_H

#include "backends/KernelAbi.h"

#include <string>
#include <vector>

namespace ternc {

/// One backend as `ternc compile --target=NAME` selects it.
struct BackendTarget {
  /// The --target name, e.g. "generic".
  std::string name;
  /// One line for --list-targets.
  std::string description;
  /// LLVM target triple of the generated code; empty means the host's, so
  /// that a portable backend compiles for whatever machine runs ternc. A
  /// cross-compiling backend names its triple (e.g. aarch64-linux-gnu).
  std::string triple;
  /// LLVM CPU name ("generic", "x86-64-v3", ...) and feature string
  /// ("+avx2,+fma") for the generated code.
  std::string cpu;
  std::string features;
  /// The storage the backend's ternary kernels read, as `#tern.ternary`
  /// spells it (e.g. "i2_s"): every ternary weight is repacked to it.
  std::string ternaryLayout;
  /// The backend's TernKernels::f16_row_interleave: how the packer lays out
  /// f16 matrices (1: row-major; N: groups of N rows interleaved).
  int64_t f16RowInterleave = 1;
  /// The backend's TernKernels::i2s_row_interleave: how the packer lays out
  /// I2_S matrices (1: rows consecutive; N: groups of N rows interleaved
  /// block by block).
  int64_t ternaryRowInterleave = 1;
  /// The C function returning the backend's `TernKernels` table.
  std::string kernelsSymbol;
  /// Static libraries (names without lib/.a) holding the kernels, linked
  /// after the runtime.
  std::vector<std::string> kernelLibraries;
  /// Directory of the runtime and kernel libraries built for `triple`,
  /// relative to ternc's library directory; empty for the host build.
  std::string libraryDirectory;
  /// The kernel accessor itself where the backend's kernels are built for
  /// the machine running ternc (null for a cross-compiling backend): it
  /// returns null when this CPU cannot run them (for --target=native).
  const TernKernels *(*hostKernels)() = nullptr;
};

/// Every registered backend, in --list-targets order.
const std::vector<BackendTarget> &registeredTargets();

/// The backend called `name`, or null. "native" names the fastest backend
/// this machine runs: the last registered one whose hostKernels gives a
/// table.
const BackendTarget *findTarget(const std::string &name);

} // namespace ternc

#endif // TERNC_BACKENDS_TARGET_H
