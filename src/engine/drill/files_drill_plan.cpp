#include "engine/drill/files_drill_plan.h"

#include "formats/file_keys.h"

namespace dredge {

FilesDrillPlanner::FilesDrillPlanner(std::string snapshot, const FilesDrillOptions& o)
    : sampler_(o.seed, o.sample_count, o.sample_bytes) {
  plan_.snapshot = std::move(snapshot);
  plan_.seed = o.seed;
  plan_.source = o.source;
  plan_.scratch_parent = o.scratch_parent;
  plan_.keep = o.keep;
}

void FilesDrillPlanner::Offer(const SnapshotEntry& e) {
  sampler_.Offer(e.path, e.size, e);
}

FilesDrillPlan FilesDrillPlanner::Finish() {
  plan_.snapshot_files = sampler_.offered();
  plan_.snapshot_bytes = sampler_.offered_bytes();
  for (SnapshotEntry& e : sampler_.Take()) {
    plan_.sample_bytes += e.size;
    std::string key = file_keys::DataKey(e.path), content = file_keys::ContentKey(e.md5);
    plan_.sample.push_back({std::move(e), std::move(key), std::move(content)});
  }
  return std::move(plan_);
}

FilesDrillPlan PlanFilesDrill(const std::string& snapshot,
                              const std::vector<SnapshotEntry>& entries,
                              const FilesDrillOptions& o) {
  FilesDrillPlanner planner(snapshot, o);
  for (const auto& e : entries) planner.Offer(e);
  return planner.Finish();
}

}  // namespace dredge
