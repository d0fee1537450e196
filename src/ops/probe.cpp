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

}  // namespace

std::vector<CheckLine> ProbeStore(ObjectStore& store, const ProbeOptions& options) {
  std::vector<CheckLine> out;
  const std::string where = " on " + store.Describe();
  const std::string key = ops_keys::ProbeKey(HostName(), RandomHex(12));
  const std::string body = "dredge check probe " + key + "\n";

  int64_t before = NowUnixNanos();
  auto put = PutString(store, key, body);
  int64_t after = NowUnixNanos();
  if (!put.ok()) {
    out.push_back(Fail("write",
                       "cannot write '" + key + "'" + where + ": " + put.status().message(),
                       "allow s3:PutObject on the destination's .dredge/* keys (docs/security.md), "
                       "or make the directory writable"));
    // Read-only credentials (restore, verify) are legitimate: probe reading with whatever the
    // store already holds.
    std::string first;
    Status list = store.List("", [&](const ObjectInfo& info) {
      first = info.key;
      return Status(ErrorKind::kCancelled, "first object found");
    });
    bool listed = list.ok() || list.Is(ErrorKind::kCancelled);
    if (listed)
      out.push_back(
          Ok("list", first.empty() ? "listing works (the store is empty)" : "listing works"));
    else
      out.push_back(Fail("list", "cannot list" + where + ": " + list.message(),
                         "allow s3:ListBucket on the bucket (with the destination's prefix)"));
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
      out.push_back(Fail("roles", roles, "see docs/security.md for the policies each role needs"));
    return out;
  }
  out.push_back(Ok("write", "wrote " + std::to_string(body.size()) + " bytes to '" + key + "'"));

  bool read_ok = false;
  auto got = GetString(store, key);
  if (!got.ok())
    out.push_back(Fail("read", "cannot read the probe back: " + got.status().message(),
                       "allow s3:GetObject on the destination (restore and verify need it too)"));
  else if (*got != body)
    out.push_back(Fail("read",
                       "the probe came back different (" + std::to_string(got->size()) +
                           " bytes instead of " + std::to_string(body.size()) + ")",
                       "something between dredge and the store changes data: check proxies, "
                       "and the endpoint URL"));
  else
    read_ok = true, out.push_back(Ok("read", "read the probe back, bytes match"));

  bool listed = false;
  const std::string probes(ops_keys::kProbePrefix);
  Status list = store.List(probes, [&](const ObjectInfo& info) {
    if (info.key == key) listed = true;
    return Status::Ok();
  });
  if (!list.ok())
    out.push_back(Fail("list", "cannot list '" + probes + "'" + where + ": " + list.message(),
                       "allow s3:ListBucket on the bucket (with the destination's prefix)"));
  else if (!listed)
    out.push_back(Fail("list", "the probe is missing from the listing of '" + probes + "'",
                       "the store does not list what it stores: check the endpoint and that no "
                       "lifecycle rule or replication lag hides new objects"));
  else
    out.push_back(Ok("list", "the probe is listed"));

  // Clock: the store's last-modified against our clock at the time of the write. S3 keeps
  // seconds only, so a second of difference is noise.
  auto stat = store.Stat(key);
  if (!stat.ok()) {
    out.push_back(Fail("clock", "cannot stat the probe: " + stat.status().message(),
                       "allow s3:GetObject (HEAD) on the destination"));
  } else {
    int64_t mid = before + (after - before) / 2;
    int64_t skew = stat->mtime_ns - mid;
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

  bool delete_ok = false;
  Status rm = store.Remove(key);
  if (!rm.ok()) {
    out.push_back(Fail("delete", "cannot delete '" + key + "'" + where + ": " + rm.message(),
                       "allow s3:DeleteObject on .dredge/* (leases and run debris), then delete '" +
                           key + "' by hand"));
  } else if (auto gone = store.Stat(key); gone.ok()) {
    out.push_back(Fail("delete", "'" + key + "' is still there after a successful delete",
                       "the store ignores deletes: check versioning/object-lock settings"));
  } else {
    delete_ok = true;
    out.push_back(Ok("delete", "deleted the probe"));
  }

  std::string prune_state = "not probed (add --probe-prune)";
  bool prune_ok = false;
  if (options.probe_prune) {
    std::string data_key = "dredge-check-prune-probe-" + RandomHex(12);
    auto p = PutString(store, data_key, "prune probe\n");
    Status d = p.ok() ? store.Remove(data_key) : p.status();
    prune_ok = d.ok();
    prune_state = prune_ok ? "yes" : "no";
    if (prune_ok)
      out.push_back(Ok("prune", "wrote and deleted '" + data_key + "' outside .dredge/"));
    else
      out.push_back(Fail("prune", "cannot write and delete outside .dredge/: " + d.message(),
                         "only the prune role needs this; if it is meant to prune, allow "
                         "s3:DeleteObject on the whole prefix" +
                             (p.ok() ? ", and delete '" + data_key + "' by hand" : "")));
  }

  bool read_role = read_ok && listed;
  bool backup_role = read_role && delete_ok;
  std::string roles = std::string("backup ") + (backup_role ? "yes" : "no") + ", restore/verify " +
                      (read_role ? "yes" : "no") + ", prune " + prune_state;
  bool roles_ok = backup_role || read_role;
  if (roles_ok)
    out.push_back(Ok("roles", roles));
  else
    out.push_back(Fail("roles", roles, "see docs/security.md for the policies each role needs"));
  return out;
}

}  // namespace dredge
