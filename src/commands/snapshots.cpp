#include "commands/snapshots.h"

#include <cstdio>
#include <memory>

#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "commands/read_dest.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/files/snapshot_diff.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest;
  bool json = false;
  StoreOptions store;
};

Status Run(const Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  auto opened = OpenSnapshots(global, f.dest, f.store);
  if (!opened.ok()) return fail(opened.status());
  ObjectStore& store = *opened->target.store;
  auto rows = SummarizeSnapshots(store, opened->snapshots);
  if (!rows.ok()) return fail(rows.status());
  if (f.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : *rows)
      list.push_back({{"id", s.ref.id},
                      {"time", FormatIsoUtc(s.ref.time_s)},
                      {"host", s.host},
                      {"files", s.files},
                      {"bytes", s.bytes},
                      {"changed", s.changed}});
    PrintJson({{"ok", true}, {"dest", store.Describe()}, {"snapshots", list}});
    return Status::Ok();
  }
  PrintTextF("%-31s %-20s %-16s %9s %10s %9s\n", "ID", "TIME (UTC)", "HOST", "FILES", "BYTES",
             "CHANGED");
  for (const auto& s : *rows)
    PrintTextF("%-31s %-20s %-16s %9llu %10s %9llu\n", s.ref.id.c_str(),
               FormatIsoUtc(s.ref.time_s).c_str(), s.host.c_str(),
               static_cast<unsigned long long>(s.files), HumanBytes(s.bytes).c_str(),
               static_cast<unsigned long long>(s.changed));
  return Status::Ok();
}

}  // namespace

Runner SetupSnapshots(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest, "Store URL (default: the first configured files destination)");
  cmd.add_flag("--json", f->json, "Print one JSON object on stdout");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
