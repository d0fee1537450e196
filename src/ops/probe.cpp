#include "ops/probe.h"

#include <cstdlib>

#include "common/log.h"
#include "common/time_util.h"
#include "formats/ops_keys.h"
#include "ops/run_identity.h"

namespace dredge {
namespace {

CheckLine Ok(std::string name, std::string detail) {
  return {std::move(name), true, std::move(detail), ""};
}
CheckLine Fail(std::string name, std::string detail, std::string hint) {
  return {std::move(name), false, std::move(detail), std::move(hint)};
}

std::string Seconds(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1fs", ns / 1e9);
  return buf;
}

const char* kListHint = "allow s3:ListBucket on the bucket (with the destination's prefix)";
const char* kRolesHint = "see docs/security.md for the policies each role needs";

// With write refused: read-only credentials (restore, verify) are legitimate, so reading is
// probed with whatever the store already holds.
void ProbeWithoutWrite(ObjectStore& store, const std::string& where, std::vector<CheckLine>& out) {
  std::string first;
  Status list = store.List("", [&](const ObjectInfo& info) {
    first = info.key;
    return Status(ErrorKind::kCancelled, "first object found");
  });
  const bool listed = list.ok() || list.Is(ErrorKind::kCancelled);
  if (listed)
    out.push_back(
        Ok("list", first.empty() ? "listing works (the store is empty)" : "listing works"));
  else
    out.push_back(Fail("list", "cannot list" + where + ": " + list.message(), kListHint));
  std::string read_state = "unknown (nothing to read)";
  if (!first.empty()) {
    StringSink sink;
    Status get = store.Get(first, sink, ByteRange{0, 0});
    read_state = get.ok() ? "yes" : "no";
    if (get.ok())
      out.push_back(Ok("read", "read the first byte of '" + first + "'"));
    else
      out.push_back(Fail("read", "cannot read '" + first + "': " + get.message(),
                         "allow s3:GetObject on the destination"));
  }
  out.push_back(Fail("delete", "not run: no probe object", "fix the write first"));
  std::string roles =
      "backup no, restore/verify " + (listed ? read_state : std::string("no")) + ", prune no";
  if (listed && read_state == "yes")
    out.push_back(Ok("roles", roles + " (read-only credentials)"));
  else
    out.push_back(Fail("roles", roles, kRolesHint));
}

bool ProbeReadBack(ObjectStore& store, const std::string& key, const std::string& body,
                   std::vector<CheckLine>& out) {
  auto got = GetString(store, key);
  if (!got.ok()) {
    out.push_back(Fail("read", "cannot read the probe back: " + got.status().message(),
                       "allow s3:GetObject on the destination (restore and verify need it too)"));
    return false;
  }
  if (*got != body) {
    out.push_back(Fail("read",
                       "the probe came back different (" + std::to_string(got->size()) +
                           " bytes instead of " + std::to_string(body.size()) + ")",
                       "something between dredge and the store changes data: check proxies, "
                       "and the endpoint URL"));
    return false;
  }
  out.push_back(Ok("read", "read the probe back, bytes match"));
  return true;
}

bool ProbeListing(ObjectStore& store, const std::string& key, const std::string& where,
                  std::vector<CheckLine>& out) {
  bool listed = false;
  const std::string probes(ops_keys::kProbePrefix);
  Status list = store.List(probes, [&](const ObjectInfo& info) {
    if (info.key == key) listed = true;
    return Status::Ok();
  });
  if (!list.ok())
    out.push_back(
        Fail("list", "cannot list '" + probes + "'" + where + ": " + list.message(), kListHint));
  else if (!listed)
    out.push_back(Fail("list", "the probe is missing from the listing of '" + probes + "'",
                       "the store does not list what it stores: check the endpoint and that no "
                       "lifecycle rule or replication lag hides new objects"));
  else
    out.push_back(Ok("list", "the probe is listed"));
  return list.ok() && listed;
}

// The store's last-modified of the probe against our clock at the time of the write. S3 keeps
// seconds only, so a second of difference is noise.
void ProbeClock(ObjectStore& store, const std::string& key, int64_t before, int64_t after,
                const ProbeOptions& options, std::vector<CheckLine>& out) {
  auto stat = store.Stat(key);
  if (!stat.ok()) {
    out.push_back(Fail("clock", "cannot stat the probe: " + stat.status().message(),
                       "allow s3:GetObject (HEAD) on the destination"));
    return;
  }
  int64_t skew = stat->mtime_ns - (before + (after - before) / 2);
  int64_t abs_skew = skew < 0 ? -skew : skew;
  std::string text = "store clock " + Seconds(skew) + " from ours (probe last-modified " +
                     FormatIsoUtcNanos(stat->mtime_ns) + ")";
  if (abs_skew > options.max_skew_s * 1000000000)
    out.push_back(Fail("clock", text,
                       "synchronise this machine's clock (NTP: timedatectl set-ntp true); "
                       "signed requests fail beyond 15 minutes and leases expire wrongly"));
  else
    out.push_back(Ok("clock", text));
}

bool ProbeDelete(ObjectStore& store, const std::string& key, const std::string& where,
                 std::vector<CheckLine>& out) {
  Status rm = store.Remove(key);
  if (!rm.ok()) {
    out.push_back(Fail("delete", "cannot delete '" + key + "'" + where + ": " + rm.message(),
                       "allow s3:DeleteObject on .dredge/* (leases and run debris), then delete '" +
                           key + "' by hand"));
    return false;
  }
  if (auto gone = store.Stat(key); gone.ok()) {
    out.push_back(Fail("delete", "'" + key + "' is still there after a successful delete",
                       "the store ignores deletes: check versioning/object-lock settings"));
    return false;
  }
  out.push_back(Ok("delete", "deleted the probe"));
  return true;
}

// "yes"/"no" after writing and deleting an object outside the records folder.
std::string ProbePrune(ObjectStore& store, std::vector<CheckLine>& out) {
  std::string data_key = ops_keys::PruneProbeKey(RandomHex(12));
  auto p = PutString(store, data_key, "prune probe\n");
  Status d = p.ok() ? store.Remove(data_key) : p.status();
  if (d.ok()) {
    out.push_back(Ok("prune", "wrote and deleted '" + data_key + "' outside .dredge/"));
    return "yes";
  }
  out.push_back(Fail("prune", "cannot write and delete outside .dredge/: " + d.message(),
                     "only the prune role needs this; if it is meant to prune, allow "
                     "s3:DeleteObject on the whole prefix" +
                         (p.ok() ? ", and delete '" + data_key + "' by hand" : "")));
  return "no";
}

}  // namespace

std::vector<CheckLine> ProbeStore(ObjectStore& store, const ProbeOptions& options) {
  std::vector<CheckLine> out;
  const std::string where = " on " + store.Describe();
  const std::string key = ops_keys::ProbeKey(HostName(), RandomHex(12));
  const std::string body = "dredge check probe " + key + "\n";
  const int64_t before = NowUnixNanos();
  auto put = PutString(store, key, body);
  const int64_t after = NowUnixNanos();
  if (!put.ok()) {
    out.push_back(Fail("write",
                       "cannot write '" + key + "'" + where + ": " + put.status().message(),
                       "allow s3:PutObject on the destination's .dredge/* keys (docs/security.md), "
                       "or make the directory writable"));
    ProbeWithoutWrite(store, where, out);
    return out;
  }
  out.push_back(Ok("write", "wrote " + std::to_string(body.size()) + " bytes to '" + key + "'"));
  const bool read_ok = ProbeReadBack(store, key, body, out);
  const bool listed = ProbeListing(store, key, where, out);
  ProbeClock(store, key, before, after, options, out);
  const bool delete_ok = ProbeDelete(store, key, where, out);
  const std::string prune_state =
      options.probe_prune ? ProbePrune(store, out) : "not probed (add --probe-prune)";
  const bool read_role = read_ok && listed;
  const bool backup_role = read_role && delete_ok;
  std::string roles = std::string("backup ") + (backup_role ? "yes" : "no") + ", restore/verify " +
                      (read_role ? "yes" : "no") + ", prune " + prune_state;
  if (backup_role || read_role)
    out.push_back(Ok("roles", roles));
  else
    out.push_back(Fail("roles", roles, kRolesHint));
  return out;
}

}  // namespace dredge
