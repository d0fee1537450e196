#include "commands/snapshots.h"

#include <cstdio>
#include <memory>

#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "common/time_util.h"
#include "engine/files/snapshot_catalog.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest;
  bool json = false;
  StoreOptions store;
};

Status Run(const Flags& f) {
  auto fail = [&](Status st) {
    if (f.json) PrintJson({{"ok", false}, {"error", st.message()}});
    return st;
  };
  auto store = OpenDestination(f.dest, f.store);
  if (!store.ok()) return fail(store.status());
  auto all = ListSnapshots(**store);
  if (!all.ok()) return fail(all.status());
  if (f.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : *all)
      list.push_back({{"id", s.id}, {"time", FormatIsoUtc(s.time_s)}, {"bytes", s.size}});
    PrintJson({{"ok", true}, {"dest", (*store)->Describe()}, {"snapshots", list}});
    return Status::Ok();
  }
  if (all->empty()) std::fprintf(stderr, "no snapshots in %s\n", (*store)->Describe().c_str());
  for (const auto& s : *all)
    std::printf("%s  %s  %llu bytes\n", s.id.c_str(), FormatIsoUtc(s.time_s).c_str(),
                static_cast<unsigned long long>(s.size));
  return Status::Ok();
}

}  // namespace

Runner SetupSnapshots(CLI::App& cmd, const GlobalOptions&) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest, "Store URL")->required();
  cmd.add_flag("--json", f->json, "Print one JSON object on stdout");
  AddStoreFlags(cmd, &f->store);
  return [f]() { return Run(*f); };
}

}  // namespace dredge
