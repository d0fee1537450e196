// The drill's sampler (engine/drill/sample.h): bounded by count and bytes, sorted by name, the
// same sample for the same seed whatever the order candidates arrive in, another for another seed.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/drill/sample.h"

namespace dredge {
namespace {

std::vector<std::string> Sample(uint64_t seed, uint64_t count, uint64_t bytes, bool reversed,
                                uint64_t each = 10) {
  Sampler<std::string> s(seed, count, bytes);
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i) names.push_back("dir/file_" + std::to_string(i));
  if (reversed) std::reverse(names.begin(), names.end());
  for (const auto& n : names) s.Offer(n, each, n);
  EXPECT_EQ(s.offered(), 200u);
  EXPECT_EQ(s.offered_bytes(), 200u * each);
  return s.Take();
}

TEST(DrillSample, TakesTheCountSortedByName) {
  auto a = Sample(42, 20, 1 << 20, false);
  ASSERT_EQ(a.size(), 20u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
}

TEST(DrillSample, SameSeedSameSampleInAnyOrderOtherSeedOtherSample) {
  EXPECT_EQ(Sample(42, 20, 1 << 20, false), Sample(42, 20, 1 << 20, true));
  EXPECT_NE(Sample(42, 20, 1 << 20, false), Sample(43, 20, 1 << 20, false));
}

TEST(DrillSample, TheByteBoundWins) {
  auto a = Sample(7, 20, 55, false);  // 10 bytes each: 5 fit
  EXPECT_EQ(a.size(), 5u);
}

TEST(DrillSample, ACandidateLargerThanTheBudgetIsPassedOver) {
  Sampler<int> s(1, 10, 100);
  s.Offer("huge", 1000, 1);
  s.Offer("small", 10, 2);
  EXPECT_EQ(s.Take(), std::vector<int>{2});
}

TEST(DrillSample, PriorityIsStableAcrossBuilds) {
  // A seed printed by one build must pick the same files in another: pin the function.
  EXPECT_EQ(SamplePriority(42, "1920/per_paper_0.txt"), 5686325064065324580ull);
  EXPECT_EQ(SamplePriority(0, ""), 8433979811052588371ull);
  EXPECT_NE(SamplePriority(1, "a"), SamplePriority(2, "a"));
  EXPECT_NE(SamplePriority(1, "a"), SamplePriority(1, "b"));
}

TEST(DrillSample, RandomSeedsFitInAJsonDouble) {
  for (int i = 0; i < 100; ++i) EXPECT_LT(RandomSeed(), uint64_t{1} << 53);
}

}  // namespace
}  // namespace dredge
