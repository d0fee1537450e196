// The random sample a restore drill checks, reproducible from a seed.
//
// Every candidate gets a priority that depends only on the seed and its name (a keyed 64-bit
// mix, not std::hash, so it is the same on every build): the same seed picks the same files from
// any snapshot that still holds them, and a failing drill can be repeated with its printed seed.
// Sampler keeps the `max_count` lowest priorities while candidates stream past (memory bounded by
// the sample, not the snapshot), then Take() accepts them in priority order while they fit into
// `max_bytes`; a candidate larger than what is left is passed over, so the sample may hold fewer
// than `max_count` items. Take() returns the sample sorted by name.
#pragma once

#include <algorithm>
#include <cstdint>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

namespace dredge {

// A seed from the system's random device (for a drill run without --seed).
uint64_t RandomSeed();

// The priority of `name` under `seed` (lower = sampled first).
uint64_t SamplePriority(uint64_t seed, std::string_view name);

template <typename T>
class Sampler {
 public:
  Sampler(uint64_t seed, uint64_t max_count, uint64_t max_bytes)
      : seed_(seed), max_count_(max_count), max_bytes_(max_bytes) {}

  void Offer(const std::string& name, uint64_t bytes, T item) {
    ++offered_;
    offered_bytes_ += bytes;
    if (max_count_ == 0) return;
    Candidate c{SamplePriority(seed_, name), name, bytes, std::move(item)};
    if (heap_.size() < max_count_) {
      heap_.push(std::move(c));
    } else if (c.priority < heap_.top().priority) {
      heap_.pop();
      heap_.push(std::move(c));
    }
  }

  // Items accepted as described above, sorted by name. Leaves the sampler empty.
  std::vector<T> Take() {
    std::vector<Candidate> all;
    while (!heap_.empty()) {
      all.push_back(heap_.top());
      heap_.pop();
    }
    std::sort(all.begin(), all.end(),
              [](const Candidate& a, const Candidate& b) { return a.priority < b.priority; });
    uint64_t used = 0;
    std::vector<Candidate> kept;
    for (auto& c : all) {
      if (c.bytes > max_bytes_ - used) continue;
      used += c.bytes;
      kept.push_back(std::move(c));
    }
    std::sort(kept.begin(), kept.end(),
              [](const Candidate& a, const Candidate& b) { return a.name < b.name; });
    std::vector<T> out;
    for (auto& c : kept) out.push_back(std::move(c.item));
    return out;
  }

  uint64_t offered() const { return offered_; }
  uint64_t offered_bytes() const { return offered_bytes_; }

 private:
  struct Candidate {
    uint64_t priority;
    std::string name;
    uint64_t bytes;
    T item;
  };
  struct Later {
    bool operator()(const Candidate& a, const Candidate& b) const {
      return a.priority < b.priority;
    }
  };
  uint64_t seed_, max_count_, max_bytes_;
  uint64_t offered_ = 0, offered_bytes_ = 0;
  std::priority_queue<Candidate, std::vector<Candidate>, Later> heap_;  // top = highest
};

}  // namespace dredge
