#include "cli/command.h"
#include "commands/backup_files.h"
#include "commands/check.h"
#include "commands/restore_files.h"
#include "commands/snapshots.h"
#include "commands/status.h"
#include "commands/verify_files.h"
#include "commands/version.h"

namespace dredge {

// One line per command. Parents ("backup", "restore", …) are created on first mention; an entry
// with a name equal to its parent's runs when the parent is given without a subcommand.
const CommandEntry kCommands[] = {
    {"", "check", "Probe destinations and the database: write/read/list/delete, clock, SELECT",
     &SetupCheck},
    {"", "status", "Last runs, their age and store totals per destination; exit 6 when stale",
     &SetupStatus},
    {"", "version", "Print the version and the libraries dredge was built with", &SetupVersion},
    {"backup", "files", "Mirror a directory to a store, one object per file", &SetupBackupFiles},
    {"restore", "files", "Restore a files snapshot into a directory", &SetupRestoreFiles},
    {"verify", "files", "Compare a files backup with its source or newest snapshot",
     &SetupVerifyFiles},
    {"", "snapshots", "List the files-tier snapshots of a destination", &SetupSnapshots},
};
const size_t kCommandCount = sizeof(kCommands) / sizeof(kCommands[0]);

}  // namespace dredge
