//===- StreamPrefetch.h - Software prefetch of streamed weights -*- C++ -*-===//
//
// Hardware prefetchers stop at every 4 KiB page boundary, so a stream of
// weights mapped in 4 KiB pages (`--mmap`) stalls on a miss every 4 KiB
// unless software prefetches cross the pages; with resident weights in huge
// pages they still help the short rows of the ternary matmuls. The SIMD
// matmuls issue one per cache line they load, a window of 8 KiB ahead of it:
// on an Intel host one core streaming a ternary matrix from 4 KiB pages went
// from 9.6 to 14.4 GB/s with 8 KiB (2 KiB: 13.1, 4 KiB: 14.0). A kernel
// that reads several far-apart streams side by side splits the window among
// them, so that the lines in flight stay within L1: the f16 LM head's eight
// row groups, 8 KiB ahead each, streamed at 67% of the read probe on an AMD
// EPYC (Zen 5) host, 1 KiB ahead each at 91-97%. A kernel that reads
// a tile of adjacent rows side by side, each once, prefetches the same place
// in the next tile instead (prefetchNextTile): the ternary decode's tile of
// 12 rows went from 55-75% of the probe (8 KiB ahead, which lands inside
// the tile itself when rows are long) to 76-86%. A prefetch never faults, so
// running past the end of a matrix is harmless.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_STREAMPREFETCH_H
#define TERNC_BACKENDS_COMMON_STREAMPREFETCH_H

#include <cstdint>

namespace ternc::backends {

/// Bytes ahead of the loads that their prefetches go, over all the streams
/// a kernel reads side by side.
inline constexpr int64_t kStreamPrefetchBytes = 8192;

/// Prefetches into L1 the cache line a 1/Streams share of
/// kStreamPrefetchBytes after `address`, for a kernel that reads `Streams`
/// far-apart streams side by side (rows close together, such as a tile of
/// short ternary rows, are one stream).
template <int Streams = 1> inline void prefetchAhead(const void *address) {
  static_assert(Streams >= 1, "a kernel reads at least one stream");
  __builtin_prefetch(static_cast<const char *>(address) +
                         kStreamPrefetchBytes / Streams,
                     0, 3);
}

/// Prefetches into L1 the cache line `tileBytes` after `address`: for a
/// kernel streaming a tile of adjacent rows side by side, `tileBytes` the
/// tile's size, the line it will load at the same place of the next tile.
inline void prefetchNextTile(const void *address, int64_t tileBytes) {
  __builtin_prefetch(static_cast<const char *>(address) + tileBytes, 0, 3);
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_STREAMPREFETCH_H
