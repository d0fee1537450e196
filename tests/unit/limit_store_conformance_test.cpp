// The rate-limit wrapper must keep the whole ObjectStore contract: the conformance suite runs
// on a LimitStore around a memory store (limits high enough not to slow the suite).
#include "conformance/store_conformance.h"
#include "store/memory/memory_store.h"
#include "store/wrap/limit_store.h"

namespace dredge::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Limited, StoreConformance,
                         ::testing::Values(StoreFactory{
                             "limit_memory",
                             [] {
                               return std::shared_ptr<ObjectStore>(std::make_shared<LimitStore>(
                                   std::make_shared<MemoryStore>(),
                                   std::make_shared<Limiter>(1ull << 30, 100000)));
                             },
                             {}}),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace dredge::testing
