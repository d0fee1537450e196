// Strict, typed reading of one TOML table for the config loader. Every getter marks its key as
// known; Finish() then reports the first key nobody asked for. Errors are Usage, naming the
// file, the line, the full dotted key and what was expected, so a typo in dredge.toml stops the
// run before it does anything. A missing key leaves the output untouched (the default stays).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "common/status.h"

namespace dredge {

class TomlFields {
 public:
  // `file` names the config file in messages; `path` is the table's dotted name ("files",
  // "files.destination[2]").
  TomlFields(const toml::table& table, std::string file, std::string path);

  Status String(const char* key, std::string* out);
  Status Choice(const char* key, std::string* out, std::initializer_list<const char*> choices);
  Status StringList(const char* key, std::vector<std::string>* out);
  Status Int(const char* key, int64_t* out, int64_t min, int64_t max);
  Status Int(const char* key, int* out, int min, int max);
  Status Bool(const char* key, bool* out);
  // An integer (bytes) or a size string ("64M").
  Status Size(const char* key, uint64_t* out);
  // An integer (bytes per second) or a rate string ("20M", "512k/s", "off").
  Status Rate(const char* key, uint64_t* out);
  // An integer (milliseconds) or a duration string ("500ms", "30s", "5m").
  Status Millis(const char* key, int64_t* out);
  // A number in [min, max]; integers are accepted too.
  Status Number(const char* key, double* out, double min, double max);
  // The sub-table at `key`, or nullptr when absent; a non-table is a Usage error.
  Result<const toml::table*> Table(const char* key);
  // The array of tables at `key` (`[[files.destination]]`); empty when absent.
  Result<std::vector<const toml::table*>> TableArray(const char* key);

  // Usage naming the first key that no getter asked for, with the keys that are known.
  Status Finish() const;

  // "dredge.toml line 12: files.workers"
  std::string Where(const toml::node& node, const char* key) const;

  // The node at `key` without marking it known (for keys whose type picks the reader).
  const toml::node* Peek(const char* key) const { return table_.get(key); }
  const std::string& file() const { return file_; }

 private:
  const toml::node* Get(const char* key);
  Status WrongType(const toml::node& node, const char* key, const char* expected) const;

  const toml::table& table_;
  std::string file_;
  std::string path_;
  std::set<std::string> known_;
};

}  // namespace dredge
