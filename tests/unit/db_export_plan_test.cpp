// How a backup db run spreads its tables over connections (engine/db/export_workers.h).
#include <gtest/gtest.h>

#include "engine/db/export_workers.h"

namespace dredge {
namespace {

TEST(DbExportPlan, OneConnectionPerTableUpToTheCapWithAboutTwoWorkersEach) {
  // One table, or too few workers to share: the run's own connection with every worker.
  EXPECT_EQ(PlanExport(1, 4).connections, 1);
  EXPECT_EQ(PlanExport(1, 4).encode_workers, 4);
  EXPECT_EQ(PlanExport(5, 1).connections, 1);
  EXPECT_EQ(PlanExport(5, 1).encode_workers, 1);
  EXPECT_EQ(PlanExport(5, 3).connections, 1);
  EXPECT_EQ(PlanExport(5, 0).encode_workers, 1);  // workers below one count as one
  // The default 4 workers read three tables on two connections of two workers.
  EXPECT_EQ(PlanExport(3, 4).connections, 2);
  EXPECT_EQ(PlanExport(3, 4).encode_workers, 2);
  // Never more connections than tables, nor than the cap.
  EXPECT_EQ(PlanExport(2, 16).connections, 2);
  EXPECT_EQ(PlanExport(2, 16).encode_workers, 8);
  EXPECT_EQ(PlanExport(10, 16).connections, kMaxExportConnections);
  EXPECT_EQ(PlanExport(10, 16).encode_workers, 16 / kMaxExportConnections);
  EXPECT_EQ(PlanExport(4, 8).connections, 4);
}

}  // namespace
}  // namespace dredge
