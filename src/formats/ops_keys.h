// The one place that builds and parses the keys of the operational records every tier shares.
// Keys are relative to the destination (the store adds its prefix):
//   run record  .dredge/runs/<tier>/run_YYYYMMDD_HHMMSS_<run_id>.json (docs/formats/run-record.md)
//   check       .dredge/checks/<tier>/<kind>_YYYYMMDD_HHMMSS_<run_id>.json
//                                                                       (docs/formats/check-record.md)
//   lease       .dredge/locks/<tier>.lease                              (docs/formats/lease.md)
//   probe       .dredge/check/probe-<host>-<hex>                        (`dredge check`, deleted
//   after)
// The files tier's keys are in formats/file_keys.h, the database tier's in formats/db_keys.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dredge::ops_keys {

inline constexpr std::string_view kRunsPrefix = ".dredge/runs/";
inline constexpr std::string_view kProbePrefix = ".dredge/check/";

// ".dredge/runs/<tier>/": every run record of a tier is under it.
std::string RunRecordPrefix(std::string_view tier);
// The record of a run that started at `start_unix_seconds` (UTC); sorts by start time.
std::string RunRecordKey(std::string_view tier, int64_t start_unix_seconds,
                         std::string_view run_id);
// True for a key under a run record prefix that names a record (ends in ".json").
bool IsRunRecordKey(std::string_view key);
// The tier of a key under kRunsPrefix (".dredge/runs/files/…" → "files"); nullopt for any other
// key, and for one with an empty tier.
std::optional<std::string> RunRecordTier(std::string_view key);

// ".dredge/checks/<tier>/<kind>_": the check records of one kind (verify, verify-deep, drill)
// of a tier, sorting by start time.
std::string CheckRecordPrefix(std::string_view tier, std::string_view kind);
std::string CheckRecordKey(std::string_view tier, std::string_view kind, int64_t start_unix_seconds,
                           std::string_view run_id);

std::string LeaseKey(std::string_view tier);

// A probe object under kProbePrefix, unique per host and random hex.
std::string ProbeKey(std::string_view host, std::string_view random_hex);
// The object `check --probe-prune` writes and deletes outside the records folder, where only
// the prune role may delete: "dredge-check-prune-probe-<random hex>" at the destination's top.
std::string PruneProbeKey(std::string_view random_hex);

}  // namespace dredge::ops_keys
