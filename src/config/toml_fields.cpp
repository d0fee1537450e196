#include "config/toml_fields.h"

#include <cmath>

#include "common/time_util.h"
#include "config/byte_size.h"

namespace dredge {
namespace {

const char* TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

// Credentials have no place in dredge.toml; say where they go instead.
std::string SecretHint(const std::string& key) {
  for (const char* word : {"secret", "password", "access_key", "token"})
    if (key.find(word) != std::string::npos)
      return ". Credentials are never read from dredge.toml: use the AWS environment variables "
             "or ~/.aws/credentials, and PGPASSWORD or ~/.pgpass";
  return "";
}

}  // namespace

TomlFields::TomlFields(const toml::table& table, std::string file, std::string path)
    : table_(table), file_(std::move(file)), path_(std::move(path)) {}

std::string TomlFields::Where(const toml::node& node, const char* key) const {
  std::string where = file_;
  if (node.source().begin.line > 0) where += " line " + std::to_string(node.source().begin.line);
  return where + ": " + (path_.empty() ? "" : path_ + ".") + key;
}

const toml::node* TomlFields::Get(const char* key) {
  known_.insert(key);
  return table_.get(key);
}

Status TomlFields::WrongType(const toml::node& node, const char* key, const char* expected) const {
  return Status::Usage(Where(node, key) + " must be " + expected + ", not " + TypeName(node));
}

Status TomlFields::String(const char* key, std::string* out) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  if (!n->is_string()) return WrongType(*n, key, "a string");
  *out = n->as_string()->get();
  return Status::Ok();
}

Status TomlFields::Choice(const char* key, std::string* out,
                          std::initializer_list<const char*> choices) {
  std::string value = *out;
  const toml::node* n = table_.get(key);
  DREDGE_RETURN_IF_ERROR(String(key, &value));
  if (!n) return Status::Ok();
  std::string list;
  for (const char* c : choices) {
    if (value == c) {
      *out = value;
      return Status::Ok();
    }
    list += std::string(list.empty() ? "" : ", ") + "\"" + c + "\"";
  }
  return Status::Usage(Where(*n, key) + " is \"" + value + "\": use one of " + list);
}

Status TomlFields::StringList(const char* key, std::vector<std::string>* out) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  if (n->is_string()) {
    *out = {n->as_string()->get()};
    return Status::Ok();
  }
  if (!n->is_array()) return WrongType(*n, key, "an array of strings");
  std::vector<std::string> values;
  for (const toml::node& item : *n->as_array()) {
    if (!item.is_string()) return WrongType(item, key, "an array of strings (every element)");
    values.push_back(item.as_string()->get());
  }
  *out = std::move(values);
  return Status::Ok();
}

Status TomlFields::Int(const char* key, int64_t* out, int64_t min, int64_t max) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  if (!n->is_integer()) return WrongType(*n, key, "an integer");
  int64_t v = n->as_integer()->get();
  if (v < min || v > max)
    return Status::Usage(Where(*n, key) + " is " + std::to_string(v) + ": use a value from " +
                         std::to_string(min) + " to " + std::to_string(max));
  *out = v;
  return Status::Ok();
}

Status TomlFields::Int(const char* key, int* out, int min, int max) {
  int64_t v = *out;
  DREDGE_RETURN_IF_ERROR(Int(key, &v, min, max));
  *out = static_cast<int>(v);
  return Status::Ok();
}

Status TomlFields::Bool(const char* key, bool* out) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  if (!n->is_boolean()) return WrongType(*n, key, "true or false");
  *out = n->as_boolean()->get();
  return Status::Ok();
}

Status TomlFields::Size(const char* key, uint64_t* out) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  if (n->is_integer()) {
    if (n->as_integer()->get() < 0) return WrongType(*n, key, "a size of 0 or more");
    *out = static_cast<uint64_t>(n->as_integer()->get());
    return Status::Ok();
  }
  if (!n->is_string()) return WrongType(*n, key, "a size such as 64M or an integer");
  auto r = ParseByteSize(n->as_string()->get(), Where(*n, key));
  if (!r.ok()) return r.status();
  *out = *r;
  return Status::Ok();
}

Status TomlFields::Rate(const char* key, uint64_t* out) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  if (n->is_integer()) {
    if (n->as_integer()->get() < 0) return WrongType(*n, key, "a rate of 0 or more");
    *out = static_cast<uint64_t>(n->as_integer()->get());
    return Status::Ok();
  }
  if (!n->is_string()) return WrongType(*n, key, "a rate such as 20M or an integer");
  auto r = ParseByteRate(n->as_string()->get(), Where(*n, key));
  if (!r.ok()) return r.status();
  *out = *r;
  return Status::Ok();
}

Status TomlFields::Millis(const char* key, int64_t* out) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  if (n->is_integer()) {
    if (n->as_integer()->get() < 0) return WrongType(*n, key, "a duration of 0 or more");
    *out = n->as_integer()->get();
    return Status::Ok();
  }
  if (!n->is_string()) return WrongType(*n, key, "a duration such as 30s or milliseconds");
  std::string s = n->as_string()->get();
  if (s == "0") {
    *out = 0;
    return Status::Ok();
  }
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "ms") == 0) {
    auto secs = ParseDuration(s.substr(0, s.size() - 2) + "s");
    if (!secs.ok())
      return Status::Usage(Where(*n, key) + " is \"" + s + "\": use e.g. 500ms, 30s or 5m");
    *out = *secs;
    return Status::Ok();
  }
  auto secs = ParseDuration(s);
  if (!secs.ok())
    return Status::Usage(Where(*n, key) + " is \"" + s + "\": use e.g. 500ms, 30s or 5m");
  *out = *secs * 1000;
  return Status::Ok();
}

Status TomlFields::Number(const char* key, double* out, double min, double max) {
  const toml::node* n = Get(key);
  if (!n) return Status::Ok();
  double v;
  if (n->is_integer())
    v = static_cast<double>(n->as_integer()->get());
  else if (n->is_floating_point())
    v = n->as_floating_point()->get();
  else
    return WrongType(*n, key, "a number");
  if (!std::isfinite(v) || v < min || v > max)
    return Status::Usage(Where(*n, key) + " is " + std::to_string(v) + ": use a value from " +
                         std::to_string(min) + " to " + std::to_string(max));
  *out = v;
  return Status::Ok();
}

Result<const toml::table*> TomlFields::Table(const char* key) {
  const toml::node* n = Get(key);
  if (!n) return static_cast<const toml::table*>(nullptr);
  if (!n->is_table()) return WrongType(*n, key, "a table");
  return n->as_table();
}

Result<std::vector<const toml::table*>> TomlFields::TableArray(const char* key) {
  const toml::node* n = Get(key);
  std::vector<const toml::table*> out;
  if (!n) return out;
  if (!n->is_array_of_tables())
    return WrongType(*n, key,
                     std::string("an array of tables ([[" + path_ + "." + key + "]])").c_str());
  for (const toml::node& item : *n->as_array()) out.push_back(item.as_table());
  return out;
}

Status TomlFields::Finish() const {
  for (const auto& [k, node] : table_) {
    std::string key(k.str());
    if (known_.count(key)) continue;
    std::string list;
    for (const auto& name : known_) list += (list.empty() ? "" : ", ") + name;
    std::string where = file_;
    if (k.source().begin.line > 0)
      where += " line " + std::to_string(k.source().begin.line);
    else if (node.source().begin.line > 0)
      where += " line " + std::to_string(node.source().begin.line);
    return Status::Usage(where + ": unknown key '" + key + "' in " +
                         (path_.empty() ? std::string("the top level") : "[" + path_ + "]") +
                         "; known keys: " + list + SecretHint(key));
  }
  return Status::Ok();
}

}  // namespace dredge
