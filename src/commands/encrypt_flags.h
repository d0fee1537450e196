// --encrypt-key-file for `backup db`, `restore db` and `verify db` (docs/formats/encryption.md):
// the path of a file holding the 32-byte AES-256-GCM key; DREDGE_ENCRYPT_KEY_FILE when the flag
// is absent. The key itself is never taken from the command line or the environment, only the
// path, so neither `ps` nor the environment shows it.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/aead.h"
#include "common/status.h"

namespace dredge {

void AddEncryptKeyFlag(CLI::App& cmd, std::string* path);

// The key the flag (else DREDGE_ENCRYPT_KEY_FILE) names, or nullopt when neither is set.
// Usage error when the file cannot be read or holds no valid key.
Result<std::optional<EncryptionKey>> LoadEncryptKey(const std::string& flag_path);

}  // namespace dredge
