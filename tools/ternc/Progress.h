//===- Progress.h - What a long command is doing, on a terminal -*- C++ -*-===//
//
// `ternc compile` of a 2B model spends seconds packing, generating code and
// linking. On a terminal, one status line on stderr says which step runs
// (and how far packing is), rewritten in place and erased at the end; when
// stderr is not a terminal (CI logs, pipes) nothing is printed.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_TOOLS_TERNC_PROGRESS_H
#define TERNC_TOOLS_TERNC_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <string>

namespace ternc::tool {

/// The status line of one command; silent unless stderr is a terminal.
class Progress {
public:
  /// A status line when `wanted` and stderr is a terminal.
  explicit Progress(bool wanted);
  /// Erases the line.
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  /// Shows `step` ("linking") as what runs now.
  void step(const std::string &step);
  /// Shows `step` with `done` of `total` bytes, at most ten times a second.
  void bytes(const std::string &step, uint64_t done, uint64_t total);

private:
  void show(const std::string &line);

  bool enabled_;
  size_t shownWidth_ = 0;
  std::chrono::steady_clock::time_point lastShown_{};
};

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_PROGRESS_H
