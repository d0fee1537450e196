// The one place that builds and parses the object keys of the database tier (see
// docs/formats/chunk.md and docs/formats/manifest.md). Keys are relative to the destination:
//   database_backups/chunks/chunk_NNNNNN_YYYYMMDD_HHMMSS.json[.zst]
//   database_backups/manifests/backup_manifest_YYYYMMDD_HHMMSS.json
//   database_backups/retired/backup_manifest_YYYYMMDD_HHMMSS.json  (a manifest prune retired)
// Chunk numbers have at least six digits; times are UTC for keys dredge writes (the original
// StoryDredge script used local time; parsing does not care).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dredge::dbkeys {

inline constexpr std::string_view kChunkPrefix = "database_backups/chunks/";
inline constexpr std::string_view kManifestPrefix = "database_backups/manifests/";
// The fixed head of every manifest id ("backup_manifest_20250527_000750").
inline constexpr std::string_view kManifestIdHead = "backup_manifest_";
inline constexpr std::string_view kRetiredPrefix = "database_backups/retired/";

std::string ChunkKey(uint64_t number, int64_t unix_seconds, bool zstd);
std::string ManifestKey(int64_t unix_seconds);
// Where prune moves a manifest: kRetiredPrefix + the file name of `manifest_key`.
std::string RetiredKey(std::string_view manifest_key);

struct ChunkName {
  uint64_t number = 0;
  std::string stamp;  // "YYYYMMDD_HHMMSS" as written in the name
  bool zstd = false;
};
// Parses a full chunk key (with prefix); nullopt for anything else under the prefix.
std::optional<ChunkName> ParseChunkKey(std::string_view key);

// The manifest id is the file name without ".json". Returns nullopt for foreign keys.
std::optional<std::string> ManifestIdOfKey(std::string_view key);
// "YYYYMMDD_HHMMSS" of a manifest id/key, or nullopt.
std::optional<std::string> ManifestStamp(std::string_view key_or_id);
// Accepts a manifest id, key, or bare "YYYYMMDD_HHMMSS"; returns the key, or nullopt.
std::optional<std::string> ManifestKeyFromUserText(std::string_view text);

}  // namespace dredge::dbkeys
