#include "commands/files_command_support.h"

#include <unistd.h>

#include <filesystem>

#include "common/log.h"
#include "common/time_util.h"

namespace dredge {

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
