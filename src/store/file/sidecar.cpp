#include "store/file/sidecar.h"

#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "common/record_header.h"

namespace dredge::filestore {
namespace {

constexpr const char* kFormat = "dredge.file-store.meta";

bool IsValidUtf8(std::string_view s) {
  try {
    (void)nlohmann::json(std::string(s)).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

bool IsPrintableAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

}  // namespace

std::pair<std::string, std::string> SidecarLocation(std::string_view key) {
  std::string h = Sha256Hex(key);
  return {h.substr(0, 2), h + ".json"};
}

std::string EncodeSidecar(const Sidecar& sidecar) {
  nlohmann::json j;
  j["format"] = kFormat;
  j["version"] = kSidecarVersion;
  if (IsValidUtf8(sidecar.key)) {
    j["key"] = sidecar.key;
  } else {
    j["key_hex"] = ToHex(sidecar.key);
  }
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : sidecar.entries) {
    nlohmann::json je;
    je["size"] = e.size;
    je["mtime_ns"] = std::to_string(e.mtime_ns);
    je["md5"] = e.md5;
    je["content_type"] = e.content_type;
    je["metadata"] = nlohmann::json::object();
    for (const auto& [k, v] : e.metadata) je["metadata"][k] = v;
    entries.push_back(std::move(je));
  }
  j["entries"] = std::move(entries);
  return j.dump(1) + "\n";
}

Result<Sidecar> DecodeSidecar(std::string_view text) {
  try {
    auto j = nlohmann::json::parse(text);
    DREDGE_RETURN_IF_ERROR(CheckRecordHeader(j, kFormat, kSidecarVersion, "file-store sidecar"));
    Sidecar out;
    if (j.contains("key")) {
      out.key = j.at("key").get<std::string>();
    } else {
      DREDGE_ASSIGN_OR_RETURN(out.key, FromHex(j.at("key_hex").get<std::string>()));
    }
    for (const auto& je : j.at("entries")) {
      SidecarEntry e;
      e.size = je.at("size").get<uint64_t>();
      e.mtime_ns = std::stoll(je.at("mtime_ns").get<std::string>());
      e.md5 = je.at("md5").get<std::string>();
      e.content_type = je.value("content_type", "");
      if (je.contains("metadata"))
        for (const auto& [k, v] : je.at("metadata").items()) e.metadata[k] = v.get<std::string>();
      if (e.md5.size() != 32) return Status::Corrupt("sidecar entry has a malformed md5");
      out.entries.push_back(std::move(e));
    }
    return out;
  } catch (const std::exception& e) {  // nlohmann::json errors and std::stoll
    return Status::Corrupt(std::string("unreadable sidecar: ") + e.what());
  }
}

const SidecarEntry* FindEntry(const Sidecar& sidecar, uint64_t size, int64_t mtime_ns) {
  for (const auto& e : sidecar.entries)
    if (e.size == size && e.mtime_ns == mtime_ns) return &e;
  return nullptr;
}

Status ValidateMetadata(std::string_view key, const Metadata& metadata) {
  for (const auto& [k, v] : metadata) {
    if (k.empty() || !IsPrintableAscii(k) || !IsPrintableAscii(v))
      return Status::InvalidArgument("metadata of '" + std::string(key) + "' entry '" + k +
                                     "' is not printable ASCII (keys non-empty)");
  }
  return Status::Ok();
}

}  // namespace dredge::filestore
