// Who is running: host, pid, start time and a random run id. The lock, the lease, the run
// record and the run log all name a run the same way, so an operator can match them up.
#pragma once

#include <cstdint>
#include <string>

namespace dredge {

struct RunIdentity {
  std::string host;
  int64_t pid = 0;
  int64_t start_ns = 0;  // since the Unix epoch
  std::string run_id;    // 16 lower-case hex characters, random

  // "host db1, pid 4242, started 2025-05-27T00:12:34Z"
  std::string Describe() const;
};

// This process, starting now, with a fresh run id.
RunIdentity NewRunIdentity();

// `n` random lower-case hex characters (not for cryptography: names only).
std::string RandomHex(size_t n);

std::string HostName();

}  // namespace dredge
