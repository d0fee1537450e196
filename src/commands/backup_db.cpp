#include "commands/backup_db.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "cli/store_flags.h"
#include "commands/db_flags.h"
#include "common/log.h"
#include "engine/db/exporter.h"

namespace dredge {
namespace {

struct Flags {
  BackupOptions opts;
  std::string dest;
  std::string chunk_bytes = "64M";
  std::string compress = "none";
  bool json = false;
  StoreOptions store;
};

}  // namespace

Runner SetupBackupDb(CLI::App& cmd, const GlobalOptions&) {
  auto f = std::make_shared<Flags>();
  AddDbFlags(cmd, &f->opts.pg, true);
  cmd.add_option("--table", f->opts.table, "Table to back up (needs a primary key)")->required();
  cmd.add_option("--dest", f->dest, "Destination URL (file://… or s3://bucket/prefix)")->required();
  cmd.add_option("--chunk-size", f->opts.chunk_rows, "Rows per chunk")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--chunk-bytes", f->chunk_bytes, "Row bytes per chunk (K, M, G)")
      ->capture_default_str();
  cmd.add_option("--workers", f->opts.workers, "Chunks encoded and uploaded in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd.add_option("--compress", f->compress, "Chunk compression")
      ->check(CLI::IsMember({"none", "zstd"}))
      ->capture_default_str();
  cmd.add_flag("--json", f->json, "Print one JSON object with the result");
  AddStoreFlags(cmd, &f->store);
  return [f]() -> Status {
    DREDGE_ASSIGN_OR_RETURN(f->opts.chunk_bytes, ParseByteSize(f->chunk_bytes));
    f->opts.zstd = f->compress == "zstd";
    DREDGE_ASSIGN_OR_RETURN(auto store, OpenDestination(f->dest, f->store));
    DREDGE_ASSIGN_OR_RETURN(BackupResult r, RunDbBackup(*store, f->opts));
    if (f->json) {
      nlohmann::json j = {{"rows", r.rows},           {"chunks", r.chunks},
                          {"bytes", r.bytes},         {"manifest", r.manifest_key},
                          {"mode", r.mode},           {"full_reason", r.full_reason},
                          {"live_keys", r.live_keys}, {"seconds", r.seconds}};
      PrintJsonLine(j.dump());
    } else {
      log::Info("backup db: " + r.mode + " run wrote " + std::to_string(r.rows) + " rows in " +
                std::to_string(r.chunks) + " chunks (" + std::to_string(r.bytes) + " bytes), " +
                std::to_string(r.live_keys) + " live keys; manifest " + r.manifest_key);
    }
    return Status::Ok();
  };
}

}  // namespace dredge
