// `dredge drill`: the monthly restore test, automated. For every configured tier and destination
// (like `dredge backup`; --tier files|db picks one, --dest replaces the destinations, --source and
// --db work without a config) it restores from the newest backup into scratch space, checks the
// copy against the backup's records and the live source, cleans up (unless --keep) and prints
// one line per check (PASS/FAIL/SKIP) and a final "drill PASSED" or "drill FAILED".
//  - files (engine/drill/files_drill.h): a random sample of the newest snapshot (--sample N files,
//    --sample-bytes) into a temporary directory;
//  - db (engine/drill/db_drill.h): the newest manifest into a scratch schema dredge_drill_<hex>
//    in the source database or --scratch-db, compared with the live table by key.
// The sample is reproducible: --seed N, else a random seed that every summary prints.
// Each destination is drilled under the tier's restore lock (commands/run_setup.h).
// --dry-run plans each destination's drill and prints the plan (commands/drill_dry_run.h): the
// store is read, nothing is locked, restored, created or recorded, no database is connected to.
// Exit (common/exit_codes.h, combined over tiers and destinations): 0 passed, 4 data does not match
// its records (a file or chunk named), 1 the drill could not be done (store or database
// unreachable, no backup), 2 usage (also: no scratch space the role may CREATE in), 5 lock held.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupDrill(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
