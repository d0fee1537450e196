// What the versioned-bucket and retention-extension tests share: reading the version id a
// snapshot names for a path, through a driver on the test's prefix.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "formats/snapshot.h"
#include "store/object_store.h"

namespace dredge::testing {

// The version id snapshot `id` records for `path` ("" when none).
inline std::string SnapshotVersion(ObjectStore& store, const std::string& id,
                                   const std::string& path) {
  std::string out;
  Status st = ReadSnapshot(
      store, id,
      [&](const SnapshotEntry& e) {
        if (e.path == path) out = e.version_id;
        return Status::Ok();
      },
      nullptr);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

}  // namespace dredge::testing
