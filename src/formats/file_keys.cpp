#include "formats/file_keys.h"

#include <random>

#include "common/time_util.h"

namespace dredge::file_keys {

std::string DataKey(std::string_view rel_path) {
  return std::string(rel_path);
}

bool IsRecordKey(std::string_view key) {
  return key.starts_with(kRecordsPrefix);
}

std::string ContentKey(std::string_view md5_hex) {
  return std::string(kContentPrefix) + std::string(md5_hex);
}

std::string SnapshotId(int64_t unix_seconds, std::string_view hex6) {
  return std::string(kSnapshotIdHead) + FormatCompactUtc(unix_seconds) + "_" + std::string(hex6);
}

namespace {

std::string RandomHex6() {
  static const char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string hex;
  for (int i = 0; i < 6; ++i) hex.push_back(kHex[rd() & 15]);
  return hex;
}

}  // namespace

std::string NewSnapshotId(int64_t unix_seconds) {
  return SnapshotId(unix_seconds, RandomHex6());
}

std::string NewPruneRecordId(int64_t unix_seconds) {
  return "prune_" + FormatCompactUtc(unix_seconds) + "_" + RandomHex6();
}

std::string PruneRecordKey(std::string_view record_id) {
  return std::string(kPrunePrefix) + std::string(record_id) + ".json";
}

std::string PruneMarkerKey() {
  return std::string(kPrunePrefix) + "latest";
}

Result<std::string> ParsePruneRecordKey(std::string_view key) {
  auto bad = [&] { return Status::Usage("'" + std::string(key) + "' is not a prune record"); };
  if (!key.starts_with(kPrunePrefix) || !key.ends_with(".json")) return bad();
  std::string_view id = key.substr(kPrunePrefix.size(), key.size() - kPrunePrefix.size() - 5);
  constexpr std::string_view kHead = "prune_";
  if (!id.starts_with(kHead) || id.size() != kHead.size() + 15 + 1 + 6 ||
      id[kHead.size() + 15] != '_')
    return bad();
  for (char c : id.substr(kHead.size() + 16))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return bad();
  if (!ParseCompactUtc(id.substr(kHead.size(), 15)).ok()) return bad();
  return std::string(id);
}

std::string SnapshotKey(std::string_view snapshot_id) {
  return std::string(kSnapshotPrefix) + std::string(snapshot_id) + ".json";
}

Result<std::string> ParseSnapshotId(std::string_view text) {
  std::string_view t = text;
  if (t.starts_with(kSnapshotPrefix)) t.remove_prefix(kSnapshotPrefix.size());
  if (t.ends_with(".json")) t.remove_suffix(5);
  if (!SnapshotIdTime(t).ok())
    return Status::Usage("'" + std::string(text) +
                         "' is not a snapshot id (expected snapshot_YYYYMMDD_HHMMSS_xxxxxx; "
                         "see 'dredge snapshots')");
  return std::string(t);
}

std::string_view SnapshotNameAsId(std::string_view t) {
  if (t.starts_with(kSnapshotPrefix)) t.remove_prefix(kSnapshotPrefix.size());
  if (t.ends_with(".json")) t.remove_suffix(5);
  return t;
}

Result<int64_t> SnapshotIdTime(std::string_view id) {
  // snapshot_ + 15 chars of time + _ + 6 hex
  constexpr std::string_view kHead = kSnapshotIdHead;
  auto bad = [&] { return Status::Usage("'" + std::string(id) + "' is not a snapshot id"); };
  if (!id.starts_with(kHead) || id.size() != kHead.size() + 15 + 1 + 6) return bad();
  if (id[kHead.size() + 15] != '_') return bad();
  for (char c : id.substr(kHead.size() + 16))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return bad();
  auto t = ParseCompactUtc(id.substr(kHead.size(), 15));
  if (!t.ok()) return bad();
  return *t;
}

Result<std::string> SafeRelativePath(std::string_view key) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("refusing key '" + std::string(key) + "': " + why);
  };
  if (key.empty()) return bad("it is empty");
  if (key.front() == '/') return bad("it is absolute and would land outside the target");
  if (key.find('\0') != std::string_view::npos) return bad("it contains a NUL byte");
  if (IsRecordKey(key) || key == ".dredge") return bad("it is one of dredge's own records");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) return bad("it has an empty path segment");
    if (seg == "..") return bad("it has a '..' segment and would land outside the target");
    if (seg == ".") return bad("it has a '.' segment");
    start = end + 1;
  }
  return std::string(key);
}

}  // namespace dredge::file_keys
