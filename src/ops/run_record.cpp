#include "ops/run_record.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/record_header.h"
#include "common/time_util.h"
#include "formats/ops_keys.h"

namespace dredge {
namespace {

constexpr int kRunRecordVersion = 1;
constexpr const char* kFormat = "dredge-run";

Result<std::vector<std::string>> ListKeys(ObjectStore& store, const std::string& tier) {
  std::vector<std::string> keys;
  std::string prefix = ops_keys::RunRecordPrefix(tier);
  Status st = store.List(prefix, [&](const ObjectInfo& info) {
    if (ops_keys::IsRunRecordKey(info.key)) keys.push_back(info.key);
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("cannot list run records under '" + prefix + "'");
  std::sort(keys.begin(), keys.end());
  return keys;
}

Result<RunRecord> ReadRecord(ObjectStore& store, const std::string& key) {
  DREDGE_ASSIGN_OR_RETURN(std::string bytes, GetString(store, key));
  return DecodeRunRecord(bytes, key);
}

}  // namespace

std::string RunStatusFor(const Status& status) {
  if (status.ok()) return "ok";
  if (status.Is(ErrorKind::kPartial)) return "partial";
  return "failed";
}

std::string RunRecordKey(const RunRecord& r) {
  return ops_keys::RunRecordKey(r.tier, r.run.start_ns / 1000000000, r.run.run_id);
}

std::string EncodeRunRecord(const RunRecord& r) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.counts) counts[k] = v;
  nlohmann::ordered_json j = {
      {"format", kFormat},
      {"version", kRunRecordVersion},
      {"tier", r.tier},
      {"command", r.command},
      {"destination", r.destination},
      {"run_id", r.run.run_id},
      {"host", r.run.host},
      {"pid", r.run.pid},
      {"start", FormatIsoUtcNanos(r.run.start_ns)},
      {"end", FormatIsoUtcNanos(r.end_ns)},
      {"duration_s", std::round(r.duration_seconds() * 1000) / 1000},
      {"status", r.status},
      {"exit_code", r.exit_code},
      {"error", log::Scrub(r.error)},
      {"objects", r.objects},
      {"bytes", r.bytes},
      {"rows", r.rows},
      {"counts", counts},
      {"snapshot", r.snapshot},
  };
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<RunRecord> DecodeRunRecord(std::string_view bytes, const std::string& key) {
  try {
    auto j = nlohmann::json::parse(bytes);
    DREDGE_RETURN_IF_ERROR(
        CheckRecordHeader(j, kFormat, kRunRecordVersion, "run record '" + key + "'"));
    RunRecord r;
    r.key = key;
    r.tier = j.at("tier").get<std::string>();
    r.command = j.value("command", "");
    r.destination = j.value("destination", "");
    r.run.run_id = j.value("run_id", "");
    r.run.host = j.value("host", "");
    r.run.pid = j.value("pid", int64_t{0});
    DREDGE_ASSIGN_OR_RETURN(r.run.start_ns, ParseIsoTime(j.at("start").get<std::string>()));
    DREDGE_ASSIGN_OR_RETURN(r.end_ns, ParseIsoTime(j.at("end").get<std::string>()));
    r.status = j.at("status").get<std::string>();
    r.exit_code = j.value("exit_code", 0);
    r.error = j.value("error", "");
    r.objects = j.value("objects", uint64_t{0});
    r.bytes = j.value("bytes", uint64_t{0});
    r.rows = j.value("rows", uint64_t{0});
    if (j.contains("counts"))
      for (const auto& [k, v] : j.at("counts").items()) r.counts[k] = v.get<int64_t>();
    r.snapshot = j.value("snapshot", "");
    return r;
  } catch (const std::exception& e) {
    return Status::Corrupt("cannot read run record '" + key + "': " + e.what());
  }
}

Result<std::string> WriteRunRecord(ObjectStore& store, const RunRecord& record) {
  std::string key = RunRecordKey(record);
  PutOptions po;
  po.if_absent = true;
  po.content_type = "application/json";
  auto put = PutString(store, key, EncodeRunRecord(record), po);
  if (!put.ok())
    return put.status().WithContext("cannot write run record '" + key + "' to " + store.Describe());
  return key;
}

Result<std::vector<RunRecord>> ListRunRecords(ObjectStore& store, const std::string& tier) {
  DREDGE_ASSIGN_OR_RETURN(auto keys, ListKeys(store, tier));
  std::vector<RunRecord> out;
  for (const auto& key : keys) {
    auto r = ReadRecord(store, key);
    if (!r.ok()) {
      if (!r.status().Is(ErrorKind::kCorrupt) && !r.status().Is(ErrorKind::kNotFound))
        return r.status();
      log::Warn("skipping run record: " + r.status().message());
      continue;
    }
    out.push_back(std::move(r).value());
  }
  std::stable_sort(out.begin(), out.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.run.start_ns < b.run.start_ns;
  });
  return out;
}

Result<LastRuns> FindLastRuns(ObjectStore& store, const std::string& tier) {
  DREDGE_ASSIGN_OR_RETURN(auto keys, ListKeys(store, tier));
  LastRuns last;
  last.total = keys.size();
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    if (last.last_success && last.last_failure) break;
    auto r = ReadRecord(store, *it);
    if (!r.ok()) {
      if (!r.status().Is(ErrorKind::kCorrupt) && !r.status().Is(ErrorKind::kNotFound))
        return r.status();
      log::Warn("skipping run record: " + r.status().message());
      continue;
    }
    // Keys sort by start time (to the second), newest first here.
    if (r->ok()) {
      if (!last.last_success) last.last_success = *r;
    } else if (!last.last_failure) {
      last.last_failure = *r;
    }
  }
  return last;
}

}  // namespace dredge
