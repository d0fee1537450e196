#include "commands/report.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/store_flags.h"
#include "commands/report_data.h"
#include "commands/report_html.h"
#include "commands/run_setup.h"
#include "common/log.h"
#include "common/time_util.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

struct Flags {
  std::string html;
  std::vector<std::string> dests;
  StoreOptions store;
};

bool ConfiguredFor(const DredgeConfig& c, const std::string& tier, const std::string& url) {
  if (tier == "files" && !c.files.configured) return false;
  if (tier == "db" && !c.db.configured) return false;
  for (const auto& d : c.DestinationsFor(tier))
    if (d.url == url) return true;
  return false;
}

// The sections of one destination: its configured tiers; with none (or a --dest the config does
// not name) the tiers that have records there, at least one.
void GatherDestination(const DredgeConfig& config, const DestinationConfig& dest,
                       const StoreOptions& flags, ReportData* data) {
  auto store = OpenDestination(dest.url, MergeStoreOptions(dest, flags));
  if (!store.ok()) {
    log::Warn("report: cannot open " + dest.url + ": " + store.status().message());
    ReportSection unreadable;
    unreadable.tier = "files";
    unreadable.destination = dest.url;
    unreadable.error = store.status().message();
    data->sections.push_back(std::move(unreadable));
    return;
  }
  std::vector<ReportSection> found;
  for (const char* tier : {"files", "db"}) {
    bool configured = ConfiguredFor(config, tier, dest.url);
    ReportSection s = GatherSection(**store, tier, dest.url);
    if (!s.error.empty()) log::Warn("report: " + dest.url + " (" + tier + "): " + s.error);
    bool has_records = s.total_runs > 0 || s.verify || s.verify_deep || s.drill;
    if (configured || has_records || !s.error.empty()) found.push_back(std::move(s));
  }
  if (found.empty()) found.push_back(GatherSection(**store, "files", dest.url));
  for (auto& s : found) data->sections.push_back(std::move(s));
}

Status WritePage(const std::string& path, const std::string& html) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << html;
    out.close();
    if (!out)
      return Status::Io("cannot write " + tmp +
                        ": check that the directory exists and is "
                        "writable");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::Io("cannot move the report into place at " + path + ": " + ec.message());
  }
  return Status::Ok();
}

Status Run(const Flags& f, const GlobalOptions& global) {
  ConfigOverrides o;
  for (const auto& url : f.dests) o.dest.push_back(DestinationFromUrl(url));
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config, PrepareRun(global, o, OpsFlags{}));
  ReportData data;
  data.generated_ns = NowUnixNanos();
  for (const auto& d : config.AllDestinations()) GatherDestination(config, d, f.store, &data);
  DREDGE_RETURN_IF_ERROR(WritePage(f.html, RenderReportHtml(data)));
  log::Info("report: wrote " + f.html + " (" + std::to_string(data.sections.size()) +
            " tier/destination section" + (data.sections.size() == 1 ? "" : "s") + ")");
  return Status::Ok();
}

}  // namespace

Runner SetupReport(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--html", f->html, "Write the report page to this file (one static HTML file)")
      ->required();
  cmd.add_option("--dest", f->dests,
                 "Destination URL to report on (repeatable; default: every configured one)");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
