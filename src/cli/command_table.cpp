#include "cli/command.h"
#include "commands/backup_db.h"
#include "commands/manifests.h"
#include "commands/restore_db.h"
#include "commands/verify_db.h"
#include "commands/version.h"

namespace dredge {

// One line per command. Parents ("backup", "restore", …) are created on first mention; an entry
// with a name equal to its parent's runs when the parent is given without a subcommand.
const CommandEntry kCommands[] = {
    {"backup", "db", "Back up a PostgreSQL table incrementally (chunked JSON + manifest)",
     &SetupBackupDb},
    {"restore", "db", "Restore a PostgreSQL table from its backups (any restore point)",
     &SetupRestoreDb},
    {"verify", "db", "Check database backups: chunk hashes, and with --db the live table",
     &SetupVerifyDb},
    {"", "manifests", "List the database backups' restore points", &SetupManifests},
    {"", "version", "Print the version and the libraries dredge was built with", &SetupVersion},
};
const size_t kCommandCount = sizeof(kCommands) / sizeof(kCommands[0]);

}  // namespace dredge
