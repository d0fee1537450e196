#include "engine/files/prune_record.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

nlohmann::json RecordJson(const std::string& id, int64_t now_s, const RetentionPolicy& policy,
                          const std::string& host, const std::vector<std::string>& retiring,
                          const PruneRecordCounts& planned) {
  return {{"format", kPruneRecordFormat},
          {"version", kPruneRecordVersion},
          {"id", id},
          {"started_at", FormatIsoUtc(now_s)},
          {"host", IsValidUtf8(host) ? host : ""},
          {"policy",
           {{"keep_last", policy.keep_last},
            {"keep_daily", policy.keep_daily},
            {"keep_weekly", policy.keep_weekly},
            {"keep_monthly", policy.keep_monthly}}},
          {"retiring", retiring},
          {"planned",
           {{"snapshots", retiring.size()},
            {"data_objects", planned.data},
            {"content_objects", planned.content},
            {"bytes", planned.bytes}}}};
}

}  // namespace

Result<std::string> WritePruneRecord(ObjectStore& store, const RetentionPolicy& policy,
                                     const std::string& host,
                                     const std::vector<std::string>& existing,
                                     const std::vector<std::string>& retiring,
                                     const PruneRecordCounts& planned) {
  int64_t now_s = NowUnixNanos() / 1000000000LL;
  for (int attempt = 0;; ++attempt) {
    int64_t name_s = now_s;
    if (!existing.empty()) {
      auto t = ParseCompactUtc(existing.back().substr(6, 15));
      if (t.ok() && *t >= name_s) name_s = *t + 1;
    }
    std::string id = file_keys::NewPruneRecordId(name_s);
    PutOptions opts;
    opts.if_absent = true;
    opts.content_type = "application/json";
    auto j = RecordJson(id, now_s, policy, host, retiring, planned);
    auto put = PutString(store, file_keys::PruneRecordKey(id), j.dump(1) + "\n", opts);
    if (put.ok()) return id;
    if (!put.status().Is(ErrorKind::kPreconditionFailed) || attempt >= 3)
      return put.status().WithContext("cannot write prune record " + id);
  }
}

}  // namespace dredge
