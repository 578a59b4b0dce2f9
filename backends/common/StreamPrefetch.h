//===- StreamPrefetch.h - Software prefetch of streamed weights -*- C++ -*-===//
//
// A compiled model's weights are used in place, mapped from the executable
// in 4 KiB pages, and the hardware prefetchers stop at every page boundary:
// a stream of weights then stalls on a miss every 4 KiB. Software prefetches
// cross pages. The SIMD matmuls issue one per cache line they load, this
// far ahead of it: on this project's reference machine one core streaming
// a ternary matrix from 4 KiB pages went from 9.6 to 14.4 GB/s with 8 KiB
// (2 KiB: 13.1, 4 KiB: 14.0), all else equal. A prefetch never faults, so
// running past the end of a matrix is harmless.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_STREAMPREFETCH_H
#define TERNC_BACKENDS_COMMON_STREAMPREFETCH_H

#include <cstdint>

namespace ternc::backends {

/// Bytes ahead of a load that its prefetch goes.
inline constexpr int64_t kStreamPrefetchBytes = 8192;

/// Prefetches the cache line kStreamPrefetchBytes after `address` into L1.
inline void prefetchAhead(const void *address) {
  __builtin_prefetch(static_cast<const char *>(address) + kStreamPrefetchBytes,
                     0, 3);
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_STREAMPREFETCH_H
