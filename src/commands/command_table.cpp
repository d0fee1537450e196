#include "commands/command_table.h"

#include "commands/backup_all.h"
#include "commands/backup_db.h"
#include "commands/backup_files.h"
#include "commands/check.h"
#include "commands/diff.h"
#include "commands/drill.h"
#include "commands/ls.h"
#include "commands/manifests.h"
#include "commands/prune.h"
#include "commands/report.h"
#include "commands/restore_all.h"
#include "commands/restore_db.h"
#include "commands/restore_files.h"
#include "commands/snapshots.h"
#include "commands/status.h"
#include "commands/verify_db.h"
#include "commands/verify_files.h"
#include "commands/version.h"

namespace dredge {

// One line per command. Parents ("backup", "restore", …) are created on first mention; an entry
// with a name equal to its parent's runs when the parent is given without a subcommand.
const CommandEntry kCommands[] = {
    {"backup", "files", "Mirror a directory to a store, one object per file", &SetupBackupFiles},
    {"backup", "db", "Back up a PostgreSQL table incrementally (chunked JSON + manifest)",
     &SetupBackupDb},
    {"", "backup", "Back up every configured tier to every configured destination (for cron)",
     &SetupBackupAll},
    {"restore", "files", "Restore a files snapshot into a directory", &SetupRestoreFiles},
    {"restore", "db", "Restore a PostgreSQL table from its backups (any restore point)",
     &SetupRestoreDb},
    {"", "restore",
     "Recover every configured tier to one point in time (--as-of), one summary at the end",
     &SetupRestoreAll},
    {"verify", "files", "Compare a files backup with its source or newest snapshot",
     &SetupVerifyFiles},
    {"verify", "db", "Check database backups: chunk hashes, and with --db the live table",
     &SetupVerifyDb},
    {"", "snapshots", "List the files-tier snapshots of a destination", &SetupSnapshots},
    {"", "manifests", "List the database backups' restore points", &SetupManifests},
    {"", "ls", "List the files of a snapshot (or with --tier db the chunks of a manifest)",
     &SetupLs},
    {"", "diff",
     "Files added, removed, changed and renamed between two snapshots (or with --tier db the "
     "rows between two manifests)",
     &SetupDiff},
    {"", "prune",
     "Remove restore points the retention rules (--keep-*, [retention]) do not keep, and what only "
     "they need",
     &SetupPrune},
    {"", "status", "Last runs, their age and store totals per destination; exit 6 when stale",
     &SetupStatus},
    {"", "drill", "Restore a sample of the newest backups into scratch space and check it (exit 4)",
     &SetupDrill},
    {"", "report", "Write one static HTML page: backup age, run charts, verify/drill results",
     &SetupReport},
    {"", "check", "Probe destinations and the database: write/read/list/delete, clock, SELECT",
     &SetupCheck},
    {"", "version", "Print the version and the libraries dredge was built with", &SetupVersion},
};
const size_t kCommandCount = sizeof(kCommands) / sizeof(kCommands[0]);

}  // namespace dredge
