#include "formats/db_keys.h"

#include <cstdio>

#include "common/time_util.h"

namespace dredge::dbkeys {
namespace {

bool IsStamp(std::string_view s) {
  return ParseCompactUtc(s).ok();
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace

std::string ChunkKey(uint64_t number, int64_t unix_seconds, bool zstd) {
  char num[32];
  std::snprintf(num, sizeof num, "%06llu", static_cast<unsigned long long>(number));
  return std::string(kChunkPrefix) + "chunk_" + num + "_" + FormatCompactUtc(unix_seconds) +
         (zstd ? ".json.zst" : ".json");
}

std::string ManifestKey(int64_t unix_seconds) {
  return std::string(kManifestPrefix) + std::string(kManifestIdHead) +
         FormatCompactUtc(unix_seconds) + ".json";
}

std::string RetiredKey(std::string_view manifest_key) {
  size_t slash = manifest_key.rfind('/');
  std::string_view name =
      slash == std::string_view::npos ? manifest_key : manifest_key.substr(slash + 1);
  return std::string(kRetiredPrefix) + std::string(name);
}

std::optional<ChunkName> ParseChunkKey(std::string_view key) {
  if (!StartsWith(key, kChunkPrefix)) return std::nullopt;
  std::string_view name = key.substr(kChunkPrefix.size());
  if (!StartsWith(name, "chunk_")) return std::nullopt;
  name.remove_prefix(6);
  ChunkName out;
  if (name.size() > 9 && name.substr(name.size() - 9) == ".json.zst") {
    out.zstd = true;
    name.remove_suffix(9);
  } else if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
    name.remove_suffix(5);
  } else {
    return std::nullopt;
  }
  size_t us = name.find('_');
  if (us == std::string_view::npos || us == 0 || us > 18) return std::nullopt;
  uint64_t n = 0;
  for (size_t i = 0; i < us; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  std::string_view stamp = name.substr(us + 1);
  if (!IsStamp(stamp)) return std::nullopt;
  out.number = n;
  out.stamp = std::string(stamp);
  return out;
}

std::optional<std::string> ManifestIdOfKey(std::string_view key) {
  if (!StartsWith(key, kManifestPrefix)) return std::nullopt;
  std::string_view name = key.substr(kManifestPrefix.size());
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  if (name.size() <= 5 || name.substr(name.size() - 5) != ".json") return std::nullopt;
  name.remove_suffix(5);
  if (!ManifestStamp(name)) return std::nullopt;
  return std::string(name);
}

std::optional<std::string> ManifestStamp(std::string_view s) {
  if (StartsWith(s, kManifestPrefix)) s.remove_prefix(kManifestPrefix.size());
  if (s.size() > 5 && s.substr(s.size() - 5) == ".json") s.remove_suffix(5);
  if (!StartsWith(s, kManifestIdHead)) return std::nullopt;
  s.remove_prefix(kManifestIdHead.size());
  if (!IsStamp(s)) return std::nullopt;
  return std::string(s);
}

std::optional<std::string> ManifestKeyFromUserText(std::string_view text) {
  if (IsStamp(text))
    return std::string(kManifestPrefix) + std::string(kManifestIdHead) + std::string(text) +
           ".json";
  auto stamp = ManifestStamp(text);
  if (!stamp) return std::nullopt;
  return std::string(kManifestPrefix) + std::string(kManifestIdHead) + *stamp + ".json";
}

}  // namespace dredge::dbkeys
