#include "commands/drill_dry_run.h"

#include "cli/output.h"
#include "common/plural.h"
#include "common/progress.h"

namespace dredge {

using json = nlohmann::json;

json FilesDrillPlanJson(const FilesDrillPlan& plan) {
  json sample = json::array();
  for (const auto& f : plan.sample)
    sample.push_back({{"path", f.entry.path},
                      {"size", f.entry.size},
                      {"md5", f.entry.md5},
                      {"key", f.key},
                      {"version_id", f.entry.version_id},
                      {"content_key", f.content_key}});
  return {{"snapshot", plan.snapshot},
          {"snapshot_files", plan.snapshot_files},
          {"snapshot_bytes", plan.snapshot_bytes},
          {"sampled", plan.sample.size()},
          {"bytes", plan.sample_bytes},
          {"seed", plan.seed},
          {"source", plan.source},
          {"scratch_parent", plan.scratch_parent},
          {"keep", plan.keep},
          {"sample", sample}};
}

void PrintFilesDrillPlan(const FilesDrillPlan& plan, const std::string& dest) {
  const std::string where = plan.scratch_parent.empty() ? "$TMPDIR" : plan.scratch_parent;
  const std::string source =
      plan.CompareSource() ? "compare with " + plan.source : "no source to compare with";
  PrintTextF(
      "PLAN files [%s]: snapshot %s (%s, %s): would restore %s, %s, seed %llu, into a "
      "temporary directory under %s; %s",
      dest.c_str(), plan.snapshot.c_str(), Plural(plan.snapshot_files, "file").c_str(),
      HumanBytes(plan.snapshot_bytes).c_str(), Plural(plan.sample.size(), "file").c_str(),
      HumanBytes(plan.sample_bytes).c_str(), static_cast<unsigned long long>(plan.seed),
      where.c_str(), source.c_str());
  for (const auto& f : plan.sample)
    PrintTextF("would restore %s (%s, md5 %s)", f.entry.path.c_str(),
               HumanBytes(f.entry.size).c_str(), f.entry.md5.c_str());
}

json DbDrillPlanJson(const DbDrillPlan& plan) {
  json tables = json::array();
  for (const auto& t : plan.tables)
    tables.push_back({{"table", t.entry.table},
                      {"compare_with", t.compare_with},
                      {"into", t.into},
                      {"rows", t.expected_rows},
                      {"keyless", t.keyless}});
  return {{"manifest", plan.manifest},
          {"tables", tables},
          {"rows", plan.ExpectedRows()},
          {"sample_rows", plan.sample_rows},
          {"seed", plan.seed},
          {"scratch_schema", plan.scratch_schema},
          {"scratch_database", plan.scratch_is_source ? "source" : "scratch-db"},
          {"keep", plan.keep}};
}

void PrintDbDrillPlan(const DbDrillPlan& plan, const std::string& dest) {
  PrintTextF(
      "PLAN db [%s]: manifest %s: would restore %s, %s, into scratch schema %s in %s; "
      "compare up to %s with the live tables, seed %llu",
      dest.c_str(), plan.manifest.c_str(), Plural(plan.tables.size(), "table").c_str(),
      Plural(plan.ExpectedRows(), "row").c_str(), plan.scratch_schema.c_str(),
      plan.scratch_is_source ? "the source database" : "the --scratch-db database",
      Plural(plan.sample_rows, "sampled row").c_str(), static_cast<unsigned long long>(plan.seed));
  for (const auto& t : plan.tables)
    PrintTextF("would restore %s (%s) into %s, %s", t.entry.table.c_str(),
               Plural(t.expected_rows, "row").c_str(), t.into.c_str(),
               t.keyless ? ("checked by count only (" + t.compare_with + " has no key)").c_str()
                         : ("compared with " + t.compare_with).c_str());
}

}  // namespace dredge
