#include "ops/check_record.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/log.h"
#include "common/record_header.h"
#include "common/time_util.h"
#include "formats/ops_keys.h"

namespace dredge {
namespace {

constexpr int kCheckRecordVersion = 1;
constexpr const char* kFormat = "dredge-check";

}  // namespace

std::string CheckStatusFor(const Status& status) {
  if (status.ok()) return "ok";
  if (status.Is(ErrorKind::kMismatch) || status.Is(ErrorKind::kCorrupt)) return "mismatch";
  return "failed";
}

std::string EncodeCheckRecord(const CheckRecord& r) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.counts) counts[k] = v;
  nlohmann::ordered_json j = {
      {"format", kFormat},
      {"version", kCheckRecordVersion},
      {"kind", r.kind},
      {"tier", r.tier},
      {"destination", r.destination},
      {"run_id", r.run.run_id},
      {"host", r.run.host},
      {"start", FormatIsoUtcNanos(r.run.start_ns)},
      {"end", FormatIsoUtcNanos(r.end_ns)},
      {"duration_s", std::round((r.end_ns - r.run.start_ns) / 1e6) / 1000},
      {"status", r.status},
      {"exit_code", r.exit_code},
      {"message", log::Scrub(r.message)},
      {"counts", counts},
  };
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<CheckRecord> DecodeCheckRecord(std::string_view bytes, const std::string& key) {
  try {
    auto j = nlohmann::json::parse(bytes);
    DREDGE_RETURN_IF_ERROR(
        CheckRecordHeader(j, kFormat, kCheckRecordVersion, "check record '" + key + "'"));
    CheckRecord r;
    r.key = key;
    r.kind = j.at("kind").get<std::string>();
    r.tier = j.at("tier").get<std::string>();
    r.destination = j.value("destination", "");
    r.run.run_id = j.value("run_id", "");
    r.run.host = j.value("host", "");
    DREDGE_ASSIGN_OR_RETURN(r.run.start_ns, ParseIsoTime(j.at("start").get<std::string>()));
    DREDGE_ASSIGN_OR_RETURN(r.end_ns, ParseIsoTime(j.at("end").get<std::string>()));
    r.status = j.at("status").get<std::string>();
    r.exit_code = j.value("exit_code", 0);
    r.message = j.value("message", "");
    if (j.contains("counts"))
      for (const auto& [k, v] : j.at("counts").items()) r.counts[k] = v.get<int64_t>();
    return r;
  } catch (const std::exception& e) {
    return Status::Corrupt("cannot read check record '" + key + "': " + e.what());
  }
}

Result<std::string> WriteCheckRecord(ObjectStore& store, CheckRecord record) {
  if (record.end_ns == 0) record.end_ns = NowUnixNanos();
  std::string key = ops_keys::CheckRecordKey(record.tier, record.kind,
                                             record.run.start_ns / 1000000000, record.run.run_id);
  PutOptions po;
  po.if_absent = true;
  po.content_type = "application/json";
  auto put = PutString(store, key, EncodeCheckRecord(record), po);
  if (!put.ok())
    return put.status().WithContext("cannot write check record '" + key + "' to " +
                                    store.Describe());
  return key;
}

void RecordCheck(ObjectStore& store, const std::string& kind, const std::string& tier,
                 const RunIdentity& run, const Status& outcome,
                 const std::map<std::string, int64_t>& counts) {
  CheckRecord r;
  r.kind = kind;
  r.tier = tier;
  r.destination = store.Describe();
  r.run = run;
  r.status = CheckStatusFor(outcome);
  r.exit_code = ExitCodeFor(outcome);
  r.message = outcome.message();
  r.counts = counts;
  auto key = WriteCheckRecord(store, r);
  if (!key.ok())
    log::Warn(key.status().message() +
              "; the check's result stands, but `dredge report` will not show it (give the "
              "credentials write access to .dredge/checks/)");
}

Result<std::optional<CheckRecord>> NewestCheckRecord(ObjectStore& store, const std::string& tier,
                                                     const std::string& kind) {
  std::vector<std::string> keys;
  std::string prefix = ops_keys::CheckRecordPrefix(tier, kind);
  Status st = store.List(prefix, [&](const ObjectInfo& info) {
    if (info.key.ends_with(".json")) keys.push_back(info.key);
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("cannot list check records under '" + prefix + "'");
  std::sort(keys.begin(), keys.end());
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    auto bytes = GetString(store, *it);
    if (!bytes.ok()) continue;
    auto r = DecodeCheckRecord(*bytes, *it);
    if (r.ok()) return std::optional<CheckRecord>(std::move(*r));
    log::Warn("skipping check record: " + r.status().message());
  }
  return std::optional<CheckRecord>();
}

}  // namespace dredge
