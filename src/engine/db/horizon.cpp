#include "engine/db/horizon.h"

namespace dredge {

std::string RowChangedSinceSql(int64_t horizon, int64_t xmax) {
  constexpr int64_t kEpoch = int64_t{1} << 32;
  const std::string x = std::to_string(xmax), x32 = std::to_string(xmax % kEpoch),
                    epoch = std::to_string(kEpoch);
  return "(xmin::text::bigint >= 3 AND " + x + " - ((" + x32 + " - xmin::text::bigint + " + epoch +
         ") % " + epoch + ") >= " + std::to_string(horizon) + ")";
}

}  // namespace dredge
