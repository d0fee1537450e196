// Aborting the incomplete uploads a killed run left behind (store/incomplete_uploads.h), which a
// provider bills until they are aborted.
//
// AbortOrphanedUploads lists every incomplete upload under the store root and aborts those
//  - that no live lease owns: while another run (run id other than `me`) holds an unexpired
//    lease of any tier on this store (ops/lease.h), every upload is left alone — it may be that
//    run's upload in progress. A lease that cannot be read counts as live. The caller holds
//    its own tier's lease (a backup or prune), so its own tier has no other writer;
//  - and that were begun at least `older_than` ago by the store's clock (0 = any age).
// It never fails the run: a store or server without the API (Unsupported) is said once per
// store and process at info level; other errors are warnings. The report counts what was found
// and done; one info line says it when anything was found.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "ops/run_identity.h"
#include "store/incomplete_uploads.h"
#include "store/object_store.h"

namespace dredge {

inline constexpr std::chrono::seconds kDefaultAbortIncompleteAfter{24 * 3600};

struct UploadCleanupOptions {
  std::chrono::seconds older_than = kDefaultAbortIncompleteAfter;
  std::function<int64_t()> now_ns;  // NowUnixNanos when empty
};

struct UploadCleanupReport {
  bool supported = true;     // false: the store or its server cannot list uploads
  uint64_t found = 0;        // incomplete uploads under the store root
  uint64_t aborted = 0;      // aborted now
  uint64_t kept_live = 0;    // left alone: another run holds a live lease
  uint64_t kept_recent = 0;  // left alone: begun less than older_than ago
  uint64_t failed = 0;       // the abort was refused (warned)
};

UploadCleanupReport AbortOrphanedUploads(ObjectStore& store, const RunIdentity& me,
                                         const UploadCleanupOptions& options);

}  // namespace dredge
