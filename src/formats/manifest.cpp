#include "formats/manifest.h"

#include <charconv>
#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "formats/copy_text.h"
#include "formats/manifest_json.h"

namespace dredge::manifest_json {

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

json SchemaToJson(const TableSchema& s, int64_t version) {
  json cols = json::array();
  for (const auto& c : s.columns) {
    cols.push_back({{"name", c.name},
                    {"type", c.type},
                    {"not_null", c.not_null},
                    {"default", Opt(c.default_expr)},
                    {"serial", c.serial},
                    {"identity", c.identity},
                    {"generated", c.generated}});
    if (auto it = s.column_comments.find(c.name); it != s.column_comments.end())
      cols.back()["comment"] = it->second;
  }
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
  json pk = {{"name", s.pk_name}, {"columns", s.pk_columns}};
  json out = {{"schema_name", s.schema_name},
              {"table", s.table},
              {"columns", cols},
              {"primary_key", version == 1 || s.key_source == kKeyPrimary ? pk : json()},
              {"constraints", cons},
              {"indexes", idx},
              {"sequence", seq}};
  if (version == 1) {
    std::vector<std::string> fks;
    for (const auto& f : s.foreign_keys) fks.push_back(f.definition);
    out["foreign_keys"] = fks;
  }
  if (s.comment) out["comment"] = *s.comment;
  if (!s.partition_by.empty()) {
    json parts = json::array();
    for (const auto& p : s.partitions) {
      parts.push_back({{"name", p.name}, {"bound", p.bound}});
      if (p.comment) parts.back()["comment"] = *p.comment;
      if (!p.of.empty()) parts.back()["of"] = p.of;
      if (!p.partition_by.empty()) parts.back()["partition_by"] = p.partition_by;
    }
    out["partition_by"] = s.partition_by;
    out["partitions"] = parts;
  }
  return out;
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
    if (auto cm = OptStr(c, "comment")) s.column_comments[col.name] = *cm;
    s.columns.push_back(std::move(col));
  }
  s.comment = OptStr(j, "comment");
  const json& pk = j.at("primary_key");
  if (!pk.is_null()) {
    s.pk_name = pk.value("name", "");
    s.pk_columns = pk.at("columns").get<std::vector<std::string>>();
  }
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
  for (const auto& d : j.value("foreign_keys", std::vector<std::string>{}))
    s.foreign_keys.push_back({s.QualifiedName(), "", "", d});
  if (j.contains("partition_by")) {
    s.partition_by = j.at("partition_by").get<std::string>();
    for (const auto& p : j.at("partitions"))
      s.partitions.push_back({p.at("name").get<std::string>(), p.at("bound").get<std::string>(),
                              OptStr(p, "comment"), p.value("of", std::string()),
                              p.value("partition_by", std::string())});
  }
  return s;
}

}  // namespace dredge::manifest_json

namespace dredge {
using namespace manifest_json;

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

}  // namespace dredge
