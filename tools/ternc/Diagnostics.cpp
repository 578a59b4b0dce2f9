//===- Diagnostics.cpp - How ternc reports to the user --------------------===//

#include "tools/ternc/Diagnostics.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace ternc::tool {

void setUpLogging() {
  auto logger = spdlog::stderr_logger_st("ternc");
  logger->set_pattern("%n: %l: %v");
  spdlog::set_default_logger(logger);
}

int reportError(const Error &error) {
  spdlog::error("{}", error.message());
  return 1;
}

} // namespace ternc::tool
