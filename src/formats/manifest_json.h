// Internal to src/formats/manifest*.cpp: the JSON pieces the manifest versions share
// (docs/formats/manifest.md). The *FromJson functions throw (nlohmann or std exceptions) on a
// malformed member; the callers turn that into Corrupt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/manifest.h"

namespace dredge::manifest_json {

using json = nlohmann::json;

// Values in chunk encoding ↔ COPY text fields.
json JsonOfField(Codec codec, const std::string& f);
std::string FieldOfJson(Codec codec, const json& v);

json Opt(const std::optional<std::string>& s);
std::optional<std::string> OptStr(const json& j, const char* k);
json Int64Json(int64_t v);  // a string beyond 2^53
int64_t IntMember(const json& v);
uint64_t UIntMember(const json& v);
int64_t IntOr(const json& obj, const char* key, int64_t dflt);
uint64_t UIntOr(const json& obj, const char* key, uint64_t dflt);
int64_t Int64Of(const json& v);  // number or decimal string

std::vector<ColumnSpec> KeySpecs(const TableSchema& s);
bool IsDecimalXid(const std::string& s);
bool IsXidSnapshot(const std::string& s);

// `version` 1 writes the one-table schema (primary_key always, foreign_keys as definitions),
// 2 the version 2 entry's (primary_key null unless the key is one, no foreign_keys).
json SchemaToJson(const TableSchema& s, int64_t version);
TableSchema SchemaFromJson(const json& j);

json ChunksToJson(const Manifest& m);
std::vector<ChunkEntry> ChunksFromJson(const json& a, const TableSchema& schema);
json LiveKeysToJson(const Manifest& m);  // null for a keyless table
LiveKeySet LiveKeysFromJson(const json& live, const TableSchema& schema);

// Corrupt unless every transaction id is decimal digits (they reach SQL).
Status CheckXids(const std::string& snapshot, const std::string& horizon,
                 const std::vector<const std::optional<std::string>*>& afters);

// "source" with or without version 1's table members.
json SourceJson(const Manifest& m, bool with_table);
// id, tool, times, run, previous, source (database, server, snapshot_at), snapshot, encryption.
void RunMembersFromJson(const json& j, Manifest* m);

}  // namespace dredge::manifest_json
