#include "engine/drill/db_drill_plan.h"

namespace dredge {
namespace {

// The rows a restore of `m` must load: its live keys, or every row of a keyless table's read.
uint64_t ExpectedRows(const Manifest& m) {
  if (!m.schema.Keyless()) return m.live_keys.count();
  uint64_t n = 0;
  for (const auto& c : m.chunks) n += c.rows;
  return n;
}

bool Drilled(const RunManifest& run, const Manifest& t, const std::string& table) {
  return table.empty() || t.table == table || t.table == "public." + table ||
         run.tables.size() == 1;
}

}  // namespace

uint64_t DbDrillPlan::ExpectedRows() const {
  uint64_t n = 0;
  for (const auto& t : tables) n += t.expected_rows;
  return n;
}

std::string ScratchSchemaName(uint64_t random) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "dredge_drill_";
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(random >> shift) & 0xf]);
  return out;
}

Result<DbDrillPlan> PlanDbDrill(const RunManifest& run, const DbDrillOptions& o,
                                uint64_t scratch_random) {
  DbDrillPlan plan;
  plan.manifest = run.key;
  plan.scratch_schema = ScratchSchemaName(scratch_random);
  plan.scratch_is_source = !o.scratch.has_value();
  plan.sample_rows = o.sample_rows;
  plan.seed = o.seed;
  plan.keep = o.keep;
  for (const Manifest& m : run.tables) {
    if (!Drilled(run, m, o.table)) continue;
    DbDrillTable t;
    t.entry = m;
    t.compare_with = o.table.empty() ? m.table : o.table;
    t.into = plan.scratch_schema + "." + m.schema.table;
    t.expected_rows = ExpectedRows(m);
    t.keyless = m.schema.Keyless();
    plan.tables.push_back(std::move(t));
  }
  if (plan.tables.empty() && o.table.empty())
    return Status::Corrupt("manifest " + run.key + " lists no table");
  if (plan.tables.empty())
    return Status::Usage("--table " + o.table + ": manifest " + run.key + " holds no such table");
  return plan;
}

}  // namespace dredge
