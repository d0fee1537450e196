#include "commands/files_command_support.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "common/log.h"
#include "common/time_util.h"

namespace dredge {

void PrintJson(const nlohmann::json& j) {
  std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(stdout, "%s\n", out.c_str());
  std::fflush(stdout);
}

Result<std::string> ExistingDirectory(const std::string& path, const char* flag) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  if (ec || !std::filesystem::is_directory(abs, ec))
    return Status::Usage(std::string(flag) + " '" + path + "' is not a directory");
  return abs.lexically_normal().string();
}

Status CheckWorkers(int workers) {
  if (workers < 1 || workers > 256)
    return Status::Usage("--workers must be between 1 and 256, not " + std::to_string(workers));
  return Status::Ok();
}

}  // namespace dredge
