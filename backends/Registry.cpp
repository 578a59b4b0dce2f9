//===- Registry.cpp - The one list of backends ----------------------------===//
//
// Adding a backend: a folder under backends/ with its kernels and a function
// returning its BackendTarget, and one line below.
//
//===----------------------------------------------------------------------===//

#include "backends/Target.h"

#include "backends/generic/GenericTarget.h"

namespace ternc {

const std::vector<BackendTarget> &registeredTargets() {
  static const std::vector<BackendTarget> targets = {
      genericTarget(),
  };
  return targets;
}

const BackendTarget *findTarget(const std::string &name) {
  for (const BackendTarget &target : registeredTargets())
    if (target.name == name)
      return &target;
  return nullptr;
}

} // namespace ternc
