// How one `backup db` run spreads its tables over several connections that all read the run's
// one snapshot (docs/db-tier.md, "Several tables"): the run's own connection exports its
// snapshot (pg_export_snapshot), every other connection imports it (SET TRANSACTION SNAPSHOT)
// before reading anything, so each table is read as of the same moment whichever connection
// reads it: a transaction committed during the run is in every table or in none.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "common/status.h"
#include "engine/db/table_export.h"

namespace dredge {

inline constexpr int kMaxExportConnections = 4;

struct ExportPlan {
  int connections = 1;     // reading tables at once, the run's own connection included
  int encode_workers = 1;  // chunk workers of each connection's pipeline
};

// At most one connection per table and kMaxExportConnections, about two chunk workers each,
// so the memory bound stays near (workers + 2 × connections) × 2 × chunk bytes; one table or
// workers < 4 reads on the run's connection alone with every worker encoding for it.
ExportPlan PlanExport(size_t tables, int workers);

// Calls export_one(ctx, i) once for every i in [0, n), on plan.connections threads: the first
// uses `first` (the run's own transaction), each other one a context copied from it whose
// connection imported `snapshot_id` and whose pipelines have plan.encode_workers workers.
// A table is handed to whichever connection is free. After the first failure no further
// table is started; that failure is returned once the running ones end. The extra
// connections' transactions are committed (and their helper connections closed) on success.
Status ExportOnConnections(const ExportPlan& plan, RunExportContext& first,
                           const std::string& snapshot_id, size_t n,
                           const std::function<Status(RunExportContext&, size_t)>& export_one);

}  // namespace dredge
