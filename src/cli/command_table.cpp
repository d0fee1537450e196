#include "cli/command.h"
#include "commands/backup_files.h"
#include "commands/prune.h"
#include "commands/restore_files.h"
#include "commands/snapshots.h"
#include "commands/verify_files.h"
#include "commands/version.h"

namespace dredge {

// One line per command. Parents ("backup", "restore", …) are created on first mention; an entry
// with a name equal to its parent's runs when the parent is given without a subcommand.
const CommandEntry kCommands[] = {
    {"", "version", "Print the version and the libraries dredge was built with", &SetupVersion},
    {"backup", "files", "Mirror a directory to a store, one object per file", &SetupBackupFiles},
    {"restore", "files", "Restore a files snapshot into a directory", &SetupRestoreFiles},
    {"verify", "files", "Compare a files backup with its source or newest snapshot",
     &SetupVerifyFiles},
    {"", "snapshots", "List the files-tier snapshots of a destination", &SetupSnapshots},
    {"", "prune", "Remove restore points a --keep-* policy does not keep, and what only they need",
     &SetupPrune},
};
const size_t kCommandCount = sizeof(kCommands) / sizeof(kCommands[0]);

}  // namespace dredge
