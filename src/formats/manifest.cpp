#include "formats/manifest.h"

#include <charconv>
#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/record_header.h"
#include "formats/copy_text.h"

namespace dredge {
namespace {

using json = nlohmann::json;

json JsonOfField(Codec codec, const std::string& f) {
  if (f == copytext::kNull) return nullptr;
  std::string text;
  AppendJsonValue(codec, f, &text);
  return json::parse(text);
}

std::string FieldOfJson(Codec codec, const json& v) {
  if (v.is_null()) return std::string(copytext::kNull);
  if (v.is_boolean()) return v.get<bool>() ? "t" : "f";
  if (v.is_number_float()) {
    std::string d = v.dump();
    return codec == Codec::kFloat && d == "-0.0" ? "-0" : d;
  }
  if (v.is_number()) return v.dump();
  if (v.is_string()) return copytext::Escape(v.get_ref<const std::string&>());
  return copytext::Escape(v.dump());
}

json Opt(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

std::optional<std::string> OptStr(const json& j, const char* k) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

json Int64Json(int64_t v) {
  if (v > (int64_t{1} << 53) || v < -(int64_t{1} << 53)) return std::to_string(v);
  return v;
}
// nlohmann converts a float to an integer with a plain cast, undefined when it is out of range
// (found by fuzz/manifest_fuzz): integer members must be JSON integers. The parser's catch turns
// the exception into Corrupt.
int64_t IntMember(const json& v) {
  if (!v.is_number_integer())
    throw std::invalid_argument(std::string("expected an integer, found ") + v.type_name());
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX})
    throw std::out_of_range("integer out of range");
  return v.get<int64_t>();
}
uint64_t UIntMember(const json& v) {
  if (!v.is_number_unsigned())
    throw std::invalid_argument(std::string("expected a non-negative integer, found ") +
                                v.type_name());
  return v.get<uint64_t>();
}
int64_t IntOr(const json& obj, const char* key, int64_t dflt) {
  return obj.contains(key) ? IntMember(obj.at(key)) : dflt;
}
uint64_t UIntOr(const json& obj, const char* key, uint64_t dflt) {
  return obj.contains(key) ? UIntMember(obj.at(key)) : dflt;
}
int64_t Int64Of(const json& v) {
  if (v.is_string()) return std::stoll(v.get<std::string>());
  return IntMember(v);
}

std::vector<ColumnSpec> KeySpecs(const TableSchema& s) {
  auto cols = s.ChunkColumns();
  std::vector<ColumnSpec> out;
  for (size_t i : s.KeyIndexes()) out.push_back(cols[i]);
  return out;
}

json SchemaToJson(const TableSchema& s) {
  json cols = json::array();
  for (const auto& c : s.columns)
    cols.push_back({{"name", c.name},
                    {"type", c.type},
                    {"not_null", c.not_null},
                    {"default", Opt(c.default_expr)},
                    {"serial", c.serial},
                    {"identity", c.identity},
                    {"generated", c.generated}});
  json cons = json::array();
  for (const auto& c : s.constraints)
    cons.push_back({{"name", c.name}, {"type", c.type}, {"definition", c.definition}});
  json idx = json::array();
  for (const auto& i : s.indexes)
    idx.push_back({{"name", i.name}, {"unique", i.unique}, {"method", i.method}});
  json seq = nullptr;
  if (s.sequence) {
    seq = {{"name", s.sequence->name},
           {"column", s.sequence->column},
           {"last_value", s.sequence->last_value ? Int64Json(*s.sequence->last_value) : json()},
           {"is_called", s.sequence->is_called ? json(*s.sequence->is_called) : json()}};
  }
  return {{"schema_name", s.schema_name},
          {"table", s.table},
          {"columns", cols},
          {"primary_key", {{"name", s.pk_name}, {"columns", s.pk_columns}}},
          {"constraints", cons},
          {"indexes", idx},
          {"sequence", seq},
          {"foreign_keys", s.foreign_keys}};
}

// A type as format_type() prints it ("integer", "character varying(80)", "numeric(12,2)",
// "timestamp(3) with time zone", "public.\"Mood\"[]"): words, dots, typmods of digits and
// commas, array brackets and double-quoted names without quotes inside. Restore and drill put
// the type into SQL, so a manifest altered in the store must not smuggle anything else in (no
// semicolons, comments, literals, casts or calls can get through this).
bool IsPlainTypeName(const std::string& t) {
  if (t.empty() || t.size() > 200) return false;
  bool in_quotes = false, in_parens = false;
  for (char c : t) {
    if (in_quotes) {
      if (c == '"') in_quotes = false;
      continue;
    }
    if (c == '"') {
      in_quotes = true;
    } else if (c == '(') {
      if (in_parens) return false;
      in_parens = true;
    } else if (c == ')') {
      if (!in_parens) return false;
      in_parens = false;
    } else if (in_parens) {
      if (!((c >= '0' && c <= '9') || c == ',' || c == ' ')) return false;
    } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == ' ' || c == '.' || c == '[' || c == ']')) {
      return false;
    }
  }
  return !in_quotes && !in_parens;
}

// An xid8 as PostgreSQL prints it: 1 to 20 decimal digits.
bool IsDecimalXid(const std::string& s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// pg_current_snapshot()'s text: "xmin:xmax:xip1,xip2" (xip may be empty).
bool IsXidSnapshot(const std::string& s) {
  size_t a = s.find(':'), b = a == std::string::npos ? a : s.find(':', a + 1);
  if (b == std::string::npos) return false;
  if (!IsDecimalXid(s.substr(0, a)) || !IsDecimalXid(s.substr(a + 1, b - a - 1))) return false;
  std::string xip = s.substr(b + 1);
  for (size_t from = 0; !xip.empty() && from <= xip.size();) {
    size_t comma = xip.find(',', from);
    if (comma == std::string::npos) comma = xip.size();
    if (!IsDecimalXid(xip.substr(from, comma - from))) return false;
    from = comma + 1;
  }
  return true;
}

TableSchema SchemaFromJson(const json& j) {
  TableSchema s;
  s.schema_name = j.at("schema_name").get<std::string>();
  s.table = j.at("table").get<std::string>();
  for (const auto& c : j.at("columns")) {
    SchemaColumn col;
    col.name = c.at("name").get<std::string>();
    col.type = c.at("type").get<std::string>();
    if (!IsPlainTypeName(col.type))
      throw std::invalid_argument("column '" + col.name + "' has type '" + col.type +
                                  "', which is not a PostgreSQL type name (was the manifest "
                                  "altered?)");
    col.not_null = c.value("not_null", false);
    col.default_expr = OptStr(c, "default");
    col.serial = c.value("serial", false);
    col.identity = c.value("identity", "");
    col.generated = c.value("generated", "");
    s.columns.push_back(std::move(col));
  }
  const json& pk = j.at("primary_key");
  s.pk_name = pk.value("name", "");
  s.pk_columns = pk.at("columns").get<std::vector<std::string>>();
  for (const auto& c : j.value("constraints", json::array()))
    s.constraints.push_back({c.at("name").get<std::string>(), c.at("type").get<std::string>(),
                             c.at("definition").get<std::string>()});
  for (const auto& i : j.value("indexes", json::array()))
    s.indexes.push_back({i.at("name").get<std::string>(), i.value("unique", false),
                         i.at("method").get<std::string>()});
  auto seq = j.find("sequence");
  if (seq != j.end() && !seq->is_null()) {
    SequenceInfo si;
    si.name = seq->at("name").get<std::string>();
    // Restore names it in ALTER SEQUENCE: a (schema-qualified, possibly quoted) name only.
    if (!IsPlainTypeName(si.name) || si.name.find('(') != std::string::npos ||
        si.name.find('[') != std::string::npos)
      throw std::invalid_argument("sequence '" + si.name + "' is not a sequence name");
    si.column = seq->at("column").get<std::string>();
    if (seq->contains("last_value") && !seq->at("last_value").is_null())
      si.last_value = Int64Of(seq->at("last_value"));
    if (seq->contains("is_called") && !seq->at("is_called").is_null())
      si.is_called = seq->at("is_called").get<bool>();
    s.sequence = si;
  }
  s.foreign_keys = j.value("foreign_keys", std::vector<std::string>{});
  return s;
}

}  // namespace

std::vector<ColumnSpec> TableSchema::ChunkColumns() const {
  std::vector<ColumnSpec> out;
  for (const auto& c : columns)
    if (c.generated.empty()) out.push_back(MakeColumn(c.name, c.type));
  return out;
}

std::vector<size_t> TableSchema::KeyIndexes() const {
  auto cols = ChunkColumns();
  std::vector<size_t> out;
  for (const auto& k : pk_columns)
    for (size_t i = 0; i < cols.size(); ++i)
      if (cols[i].name == k) out.push_back(i);
  return out;
}

bool TableSchema::HasIntegerKey() const {
  if (pk_columns.size() != 1) return false;
  for (const auto& c : columns)
    if (c.name == pk_columns[0]) return IsIntegerCodec(CodecForType(c.type));
  return false;
}

std::string TableSchema::QualifiedName() const {
  return schema_name + "." + table;
}

std::string KeyToJsonArray(const std::vector<ColumnSpec>& key_columns,
                           const std::vector<std::string>& fields) {
  json a = json::array();
  for (size_t i = 0; i < fields.size() && i < key_columns.size(); ++i)
    a.push_back(JsonOfField(key_columns[i].codec, fields[i]));
  return a.dump();
}

std::string ManifestToJson(const Manifest& m) {
  auto key_specs = KeySpecs(m.schema);
  auto all_cols = m.schema.ChunkColumns();
  auto codec_of = [&](const std::string& name) {
    for (const auto& c : all_cols)
      if (c.name == name) return c.codec;
    return Codec::kString;
  };
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
      zones[col] = {{"min", JsonOfField(codec_of(col), mm.first)},
                    {"max", JsonOfField(codec_of(col), mm.second)}};
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
  json live;
  if (m.live_keys.is_int()) {
    json ranges = json::array();
    for (const auto& [a, b] : m.live_keys.ranges())
      ranges.push_back(json::array({Int64Json(a), Int64Json(b)}));
    live = {{"kind", "int_ranges"}, {"count", m.live_keys.count()}, {"ranges", ranges}};
  } else {
    json keys = json::array();
    std::vector<std::string> fields;
    for (const auto& t : m.live_keys.texts()) {
      fields.clear();
      size_t start = 0;
      for (;;) {
        size_t tab = t.find('\t', start);
        fields.push_back(
            t.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
      }
      keys.push_back(key_json(fields));
    }
    live = {{"kind", "list"}, {"count", m.live_keys.count()}, {"keys", keys}};
  }
  json j = {
      {"format", "dredge-manifest"},
      {"version", m.version},
      {"id", m.id},
      {"tool", m.tool},
      {"started_at", m.started_at},
      {"finished_at", m.finished_at},
      {"run", m.run},
      {"mode", m.mode},
      {"full_reason", m.full_reason},
      {"previous", Opt(m.previous)},
      {"source",
       {{"database", m.database},
        {"table", m.table},
        {"table_oid", m.table_oid},
        {"server_version", m.server_version},
        {"system_identifier", Opt(m.system_identifier)},
        {"snapshot_at", m.snapshot_at}}},
      {"snapshot", {{"snapshot", m.snapshot}, {"horizon", m.horizon}, {"after", Opt(m.after)}}},
      {"schema", SchemaToJson(m.schema)},
      {"chunks", chunks},
      {"rows", m.rows},
      {"bytes", m.bytes},
      {"live_keys", live},
      {"max_key", m.max_key ? Int64Json(*m.max_key) : json()}};
  if (m.encryption_key_id)
    j["encryption"] = {{"algorithm", "AES-256-GCM"}, {"key_id", *m.encryption_key_id}};
  return j.dump(1) + "\n";
}

Result<Manifest> ParseManifest(std::string_view text) {
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
  DREDGE_RETURN_IF_ERROR(CheckRecordHeader(j, "dredge-manifest", 1, "manifest"));
  try {
    Manifest m;
    m.version = IntMember(j.at("version"));
    m.id = j.at("id").get<std::string>();
    m.tool = j.value("tool", "");
    m.started_at = j.value("started_at", "");
    m.finished_at = j.value("finished_at", "");
    m.run = j.at("run").get<std::string>();
    m.mode = j.at("mode").get<std::string>();
    m.full_reason = j.value("full_reason", "");
    m.previous = OptStr(j, "previous");
    const json& src = j.at("source");
    m.database = src.value("database", "");
    m.table = src.at("table").get<std::string>();
    m.table_oid = IntOr(src, "table_oid", 0);
    m.server_version = IntOr(src, "server_version", 0);
    m.system_identifier = OptStr(src, "system_identifier");
    m.snapshot_at = src.value("snapshot_at", "");
    const json& snap = j.at("snapshot");
    m.snapshot = snap.at("snapshot").get<std::string>();
    m.horizon = snap.at("horizon").get<std::string>();
    m.after = OptStr(snap, "after");
    // Transaction ids reach SQL (the next run's cursor): decimal digits only.
    if (!IsXidSnapshot(m.snapshot))
      return Status::Corrupt("manifest snapshot '" + m.snapshot + "' is not xmin:xmax:xip");
    for (const std::string* xid : {&m.horizon, m.after ? &*m.after : nullptr})
      if (xid && !IsDecimalXid(*xid))
        return Status::Corrupt("manifest horizon '" + *xid + "' is not a transaction id");
    m.schema = SchemaFromJson(j.at("schema"));
    auto key_specs = KeySpecs(m.schema);
    auto all_cols = m.schema.ChunkColumns();
    auto codec_of = [&](const std::string& name) {
      for (const auto& c : all_cols)
        if (c.name == name) return c.codec;
      return Codec::kString;
    };
    auto key_fields = [&](const json& a) {
      std::vector<std::string> f;
      for (size_t i = 0; i < a.size(); ++i)
        f.push_back(FieldOfJson(i < key_specs.size() ? key_specs[i].codec : Codec::kString, a[i]));
      return f;
    };
    for (const auto& c : j.at("chunks")) {
      ChunkEntry e;
      e.key = c.at("key").get<std::string>();
      e.number = UIntMember(c.at("number"));
      e.sha256 = c.at("sha256").get<std::string>();
      e.size = UIntMember(c.at("size"));
      e.rows = UIntMember(c.at("rows"));
      e.compression = c.value("compression", "none");
      if (c.contains("encryption")) e.key_id = c.at("encryption").at("key_id").get<std::string>();
      e.key_min = key_fields(c.at("key_min"));
      e.key_max = key_fields(c.at("key_max"));
      const json zone_obj = c.value("zones", json::object());
      for (const auto& [col, mm] : zone_obj.items())
        e.zones[col] = {FieldOfJson(codec_of(col), mm.at("min")),
                        FieldOfJson(codec_of(col), mm.at("max"))};
      m.chunks.push_back(std::move(e));
    }
    if (j.contains("encryption") && !j.at("encryption").is_null())
      m.encryption_key_id = j.at("encryption").at("key_id").get<std::string>();
    m.rows = UIntOr(j, "rows", 0);
    m.bytes = UIntOr(j, "bytes", 0);
    const json& live = j.at("live_keys");
    if (live.at("kind") == "int_ranges") {
      std::vector<IntRange> r;
      for (const auto& p : live.at("ranges")) r.emplace_back(Int64Of(p.at(0)), Int64Of(p.at(1)));
      m.live_keys = LiveKeySet::OfInts(std::move(r));
    } else if (live.at("kind") == "list") {
      std::vector<std::string> keys;
      for (const auto& k : live.at("keys")) {
        auto f = key_fields(k);
        std::string t;
        for (size_t i = 0; i < f.size(); ++i) t += (i ? "\t" : "") + f[i];
        keys.push_back(std::move(t));
      }
      m.live_keys = LiveKeySet::OfTexts(std::move(keys));
    } else {
      return Status::Corrupt("manifest live_keys has unknown kind " + live.at("kind").dump());
    }
    if (j.contains("max_key") && !j.at("max_key").is_null()) m.max_key = Int64Of(j.at("max_key"));
    return m;
  } catch (const std::exception& e) {
    return Status::Corrupt(std::string("manifest is malformed: ") + e.what());
  }
}

}  // namespace dredge
