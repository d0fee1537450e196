#include "config/dredge_config.h"

#include <set>

namespace dredge {

StoreOptions ToStoreOptions(const DestinationConfig& d) {
  return d.store;
}

std::vector<DestinationConfig> DredgeConfig::DestinationsFor(const std::string& tier) const {
  const auto& list = tier == "db" ? db.destinations : files.destinations;
  if (!list.empty()) return list;
  DestinationConfig d;
  d.url = kDefaultDestinationUrl;
  return {d};
}

std::vector<DestinationConfig> DredgeConfig::AllDestinations() const {
  std::vector<DestinationConfig> out;
  std::set<std::string> seen;
  for (const auto* list : {&files.destinations, &db.destinations})
    for (const auto& d : *list)
      if (seen.insert(d.url).second) out.push_back(d);
  if (out.empty()) {
    DestinationConfig d;
    d.url = kDefaultDestinationUrl;
    out.push_back(d);
  }
  return out;
}

}  // namespace dredge
