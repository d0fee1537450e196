// The per-table members of a manifest as JSON (chunks, live keys) and the run members every
// version shares (docs/formats/manifest.md): the parts ManifestToJson and the version 2
// writer both use.
#include <stdexcept>

#include "formats/manifest_json.h"

namespace dredge::manifest_json {

namespace {
Codec CodecOf(const std::vector<ColumnSpec>& cols, const std::string& name) {
  for (const auto& c : cols)
    if (c.name == name) return c.codec;
  return Codec::kString;
}
}  // namespace

json ChunksToJson(const Manifest& m) {
  auto key_specs = KeySpecs(m.schema);
  auto all_cols = m.schema.ChunkColumns();
  auto key_json = [&](const std::vector<std::string>& f) {
    json a = json::array();
    for (size_t i = 0; i < f.size() && i < key_specs.size(); ++i)
      a.push_back(JsonOfField(key_specs[i].codec, f[i]));
    return a;
  };
  json chunks = json::array();
  for (const auto& c : m.chunks) {
    json zones = json::object();
    for (const auto& [col, mm] : c.zones)
      zones[col] = {{"min", JsonOfField(CodecOf(all_cols, col), mm.first)},
                    {"max", JsonOfField(CodecOf(all_cols, col), mm.second)}};
    json chunk = {{"key", c.key},
                  {"number", c.number},
                  {"sha256", c.sha256},
                  {"size", c.size},
                  {"rows", c.rows},
                  {"compression", c.compression},
                  {"key_min", key_json(c.key_min)},
                  {"key_max", key_json(c.key_max)},
                  {"zones", zones}};
    if (!c.key_id.empty())
      chunk["encryption"] = {{"algorithm", "AES-256-GCM"}, {"key_id", c.key_id}};
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

json LiveKeysToJson(const Manifest& m) {
  if (m.schema.Keyless()) return nullptr;
  auto key_specs = KeySpecs(m.schema);
  if (m.live_keys.is_int()) {
    json ranges = json::array();
    for (const auto& [a, b] : m.live_keys.ranges())
      ranges.push_back(json::array({Int64Json(a), Int64Json(b)}));
    return {{"kind", "int_ranges"}, {"count", m.live_keys.count()}, {"ranges", ranges}};
  }
  json keys = json::array();
  for (const auto& t : m.live_keys.texts()) {
    json a = json::array();
    size_t start = 0, i = 0;
    for (;; ++i) {
      size_t tab = t.find('\t', start);
      std::string f = t.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
      if (i < key_specs.size()) a.push_back(JsonOfField(key_specs[i].codec, f));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    keys.push_back(std::move(a));
  }
  return {{"kind", "list"}, {"count", m.live_keys.count()}, {"keys", keys}};
}

namespace {
std::vector<std::string> KeyFields(const std::vector<ColumnSpec>& key_specs, const json& a) {
  std::vector<std::string> f;
  for (size_t i = 0; i < a.size(); ++i)
    f.push_back(FieldOfJson(i < key_specs.size() ? key_specs[i].codec : Codec::kString, a[i]));
  return f;
}
}  // namespace

std::vector<ChunkEntry> ChunksFromJson(const json& a, const TableSchema& schema) {
  auto key_specs = KeySpecs(schema);
  auto all_cols = schema.ChunkColumns();
  std::vector<ChunkEntry> out;
  for (const auto& c : a) {
    ChunkEntry e;
    e.key = c.at("key").get<std::string>();
    e.number = UIntMember(c.at("number"));
    e.sha256 = c.at("sha256").get<std::string>();
    e.size = UIntMember(c.at("size"));
    e.rows = UIntMember(c.at("rows"));
    e.compression = c.value("compression", "none");
    if (c.contains("encryption")) e.key_id = c.at("encryption").at("key_id").get<std::string>();
    e.key_min = KeyFields(key_specs, c.at("key_min"));
    e.key_max = KeyFields(key_specs, c.at("key_max"));
    const json zone_obj = c.value("zones", json::object());
    for (const auto& [col, mm] : zone_obj.items())
      e.zones[col] = {FieldOfJson(CodecOf(all_cols, col), mm.at("min")),
                      FieldOfJson(CodecOf(all_cols, col), mm.at("max"))};
    out.push_back(std::move(e));
  }
  return out;
}

LiveKeySet LiveKeysFromJson(const json& live, const TableSchema& schema) {
  if (live.is_null() && schema.Keyless()) return LiveKeySet();
  if (live.at("kind") == "int_ranges") {
    std::vector<IntRange> r;
    for (const auto& p : live.at("ranges")) r.emplace_back(Int64Of(p.at(0)), Int64Of(p.at(1)));
    return LiveKeySet::OfInts(std::move(r));
  }
  if (live.at("kind") != "list")
    throw std::invalid_argument("live_keys has unknown kind " + live.at("kind").dump());
  auto key_specs = KeySpecs(schema);
  std::vector<std::string> keys;
  for (const auto& k : live.at("keys")) {
    auto f = KeyFields(key_specs, k);
    std::string t;
    for (size_t i = 0; i < f.size(); ++i) t += (i ? "\t" : "") + f[i];
    keys.push_back(std::move(t));
  }
  return LiveKeySet::OfTexts(std::move(keys));
}

Status CheckXids(const std::string& snapshot, const std::string& horizon,
                 const std::vector<const std::optional<std::string>*>& afters) {
  // Transaction ids reach SQL (the next run's cursor): decimal digits only.
  if (!IsXidSnapshot(snapshot))
    return Status::Corrupt("manifest snapshot '" + snapshot + "' is not xmin:xmax:xip");
  if (!IsDecimalXid(horizon))
    return Status::Corrupt("manifest horizon '" + horizon + "' is not a transaction id");
  for (const auto* a : afters)
    if (*a && !IsDecimalXid(**a))
      return Status::Corrupt("manifest horizon '" + **a + "' is not a transaction id");
  return Status::Ok();
}

json SourceJson(const Manifest& m, bool with_table) {
  json src = {{"database", m.database}};
  if (with_table) src["table"] = m.table, src["table_oid"] = m.table_oid;
  src["server_version"] = m.server_version;
  src["system_identifier"] = Opt(m.system_identifier);
  src["snapshot_at"] = m.snapshot_at;
  return src;
}

void RunMembersFromJson(const json& j, Manifest* m) {
  m->id = j.at("id").get<std::string>();
  m->tool = j.value("tool", "");
  m->started_at = j.value("started_at", "");
  m->finished_at = j.value("finished_at", "");
  m->run = j.at("run").get<std::string>();
  m->previous = OptStr(j, "previous");
  const json& src = j.at("source");
  m->database = src.value("database", "");
  m->server_version = IntOr(src, "server_version", 0);
  m->system_identifier = OptStr(src, "system_identifier");
  m->snapshot_at = src.value("snapshot_at", "");
  const json& snap = j.at("snapshot");
  m->snapshot = snap.at("snapshot").get<std::string>();
  m->horizon = snap.at("horizon").get<std::string>();
  if (j.contains("encryption") && !j.at("encryption").is_null())
    m->encryption_key_id = j.at("encryption").at("key_id").get<std::string>();
}

}  // namespace dredge::manifest_json
