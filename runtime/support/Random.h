//===- Random.h - A generator that is the same everywhere -------*- C++ -*-===//
//
// xoshiro256** 1.0 (Blackman and Vigna), seeded through splitmix64 as its
// authors recommend. The standard library's engines are portable but its
// distributions (std::uniform_real_distribution, std::discrete_distribution)
// are not: libstdc++, libc++ and MSVC turn the same engine output into
// different numbers. Everything here is plain 64-bit integer arithmetic, so a
// seed gives the same sequence on every platform and compiler.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_SUPPORT_RANDOM_H
#define TERNC_RUNTIME_SUPPORT_RANDOM_H

#include <array>
#include <cstdint>

namespace ternc {

/// splitmix64 (Steele, Lea and Flood): 64 bits of state; a fast generator
/// that mixes any seed well, used to seed xoshiro and for test data.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  /// The next 64 random bits.
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

private:
  uint64_t state_;
};

/// xoshiro256**: 256 bits of state, period 2^256 - 1, passes BigCrush.
class Xoshiro256StarStar {
public:
  /// Fills the state with four outputs of splitmix64 started at `seed`, so
  /// that any seed (0 included) gives a well-mixed, non-zero state.
  explicit Xoshiro256StarStar(uint64_t seed) {
    SplitMix64 seeder(seed);
    for (uint64_t &word : state_)
      word = seeder.next();
  }

  /// The next 64 random bits.
  uint64_t next() {
    uint64_t result = rotateLeft(state_[1] * 5, 7) * 9;
    uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotateLeft(state_[3], 45);
    return result;
  }

  /// Uniform in [0, 1): the top 53 bits of next() scaled by 2^-53, so every
  /// value is a multiple of 2^-53 and exactly representable as a double.
  double nextUniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }

private:
  static uint64_t rotateLeft(uint64_t value, int bits) {
    return (value << bits) | (value >> (64 - bits));
  }

  std::array<uint64_t, 4> state_;
};

} // namespace ternc

#endif // TERNC_RUNTIME_SUPPORT_RANDOM_H
