// The checks behind `dredge check`: can this machine, with these credentials, do its job?
// Each check yields one line: its name, OK or FAIL, what was found, and for a FAIL what to do.
//
// ProbeStore writes a small probe object under `.dredge/check/`, reads it back (bytes compared),
// finds it in a listing, deletes it (and confirms it is gone), and compares the store's clock
// (the probe's last-modified) with ours. It cleans up after itself; if the delete is refused the
// probe's key is named so it can be removed by hand. With `probe_prune`, it also writes and
// deletes an object outside `.dredge/` (the right only `dredge prune` needs). A last line says
// which roles of docs/security.md the credentials can fill: backup (write, read, list, delete
// under .dredge/), restore/verify (read, list), prune (delete everywhere).
//
// ProbeDatabase connects (application_name=dredge), runs `SELECT 1 FROM <table> LIMIT 1`, and
// reports whether the role could also write to the table (a read-only role is enough and safer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/object_store.h"

namespace dredge {

struct CheckLine {
  std::string name;  // "write", "read", "list", "delete", "clock", "roles", "connect", "select"
  bool ok = false;
  std::string detail;  // what was found
  std::string hint;    // for a FAIL: what to do
};

struct ProbeOptions {
  bool probe_prune = false;
  int64_t max_skew_s = 300;  // beyond this the clock check fails (SigV4 allows 15 min)
};

std::vector<CheckLine> ProbeStore(ObjectStore& store, const ProbeOptions& options);

// `conninfo` as libpq takes it (empty = PG* environment); `table` may be "schema.table".
std::vector<CheckLine> ProbeDatabase(const std::string& conninfo, const std::string& table);

}  // namespace dredge
