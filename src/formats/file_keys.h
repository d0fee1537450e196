// The one place that builds every object key of the files tier. Keys are relative to the
// destination's prefix (the store adds the prefix):
//   data      <relative path, byte-exact>                         (what `aws s3 sync` sees)
//   content   .dredge/content/<md5 hex>                           (preserved old content)
//   snapshot  .dredge/snapshots/snapshot_YYYYMMDD_HHMMSS_<hex6>.json
//   prune     .dredge/prunes/prune_YYYYMMDD_HHMMSS_<hex6>.json   (docs/formats/prune-record.md)
//             .dredge/prunes/latest                               (the newest record's id)
// Everything the tool writes besides data objects lives under ".dredge/", so a key that does not
// start with it is a data key. Callers never format a key themselves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge::file_keys {

inline constexpr std::string_view kRecordsPrefix = ".dredge/";
inline constexpr std::string_view kContentPrefix = ".dredge/content/";
inline constexpr std::string_view kSnapshotPrefix = ".dredge/snapshots/";
inline constexpr std::string_view kPrunePrefix = ".dredge/prunes/";

// The data key of a file: its path relative to the source, '/'-separated, unchanged.
std::string DataKey(std::string_view rel_path);
// True for keys of the tool's own records (never restored or verified as data).
bool IsRecordKey(std::string_view key);

std::string ContentKey(std::string_view md5_hex);

// The fixed head of every snapshot id.
inline constexpr std::string_view kSnapshotIdHead = "snapshot_";
// A snapshot named by its key, its object name ("<id>.json") or its id, as the id (or the
// text unchanged when it is none of those: a prefix or stamp a selector resolves).
std::string_view SnapshotNameAsId(std::string_view text);
// "snapshot_20250527_001234_a1b2c3" for the given UTC seconds and 6 hex digits.
std::string SnapshotId(int64_t unix_seconds, std::string_view hex6);
// A new id with fresh random hex digits.
std::string NewSnapshotId(int64_t unix_seconds);
std::string SnapshotKey(std::string_view snapshot_id);
// Accepts an id, "<id>.json" or a full snapshot key; returns the id or Usage.
Result<std::string> ParseSnapshotId(std::string_view text);
// The UTC seconds encoded in an id; Usage when it is not one.
Result<int64_t> SnapshotIdTime(std::string_view snapshot_id);

// "prune_20250527_001234_a1b2c3" with fresh random hex digits, and its key.
std::string NewPruneRecordId(int64_t unix_seconds);
std::string PruneRecordKey(std::string_view record_id);
// The one mutable record: holds the newest prune record's id, so a backup learns with one HEAD
// (not a LIST) whether a prune ran since it last looked.
std::string PruneMarkerKey();
// The id of a prune record key ("<prefix>prune_…json" → "prune_…"); Usage when it is not one.
Result<std::string> ParsePruneRecordKey(std::string_view key);

// Maps a data key back to a relative path that is safe to create under a target directory:
// InvalidArgument for empty, absolute, "."/".." or empty segments, NUL bytes, and record keys.
Result<std::string> SafeRelativePath(std::string_view key);

}  // namespace dredge::file_keys
