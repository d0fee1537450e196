#include "engine/drill/sample.h"

#include <random>

namespace dredge {

uint64_t RandomSeed() {
  std::random_device rd;
  uint64_t hi = rd(), lo = rd();
  // Below 2^53, so the seed survives JSON readers that hold numbers as doubles (jq 1.6).
  return ((hi << 32) | lo) & ((uint64_t{1} << 53) - 1);
}

uint64_t SamplePriority(uint64_t seed, std::string_view name) {
  // FNV-1a over the name, then splitmix64's finaliser with the seed folded in: cheap, stable
  // across platforms and builds, and well mixed enough that the order looks random.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  uint64_t z = h ^ (seed + 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace dredge
