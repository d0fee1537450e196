// Reading the database tier's records from a store: which manifests and chunks exist, the
// newest dredge manifest, a manifest's chain back to its full run, and the restore point a
// user asks for (newest, --as-of TIME, --manifest ID). Keys come from formats/db_keys.h.
// A manifest that prune retired (engine/db/prune.h) lives under dbkeys::kRetiredPrefix: it is no
// restore point (ListPrefix does not list it) but LoadChain still follows links through it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "formats/db_keys.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

struct PrefixListing {
  std::vector<std::string> manifest_keys;  // ascending (= by time)
  std::vector<std::string> chunk_keys;     // every parseable chunk key, ascending
  uint64_t max_chunk_number = 0;           // 0 when there is none
};

Result<PrefixListing> ListPrefix(ObjectStore& store);

// Reads and parses one manifest of either version; the `key` of the run and of each table
// entry is filled. Unsupported for a legacy one.
Result<RunManifest> LoadManifest(ObjectStore& store, const std::string& key);

// The newest dredge manifest (legacy ones skipped), or nullopt when there is none. An
// unreadable newest manifest is an error naming it.
Result<std::optional<RunManifest>> NewestManifest(ObjectStore& store, const PrefixListing& listing);

// The entries of `target`'s table from `target` back to (and including) the table's full
// run, newest first: each link is the previous manifest's entry for the same table; a link
// missing from the manifests is read from its retired copy.
// Corrupt/NotFound naming the missing link (or the manifest that lacks the table).
Result<std::vector<Manifest>> LoadChain(ObjectStore& store, Manifest target);

struct RestorePointQuery {
  std::optional<int64_t> as_of_unix_nanos;
  std::string manifest;  // id, key or stamp
};

// Picks the manifest key: --manifest, else the newest whose name time (UTC) is at or before
// --as-of, else the newest. Usage/NotFound with a message naming what was asked.
Result<std::string> ChooseManifestKey(const PrefixListing& listing, const RestorePointQuery& q);

}  // namespace dredge
