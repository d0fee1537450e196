// A state index written before version ids and retain-until dates were recorded
// (state_index.h) opens, keeps its rows (with neither known) and records both from then on.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "engine/files/state_index.h"
#include "files_test_support.h"

namespace dredge {
namespace {

TEST(StateIndexColumns, AnIndexFromBeforeVersionIdsGainsTheColumnsAndKeepsItsRows) {
  testing::ScratchDir dir;
  const std::string path = dir / "old.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                         "INSERT INTO meta VALUES('dest', 'memory://old');"
                         "CREATE TABLE files(path BLOB PRIMARY KEY, size INTEGER NOT NULL,"
                         " mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, md5 TEXT NOT NULL,"
                         " removed INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
                         "INSERT INTO files VALUES(CAST('a.txt' AS BLOB), 5, 7, 9, "
                         "'0cc175b9c0f1b6a831c399e269772661', 0);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto idx = StateIndex::Open(path, "memory://old");
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  auto row = (*idx)->Lookup("a.txt");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->size, 5u);
  EXPECT_EQ((*row)->version_id, "");
  EXPECT_EQ((*row)->retain_until, 0);
  IndexRow r = **row;
  r.version_id = "v1";
  r.retain_until = 1800000000;
  ASSERT_TRUE((*idx)->Put(r).ok());
  ASSERT_TRUE((*idx)->Flush().ok());
  auto cursor = (*idx)->OpenCursor(StateIndex::Table::kFiles);
  ASSERT_TRUE(cursor.ok());
  IndexRow got;
  ASSERT_TRUE((*cursor)->Next(&got).value());
  EXPECT_EQ(got.version_id, "v1");
  EXPECT_EQ(got.retain_until, 1800000000);
}

}  // namespace
}  // namespace dredge
