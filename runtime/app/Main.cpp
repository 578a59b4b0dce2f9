//===- Main.cpp - main() of a compiled model binary -----------------------===//
//
// Linked (as the static library TerncModelMain) into every executable that
// `ternc compile` produces, next to the compiled object that defines the
// tern_model_* symbols.
//
//===----------------------------------------------------------------------===//

#include "runtime/app/ModelMain.h"
#include "runtime/model/EmbeddedModel.h"

#include <cstdio>

int main(int argc, char **argv) {
  std::vector<std::string> arguments(argv + (argc > 0 ? 1 : 0), argv + argc);
  return ternc::app::runModelMain(ternc::embeddedModelDefinition(),
                                  ternc::app::programName(argc > 0 ? argv[0]
                                                                   : nullptr),
                                  arguments, stdout, stderr);
}
