#include "config/dredge_config.h"

#include <set>

namespace dredge {

StoreOptions ToStoreOptions(const DestinationConfig& d) {
  StoreOptions o;
  o.endpoint_url = d.endpoint;
  o.region = d.region;
  o.profile = d.profile;
  o.sse = d.sse;
  o.sse_kms_key_id = d.sse_kms_key_id;
  o.storage_class = d.storage_class;
  o.force_path_style = d.path_style;
  o.object_lock = d.object_lock;
  return o;
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
