#include "engine/db/restore_plan.h"

#include <algorithm>
#include <set>

#include "formats/chunk_writer.h"
#include "formats/temporal.h"

namespace dredge {
namespace {

bool KeyRangesOverlap(const std::vector<ColumnSpec>& cols, const std::vector<size_t>& key_idx,
                      const ChunkEntry& a, const ChunkEntry& b) {
  if (a.key_min.empty() || b.key_min.empty()) return true;
  return CompareKeys(cols, key_idx, a.key_min, b.key_max) <= 0 &&
         CompareKeys(cols, key_idx, b.key_min, a.key_max) <= 0;
}

// The tables to restore: --table (each must be in the point), plus with --with-dependencies
// every table a restored table's foreign key references (transitively).
Result<std::set<std::string>> ChooseTables(const RunManifest& point, const DbRestoreOptions& o) {
  std::set<std::string> chosen;
  if (o.tables.empty()) {
    for (const auto& t : point.tables) chosen.insert(t.table);
    return chosen;
  }
  for (const auto& name : o.tables) {
    const Manifest* m = point.Find(name);
    if (!m) m = point.Find("public." + name);
    if (!m) {
      std::string have;
      for (const auto& t : point.tables) have += (have.empty() ? "" : ", ") + t.table;
      return Status::Usage("--table " + name + ": manifest " + point.id +
                           " holds no such table (it holds " + have + ")");
    }
    chosen.insert(m->table);
  }
  for (bool grew = o.with_dependencies; grew;) {
    grew = false;
    for (const auto& t : point.tables)
      if (chosen.count(t.table))
        for (const auto& fk : t.schema.foreign_keys)
          if (point.Find(fk.references) && chosen.insert(fk.references).second) grew = true;
  }
  return chosen;
}

Result<std::optional<int64_t>> HighestIdEver(const Manifest& target,
                                             const std::optional<RunManifest>& newest) {
  std::optional<int64_t> best;
  auto fold = [&](const Manifest& m) {
    if (m.max_key) best = std::max(best.value_or(INT64_MIN), *m.max_key);
    if (m.schema.sequence && m.schema.sequence->last_value)
      best = std::max(best.value_or(INT64_MIN), *m.schema.sequence->last_value);
  };
  fold(target);
  if (newest)
    if (const Manifest* n = newest->Find(target.table)) fold(*n);
  return best;
}

void PlanForeignKeys(const RunManifest& point, const std::set<std::string>& chosen,
                     RestorePlan* plan) {
  for (const auto& t : point.tables) {
    if (!chosen.count(t.table)) continue;
    for (const auto& fk : t.schema.foreign_keys) {
      if (fk.name.empty()) continue;  // a version 1 manifest records the definition only
      if (chosen.count(fk.references))
        plan->foreign_keys.push_back(fk);
      else
        plan->left_out.push_back(
            "foreign key " + fk.name + " of " + t.table + " references " + fk.references +
            ", which is not restored: left out (restore it too with --with-dependencies)");
    }
  }
}

}  // namespace

std::vector<ChunkWork> PlanChunks(const std::vector<Manifest>& chain, const RowFilter& filter,
                                  uint64_t* skipped) {
  auto cols = chain.front().schema.ChunkColumns();
  auto key_idx = chain.front().schema.KeyIndexes();
  std::vector<std::vector<char>> skip(chain.size());
  std::vector<const ChunkEntry*> kept_older;  // kept chunks of runs older than the current one
  for (size_t r = chain.size(); r-- > 0;) {
    const auto& chunks = chain[r].chunks;
    skip[r].assign(chunks.size(), 0);
    for (size_t i = 0; i < chunks.size(); ++i) {
      const ChunkEntry& c = chunks[i];
      if (filter.ids && !c.key_min.empty() && key_idx.size() == 1 &&
          !RangesOverlap(*filter.ids, IntKeyOf(c.key_min[0]), IntKeyOf(c.key_max[0]))) {
        skip[r][i] = 1;  // none of its keys is asked for, so it hides nothing that is
        continue;
      }
      if (filter.ExcludesZone(c)) {
        bool hides = false;
        for (const ChunkEntry* o : kept_older)
          if (KeyRangesOverlap(cols, key_idx, c, *o)) hides = true;
        if (!hides) skip[r][i] = 1;
      }
    }
    for (size_t i = 0; i < chunks.size(); ++i)
      if (!skip[r][i]) kept_older.push_back(&chunks[i]);
  }
  std::vector<ChunkWork> out;
  for (size_t r = 0; r < chain.size(); ++r)
    for (size_t i = 0; i < chain[r].chunks.size(); ++i) {
      if (skip[r][i])
        ++*skipped;
      else
        out.push_back({&chain[r].chunks[i]});
    }
  return out;
}

Result<RestorePlan> PlanRestore(ObjectStore& store, const PrefixListing& listing,
                                const RunManifest& point, const DbRestoreOptions& opts) {
  bool filtered = !opts.since.empty() || !opts.until.empty() || opts.ids.has_value();
  if (opts.mode == RestoreMode::kReplace && filtered)
    return Status::Usage(
        "--replace cannot be combined with --since/--until/--ids: it would "
        "drop the rows the filters leave out (use --merge)");
  DREDGE_ASSIGN_OR_RETURN(std::set<std::string> chosen, ChooseTables(point, opts));
  if (!opts.into.empty() && chosen.size() != 1)
    return Status::Usage("--into names one table, but this restore loads " +
                         std::to_string(chosen.size()) +
                         " tables: pick one with --table (without --with-dependencies)");
  DREDGE_ASSIGN_OR_RETURN(auto newest, NewestManifest(store, listing));
  RestorePlan plan;
  plan.manifest_key = point.key;
  for (const auto& entry : point.tables) {
    if (!chosen.count(entry.table)) continue;
    TableRestorePlan t;
    DREDGE_ASSIGN_OR_RETURN(t.chain, LoadChain(store, entry));
    const Manifest& m0 = t.chain.front();
    auto filter = MakeRowFilter(opts, m0.schema.ChunkColumns(), m0.schema.HasIntegerKey());
    if (!filter.ok()) return filter.status().WithContext("table " + m0.table);
    t.filter = std::move(*filter);
    t.into = opts.into.empty() ? m0.table : opts.into;
    t.same_name = opts.into.empty() || opts.into == m0.table || opts.into == m0.schema.table;
    t.work = PlanChunks(t.chain, t.filter, &t.chunks_skipped);
    DREDGE_ASSIGN_OR_RETURN(t.max_id, HighestIdEver(m0, newest));
    plan.tables.push_back(std::move(t));
  }
  PlanForeignKeys(point, chosen, &plan);
  return plan;
}

}  // namespace dredge
