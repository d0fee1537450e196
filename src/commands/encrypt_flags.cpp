#include "commands/encrypt_flags.h"

#include <cstdlib>

#include "cli/option_flags.h"

namespace dredge {

void AddEncryptKeyFlag(CLI::App& cmd, std::string* path) {
  AddSettingFlag(cmd, "db.encrypt_key_file", path);
}

Result<std::optional<EncryptionKey>> LoadEncryptKey(const std::string& flag_path,
                                                    const DredgeConfig* config) {
  std::string path = flag_path;
  if (path.empty())
    if (const char* env = std::getenv("DREDGE_ENCRYPT_KEY_FILE")) path = env;
  if (path.empty() && config) path = config->db.encrypt_key_file;
  if (path.empty()) return std::optional<EncryptionKey>();
  DREDGE_ASSIGN_OR_RETURN(EncryptionKey key, LoadEncryptionKey(path));
  return std::optional<EncryptionKey>(std::move(key));
}

Status LoadDecryptionKey(const std::string& flag_path, const DredgeConfig* config) {
  DREDGE_ASSIGN_OR_RETURN(auto key, LoadEncryptKey(flag_path, config));
  if (key) RegisterDecryptionKey(*key);
  return Status::Ok();
}

}  // namespace dredge
