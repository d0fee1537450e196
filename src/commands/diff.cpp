#include "commands/diff.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/diff_db.h"
#include "commands/files_command_support.h"
#include "commands/read_dest.h"
#include "common/plural.h"
#include "common/progress.h"
#include "engine/files/snapshot_diff.h"
#include "engine/files/snapshot_select.h"

namespace dredge {
namespace {

using json = nlohmann::json;

struct Flags {
  std::string a, b, dest;
  std::vector<std::string> globs;
  std::string tier = "files";
  bool json = false;
  StoreOptions store;
};

json DiffJson(const SnapshotDiff& d) {
  json added = json::array(), removed = json::array(), changed = json::array(),
       renamed = json::array();
  for (const auto& e : d.added) added.push_back({{"path", e.path}, {"size", e.size}});
  for (const auto& e : d.removed) removed.push_back({{"path", e.path}, {"size", e.size}});
  for (const auto& c : d.changed)
    changed.push_back(
        {{"path", c.after.path}, {"old_size", c.before.size}, {"new_size", c.after.size}});
  for (const auto& c : d.renamed)
    renamed.push_back({{"from", c.before.path}, {"to", c.after.path}, {"size", c.after.size}});
  return {{"added", added},
          {"removed", removed},
          {"changed", changed},
          {"renamed", renamed},
          {"totals",
           {{"added", d.added.size()},
            {"removed", d.removed.size()},
            {"changed", d.changed.size()},
            {"renamed", d.renamed.size()},
            {"unchanged", d.unchanged}}}};
}

uint64_t SumSizes(const std::vector<SnapshotEntry>& v) {
  uint64_t n = 0;
  for (const auto& e : v) n += e.size;
  return n;
}

void PrintDiff(const SnapshotDiff& d, const std::string& from, const std::string& to) {
  // One pass in path order would interleave kinds; grouping by kind reads better and each group
  // is already sorted.
  for (const auto& e : d.added)
    PrintTextF("+ %s (%s)\n", e.path.c_str(), HumanBytes(e.size).c_str());
  for (const auto& e : d.removed)
    PrintTextF("- %s (%s)\n", e.path.c_str(), HumanBytes(e.size).c_str());
  for (const auto& c : d.changed)
    PrintTextF("M %s (%s -> %s)\n", c.after.path.c_str(), HumanBytes(c.before.size).c_str(),
               HumanBytes(c.after.size).c_str());
  for (const auto& c : d.renamed)
    PrintTextF("R %s -> %s (%s)\n", c.before.path.c_str(), c.after.path.c_str(),
               HumanBytes(c.after.size).c_str());
  PrintTextF(
      "%s -> %s: %s differ: %zu added (%s), %zu removed (%s), %zu changed, %zu renamed; "
      "%llu unchanged\n",
      from.c_str(), to.c_str(), Plural(d.Count(), "file").c_str(), d.added.size(),
      HumanBytes(SumSizes(d.added)).c_str(), d.removed.size(),
      HumanBytes(SumSizes(d.removed)).c_str(), d.changed.size(), d.renamed.size(),
      static_cast<unsigned long long>(d.unchanged));
}

Status Run(const Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  if (f.tier == "db") {
    if (!f.globs.empty())
      return fail(Status::Usage("diff --tier db takes no globs (it compares whole tables)"));
    Status st = RunDbDiff(global, f.dest, f.a, f.b, f.json, f.store);
    return st.ok() ? st : fail(st);
  }
  auto opened = OpenSnapshots(global, f.dest, f.store);
  if (!opened.ok()) return fail(opened.status());
  ObjectStore& store = *opened->target.store;
  std::string ids[2];
  const std::string* texts[2] = {&f.a, &f.b};
  for (int i = 0; i < 2; ++i) {
    auto id = SelectSnapshotFrom(opened->snapshots, {*texts[i], std::nullopt}, store.Describe());
    if (!id.ok()) return fail(id.status());
    ids[i] = *id;
  }
  auto d = DiffSnapshots(store, ids[0], ids[1], PathFilter(f.globs, {}));
  if (!d.ok()) return fail(d.status());
  if (f.json) {
    json j = DiffJson(*d);
    j["ok"] = true;
    j["from"] = ids[0];
    j["to"] = ids[1];
    PrintJson(j);
  } else {
    PrintDiff(*d, ids[0], ids[1]);
  }
  return Status::Ok();
}

}  // namespace

Runner SetupDiff(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("A", f->a, "The older snapshot (latest, an id, a unique prefix or the stamp)")
      ->required();
  cmd.add_option("B", f->b, "The newer snapshot (same forms)")->required();
  cmd.add_option("GLOB", f->globs, "Only paths matching these globs");
  cmd.add_option("--dest", f->dest,
                 "Store URL (default: the first configured destination of the tier)");
  cmd.add_option("--tier", f->tier,
                 "files (default) or db: rows inserted, updated and deleted between two "
                 "manifests, and the chunks they came from")
      ->check(CLI::IsMember({"files", "db"}));
  cmd.add_flag("--json", f->json, "Print one JSON object on stdout");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
