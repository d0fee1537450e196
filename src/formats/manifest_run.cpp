// Manifests as whole files: version 1 (one table) and version 2 (several tables of one run),
// docs/formats/manifest.md.
#include <algorithm>
#include <stdexcept>

#include "common/record_header.h"
#include "formats/manifest_json.h"

namespace dredge {
using namespace manifest_json;
namespace {

std::string ManifestV1Json(const Manifest& m) {
  json j = {
      {"format", "dredge-manifest"},
      {"version", 1},
      {"id", m.id},
      {"tool", m.tool},
      {"started_at", m.started_at},
      {"finished_at", m.finished_at},
      {"run", m.run},
      {"mode", m.mode},
      {"full_reason", m.full_reason},
      {"previous", Opt(m.previous)},
      {"source", SourceJson(m, true)},
      {"snapshot", {{"snapshot", m.snapshot}, {"horizon", m.horizon}, {"after", Opt(m.after)}}},
      {"schema", SchemaToJson(m.schema, 1)},
      {"chunks", ChunksToJson(m)},
      {"rows", m.rows},
      {"bytes", m.bytes},
      {"live_keys", LiveKeysToJson(m)},
      {"max_key", m.max_key ? Int64Json(*m.max_key) : json()}};
  if (m.encryption_key_id)
    j["encryption"] = {{"algorithm", "AES-256-GCM"}, {"key_id", *m.encryption_key_id}};
  return j.dump(1) + "\n";
}

Result<json> ParseManifestJson(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    return Status::Corrupt(std::string("manifest is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) return Status::Corrupt("manifest is not a JSON object");
  if (!j.contains("format")) {
    if (j.contains("backup_info"))
      return Status::Unsupported("a StoryDredge manifest (lists no chunks)");
    return Status::Corrupt("manifest has no 'format' member");
  }
  DREDGE_RETURN_IF_ERROR(CheckRecordHeader(j, "dredge-manifest", 2, "manifest"));
  return j;
}

Result<Manifest> ManifestV1FromJson(const json& j) {
  try {
    Manifest m;
    m.version = 1;
    RunMembersFromJson(j, &m);
    m.mode = j.at("mode").get<std::string>();
    m.full_reason = j.value("full_reason", "");
    const json& src = j.at("source");
    m.table = src.at("table").get<std::string>();
    m.table_oid = IntOr(src, "table_oid", 0);
    m.after = OptStr(j.at("snapshot"), "after");
    DREDGE_RETURN_IF_ERROR(CheckXids(m.snapshot, m.horizon, {&m.after}));
    m.schema = SchemaFromJson(j.at("schema"));
    m.chunks = ChunksFromJson(j.at("chunks"), m.schema);
    m.rows = UIntOr(j, "rows", 0);
    m.bytes = UIntOr(j, "bytes", 0);
    m.live_keys = LiveKeysFromJson(j.at("live_keys"), m.schema);
    if (j.contains("max_key") && !j.at("max_key").is_null()) m.max_key = Int64Of(j.at("max_key"));
    return m;
  } catch (const std::exception& e) {
    return Status::Corrupt(std::string("manifest is malformed: ") + e.what());
  }
}

json TableEntryJson(const Manifest& m) {
  return {{"table", m.table},
          {"table_oid", m.table_oid},
          {"mode", m.mode},
          {"full_reason", m.full_reason},
          {"after", Opt(m.after)},
          {"key",
           {{"source", m.schema.key_source},
            {"name", m.schema.pk_name},
            {"columns", m.schema.pk_columns}}},
          {"schema", SchemaToJson(m.schema, 2)},
          {"chunks", ChunksToJson(m)},
          {"rows", m.rows},
          {"bytes", m.bytes},
          {"live_keys", LiveKeysToJson(m)},
          {"max_key", m.max_key ? Int64Json(*m.max_key) : json()}};
}

std::string ManifestV2Json(const RunManifest& r) {
  const Manifest& h = r.tables.at(0);  // every entry carries the run's members
  json tables = json::array(), fks = json::array(), skipped = json::array();
  for (const auto& t : r.tables) {
    tables.push_back(TableEntryJson(t));
    for (const auto& f : t.schema.foreign_keys)
      fks.push_back({{"table", t.table},
                     {"name", f.name},
                     {"references", f.references},
                     {"definition", f.definition}});
  }
  for (const auto& n : r.not_backed_up)
    skipped.push_back({{"name", n.name}, {"kind", n.kind}, {"action", n.action}});
  json j = {{"format", "dredge-manifest"},
            {"version", 2},
            {"id", h.id},
            {"tool", h.tool},
            {"started_at", h.started_at},
            {"finished_at", h.finished_at},
            {"run", h.run},
            {"previous", Opt(h.previous)},
            {"source", SourceJson(h, false)},
            {"snapshot", {{"snapshot", h.snapshot}, {"horizon", h.horizon}}},
            {"tables", tables},
            {"foreign_keys", fks},
            {"not_backed_up", skipped},
            {"rows", r.rows()},
            {"bytes", r.bytes()}};
  if (h.encryption_key_id)
    j["encryption"] = {{"algorithm", "AES-256-GCM"}, {"key_id", *h.encryption_key_id}};
  return j.dump(1) + "\n";
}

Manifest TableEntryFromJson(const json& e, const Manifest& run_members) {
  Manifest m = run_members;
  m.table = e.at("table").get<std::string>();
  m.table_oid = IntOr(e, "table_oid", 0);
  m.mode = e.at("mode").get<std::string>();
  m.full_reason = e.value("full_reason", "");
  m.after = OptStr(e, "after");
  m.schema = SchemaFromJson(e.at("schema"));
  const json& key = e.at("key");
  m.schema.key_source = key.at("source").get<std::string>();
  m.schema.pk_name = key.value("name", "");
  m.schema.pk_columns = key.at("columns").get<std::vector<std::string>>();
  if (m.schema.key_source != kKeyPrimary && m.schema.key_source != kKeyUniqueIndex &&
      m.schema.key_source != kKeyNone)
    throw std::invalid_argument("table " + m.table + " has key source '" + m.schema.key_source +
                                "'");
  if (m.mode != "full" && m.mode != "incremental")
    throw std::invalid_argument("table " + m.table + " has mode '" + m.mode + "'");
  if (m.schema.Keyless() && m.mode != "full")
    throw std::invalid_argument("table " + m.table + " has no key but is incremental");
  m.chunks = ChunksFromJson(e.at("chunks"), m.schema);
  m.rows = UIntOr(e, "rows", 0);
  m.bytes = UIntOr(e, "bytes", 0);
  m.live_keys = LiveKeysFromJson(e.at("live_keys"), m.schema);
  if (e.contains("max_key") && !e.at("max_key").is_null()) m.max_key = Int64Of(e.at("max_key"));
  return m;
}

Result<RunManifest> ManifestV2FromJson(const json& j) {
  try {
    Manifest base;
    base.version = 2;
    RunMembersFromJson(j, &base);
    RunManifest r;
    r.version = 2;
    r.id = base.id;
    r.run = base.run;
    r.previous = base.previous;
    r.horizon = base.horizon;
    std::vector<const std::optional<std::string>*> afters;
    for (const auto& e : j.at("tables")) r.tables.push_back(TableEntryFromJson(e, base));
    if (r.tables.empty()) return Status::Corrupt("version 2 manifest lists no table");
    for (const auto& t : r.tables) afters.push_back(&t.after);
    DREDGE_RETURN_IF_ERROR(CheckXids(base.snapshot, base.horizon, afters));
    for (const auto& f : j.value("foreign_keys", json::array())) {
      ForeignKeyRef fk{f.at("table").get<std::string>(), f.at("name").get<std::string>(),
                       f.at("references").get<std::string>(),
                       f.at("definition").get<std::string>()};
      auto it = std::find_if(r.tables.begin(), r.tables.end(),
                             [&](const Manifest& t) { return t.table == fk.table; });
      if (it == r.tables.end())
        return Status::Corrupt("foreign key " + fk.name + " names table " + fk.table +
                               ", which the manifest does not list");
      it->schema.foreign_keys.push_back(std::move(fk));
    }
    for (const auto& n : j.value("not_backed_up", json::array()))
      r.not_backed_up.push_back(
          {n.at("name").get<std::string>(), n.value("kind", ""), n.value("action", "")});
    std::sort(r.tables.begin(), r.tables.end(),
              [](const Manifest& a, const Manifest& b) { return a.table < b.table; });
    return r;
  } catch (const std::exception& e) {
    return Status::Corrupt(std::string("manifest is malformed: ") + e.what());
  }
}

}  // namespace

std::string ManifestToJson(const Manifest& m) {
  return ManifestV1Json(m);
}

Result<Manifest> ParseManifest(std::string_view text) {
  DREDGE_ASSIGN_OR_RETURN(json j, ParseManifestJson(text));
  if (j.at("version") != 1)
    return Status::Corrupt("a version 2 manifest holds several tables (read it as a run)");
  return ManifestV1FromJson(j);
}

std::string RunManifestToJson(const RunManifest& run) {
  if (run.version == 1) return ManifestV1Json(run.tables.at(0));
  return ManifestV2Json(run);
}

Result<RunManifest> ParseRunManifest(std::string_view text) {
  DREDGE_ASSIGN_OR_RETURN(json j, ParseManifestJson(text));
  if (j.at("version") == 2) return ManifestV2FromJson(j);
  DREDGE_ASSIGN_OR_RETURN(Manifest m, ManifestV1FromJson(j));
  RunManifest r;
  r.version = 1;
  r.id = m.id;
  r.run = m.run;
  r.previous = m.previous;
  r.horizon = m.horizon;
  r.tables.push_back(std::move(m));
  return r;
}

bool FitsVersion1(const std::vector<Manifest>& tables) {
  return tables.size() == 1 && tables[0].schema.key_source == kKeyPrimary &&
         tables[0].schema.partition_by.empty();
}

const Manifest* RunManifest::Find(const std::string& qualified_table) const {
  for (const auto& t : tables)
    if (t.table == qualified_table) return &t;
  return nullptr;
}

uint64_t RunManifest::rows() const {
  uint64_t n = 0;
  for (const auto& t : tables) n += t.rows;
  return n;
}

uint64_t RunManifest::bytes() const {
  uint64_t n = 0;
  for (const auto& t : tables) n += t.bytes;
  return n;
}

size_t RunManifest::chunk_count() const {
  size_t n = 0;
  for (const auto& t : tables) n += t.chunks.size();
  return n;
}

std::string RunManifest::mode() const {
  for (const auto& t : tables)
    if (t.mode != "full") return "incremental";
  return "full";
}

}  // namespace dredge
