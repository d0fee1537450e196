// The change cursor as SQL (docs/db-horizon.md): which row versions a transaction not older than
// a horizon wrote. Shared by the incremental export and the drill's "changed since the backup".
#pragma once

#include <cstdint>
#include <string>

namespace dredge {

// A boolean SQL expression over a row's xmin: true when the row version was written by a
// transaction whose xid8 is >= `horizon`. The 32-bit xmin is widened to the xid8 it stands for
// against `xmax`, the xmax (xid8) of the snapshot the query reads with; xids 0-2 (frozen,
// bootstrap, invalid) count as older than any horizon. Both arguments are numbers, so nothing
// from a manifest reaches the SQL text but digits.
std::string RowChangedSinceSql(int64_t horizon, int64_t xmax);

}  // namespace dredge
