#include "common/record_header.h"

#include <string>

namespace dredge {

Status CheckRecordHeader(const nlohmann::json& j, std::string_view format, int max_version,
                         std::string_view what) {
  std::string name(what);
  auto f = j.is_object() ? j.find("format") : j.end();
  if (!j.is_object() || f == j.end() || !f->is_string() || f->get<std::string>() != format)
    return Status::Corrupt(name + " is not a " + std::string(format) + " record");
  auto v = j.find("version");
  if (v == j.end() || !v->is_number_integer() || v->get<int64_t>() < 1)
    return Status::Corrupt(name + " has no valid version (an integer from 1)");
  if (v->get<int64_t>() > max_version)
    return Status::Corrupt(name + " has version " + std::to_string(v->get<int64_t>()) +
                           ", newer than this dredge understands (" + std::to_string(max_version) +
                           "): upgrade dredge");
  return Status::Ok();
}

}  // namespace dredge
