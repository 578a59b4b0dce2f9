//===- Progress.cpp - What a long command is doing, on a terminal ---------===//

#include "tools/ternc/Progress.h"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace ternc::tool {

Progress::Progress(bool wanted)
    : enabled_(wanted && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (enabled_ && shownWidth_)
    fmt::print(stderr, "\r{:{}}\r", "", shownWidth_);
}

void Progress::step(const std::string &step) {
  show(fmt::format("ternc: {}...", step));
}

void Progress::bytes(const std::string &step, uint64_t done, uint64_t total) {
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - lastShown_ < std::chrono::milliseconds(100))
    return;
  lastShown_ = now;
  show(fmt::format("ternc: {} {:.0f}% ({} of {} MB)", step,
                   total ? 100.0 * static_cast<double>(done) /
                               static_cast<double>(total)
                         : 100.0,
                   done >> 20, total >> 20));
}

void Progress::show(const std::string &line) {
  if (!enabled_)
    return;
  // Pad over what a longer previous line left.
  fmt::print(stderr, "\r{:{}}", line, std::max(line.size(), shownWidth_));
  std::fflush(stderr);
  shownWidth_ = line.size();
}

} // namespace ternc::tool
