// --encrypt-key-file for every command that writes or reads database chunks (`backup`,
// `restore`, `prune`, `drill` and their `db` forms, `verify db`; docs/formats/encryption.md):
// the path of a file holding the 32-byte AES-256-GCM key. Precedence: the flag, else
// DREDGE_ENCRYPT_KEY_FILE, else `[db] encrypt_key_file` in dredge.toml. The key itself is never
// taken from the command line, the environment or the config, only the path, so neither `ps`,
// the environment nor the config file shows it.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/aead.h"
#include "common/status.h"
#include "config/dredge_config.h"

namespace dredge {

void AddEncryptKeyFlag(CLI::App& cmd, std::string* path);

// The key the flag (else DREDGE_ENCRYPT_KEY_FILE, else `config`'s [db] encrypt_key_file when
// given) names, or nullopt when none is set. Usage error when the file cannot be read or holds
// no valid key.
Result<std::optional<EncryptionKey>> LoadEncryptKey(const std::string& flag_path,
                                                    const DredgeConfig* config = nullptr);

// LoadEncryptKey, then the key is registered for decrypting chunks (common/aead.h) by the
// commands that read them.
Status LoadDecryptionKey(const std::string& flag_path, const DredgeConfig* config = nullptr);

}  // namespace dredge
