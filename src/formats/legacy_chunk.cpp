#include "formats/legacy_chunk.h"

#include <nlohmann/json.hpp>

#include "formats/copy_text.h"

namespace dredge {

std::string QuoteNonFiniteTokens(std::string_view t) {
  std::string out;
  out.reserve(t.size() + 64);
  bool in_string = false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < t.size())
        out.push_back(t[++i]);
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    auto at = [&](std::string_view tok) { return t.substr(i, tok.size()) == tok; };
    if (at("NaN")) {
      out += "\"NaN\"";
      i += 2;
    } else if (at("-Infinity")) {
      out += "\"-Infinity\"";
      i += 8;
    } else if (at("Infinity")) {
      out += "\"Infinity\"";
      i += 7;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool LooksLikeLegacyChunk(std::string_view t) {
  for (char c : t) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '[';
  }
  return false;
}

Result<std::vector<LegacyRow>> DecodeLegacyChunk(std::string_view text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(QuoteNonFiniteTokens(text));
  } catch (const std::exception& e) {
    return Status::Corrupt(std::string("legacy chunk is not valid JSON: ") + e.what());
  }
  if (!doc.is_array()) return Status::Corrupt("legacy chunk is not a JSON array");
  std::vector<LegacyRow> rows;
  rows.reserve(doc.size());
  for (const auto& obj : doc) {
    if (!obj.is_object()) return Status::Corrupt("legacy chunk holds a non-object element");
    LegacyRow row;
    for (const auto& [k, v] : obj.items()) {
      std::string f;
      if (v.is_null())
        f = std::string(copytext::kNull);
      else if (v.is_string())
        copytext::AppendEscaped(v.get_ref<const std::string&>(), &f);
      else if (v.is_boolean())
        f.push_back(v.get<bool>() ? 't' : 'f');
      else if (v.is_number())
        f = v.dump();
      else
        copytext::AppendEscaped(v.dump(), &f);
      row.emplace_back(k, std::move(f));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace dredge
