#include "engine/drill/files_drill.h"

#include <sys/stat.h>

#include <filesystem>
#include <unordered_set>

#include "common/hash.h"
#include "common/log.h"
#include "common/progress.h"
#include "engine/files/restore.h"
#include "engine/files/snapshot_select.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

class Md5Sink final : public ByteSink {
 public:
  Status Write(std::string_view d) override {
    h_.Update(d);
    return Status::Ok();
  }
  std::string Hex() { return h_.FinishHex(); }

 private:
  Hasher h_{HashAlgo::kMd5};
};

Result<std::string> StoredMd5(ObjectStore& store, const std::string& key) {
  Md5Sink sink;
  DREDGE_RETURN_IF_ERROR(store.Get(key, sink));
  return sink.Hex();
}

// Why a sampled file did not come back (see the header).
Status Diagnose(ObjectStore& store, const DrillSampleFile& f) {
  const SnapshotEntry& e = f.entry;
  std::string found;
  for (const std::string& key : {f.key, f.content_key}) {
    auto md5 = StoredMd5(store, key);
    if (md5.ok() && *md5 == e.md5)
      return Status::Io(e.path + ": the store holds its content under " + key +
                        " but the restore did not write it (see the messages above)");
    if (!md5.ok() && md5.status().Is(ErrorKind::kCorrupt))
      return Status(ErrorKind::kMismatch, e.path + ": " + md5.status().message());
    if (!md5.ok() && !md5.status().Is(ErrorKind::kNotFound))
      return md5.status().WithContext("cannot check " + e.path + " in the store");
    found += (found.empty() ? "" : ", ") + key + (md5.ok() ? " holds md5 " + *md5 : " is missing");
  }
  return Status(ErrorKind::kMismatch, e.path + ": the store no longer holds the content the " +
                                          "snapshot records (md5 " + e.md5 + "): " + found);
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// The restored copy against its record; empty when equal.
std::string CheckRestored(const std::string& path, const SnapshotEntry& e) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";  // diagnosed instead
  if (static_cast<uint64_t>(st.st_size) != e.size)
    return "restored " + std::to_string(st.st_size) + " bytes, the snapshot records " +
           std::to_string(e.size);
  auto md5 = Md5HexOfFile(path);
  if (!md5.ok()) return "cannot read the restored copy: " + md5.status().message();
  if (*md5 != e.md5) return "restored md5 " + *md5 + ", the snapshot records " + e.md5;
  return "";
}

std::string MakeScratchDir(const std::string& parent) {
  std::error_code ec;
  fs::path base = parent.empty() ? fs::temp_directory_path(ec) : fs::path(parent);
  std::string tmpl = (base / "dredge-drill-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return ::mkdtemp(buf.data()) ? std::string(buf.data()) : std::string();
}

void SourceCheck(const FilesDrillPlan& plan, const std::unordered_set<std::string>& bad,
                 FilesDrillReport& r) {
  uint64_t compared = 0;
  std::vector<FilesDrillProblem> source_bad;
  for (const auto& f : plan.sample) {
    const SnapshotEntry& e = f.entry;
    if (bad.count(e.path)) continue;
    auto rel = file_keys::SafeRelativePath(e.path);
    if (!rel.ok()) continue;
    std::string p = (fs::path(plan.source) / *rel).string();
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      r.changed.push_back({e.path, "no longer in the source"});
      continue;
    }
    if (static_cast<uint64_t>(st.st_size) != e.size || MtimeNs(st) != e.mtime_ns) {
      r.changed.push_back({e.path, "size or mtime changed since the backup"});
      continue;
    }
    ++compared;
    auto md5 = Md5HexOfFile(p);
    if (!md5.ok()) {
      r.changed.push_back({e.path, "unreadable in the source: " + md5.status().message()});
    } else if (*md5 == e.md5) {
      ++r.source_equal;
    } else {
      source_bad.push_back({e.path, "the source file has the recorded size and mtime but md5 " +
                                        *md5 + ", the backup holds md5 " + e.md5 +
                                        " (changed without a new mtime, or one side is damaged)"});
    }
  }
  std::string detail = std::to_string(r.source_equal) + "/" + std::to_string(compared) +
                       " unchanged files equal to " + plan.source + ", " +
                       std::to_string(r.changed.size()) + " changed since the backup";
  if (source_bad.empty()) {
    r.checks.push_back({"files source", DrillCheck::Outcome::kPass, detail});
    return;
  }
  r.checks.push_back({"files source", DrillCheck::Outcome::kFail,
                      detail + "; " + source_bad.front().path + ": " + source_bad.front().error});
  for (auto& p : source_bad) r.mismatched.push_back(std::move(p));
}

// Ends the drill before it could sample: the error as the status and as the sample's check.
FilesDrillReport& FailSample(FilesDrillReport& r, Status st) {
  r.status = std::move(st);
  r.checks.push_back({"files sample", DrillCheck::Outcome::kFail, r.status.message()});
  return r;
}

// Restores the sample into the scratch directory with the files tier's own restore.
Status RestoreSample(ObjectStore& store, const FilesDrillPlan& plan, const FilesDrillOptions& o,
                     const std::string& scratch_dir) {
  std::unordered_set<std::string> wanted;
  for (const auto& f : plan.sample) wanted.insert(f.entry.path);
  RestoreOptions ro;
  ro.target = scratch_dir;
  ro.snapshot_id = plan.snapshot;
  ro.select = [&wanted](const std::string& p) { return wanted.count(p) > 0; };
  ro.progress = o.progress;
  ro.workers = o.workers;
  auto restored = RunFilesRestore(store, ro);
  return restored.ok() ? Status::Ok() : restored.status();
}

// Each restored copy against its record. Mismatches go to the report and `bad`; returns the
// first store error (which beats a mismatch: the drill could not look at everything).
Status CompareSample(ObjectStore& store, const std::vector<DrillSampleFile>& sample,
                     FilesDrillReport& r, std::unordered_set<std::string>& bad) {
  Status worst;
  for (const auto& f : sample) {
    const SnapshotEntry& e = f.entry;
    auto rel = file_keys::SafeRelativePath(e.path);
    std::string problem;
    if (!rel.ok()) {
      problem = "the snapshot names an unsafe path: " + rel.status().message();
    } else {
      std::string p = (fs::path(r.scratch_dir) / *rel).string();
      struct stat sb {};
      if (::lstat(p.c_str(), &sb) == 0 && S_ISREG(sb.st_mode)) {
        problem = CheckRestored(p, e);
      } else if (Status why = Diagnose(store, f); !why.Is(ErrorKind::kMismatch)) {
        if (worst.ok()) worst = why;
        bad.insert(e.path);
        continue;
      } else {
        problem = why.message().substr(e.path.size() + 2);
      }
    }
    if (problem.empty()) {
      ++r.matched;
    } else {
      bad.insert(e.path);
      r.mismatched.push_back({e.path, problem});
    }
  }
  return worst;
}

void AddSampleCheck(FilesDrillReport& r, uint64_t seed, const Status& worst) {
  std::string counts = std::to_string(r.matched) + "/" + std::to_string(r.sampled) + " files, " +
                       HumanBytes(r.bytes) + ", snapshot " + r.snapshot + " (" +
                       std::to_string(r.snapshot_files) + " files), seed " + std::to_string(seed);
  if (!worst.ok()) {
    r.checks.push_back(
        {"files sample", DrillCheck::Outcome::kFail, counts + "; " + worst.message()});
  } else if (!r.mismatched.empty()) {
    std::string more = r.mismatched.size() > 1
                           ? " (and " + std::to_string(r.mismatched.size() - 1) + " more)"
                           : std::string();
    r.checks.push_back(
        {"files sample", DrillCheck::Outcome::kFail,
         counts + "; " + r.mismatched.front().path + ": " + r.mismatched.front().error + more});
  } else if (r.sampled == 0) {
    r.checks.push_back({"files sample", DrillCheck::Outcome::kSkip,
                        "snapshot " + r.snapshot + " holds no file that fits the sample bounds"});
  } else {
    r.checks.push_back({"files sample", DrillCheck::Outcome::kPass, counts});
  }
}

// Removes the scratch directory unless --keep; a failure is a check of its own and, when
// nothing else failed, the drill's error.
void RemoveScratch(bool keep, FilesDrillReport& r, Status& worst) {
  if (keep) return;
  std::error_code ec;
  fs::remove_all(r.scratch_dir, ec);
  r.scratch_removed = !ec;
  if (!ec) return;
  r.checks.push_back({"files cleanup", DrillCheck::Outcome::kFail,
                      "cannot remove " + r.scratch_dir + ": " + ec.message()});
  if (worst.ok() && r.mismatched.empty())
    worst =
        Status::Io("cannot remove the drill's directory " + r.scratch_dir + ": " + ec.message());
}

// The source check, or why it is skipped (after the sample's check, when it could be made).
void AddSourceCheck(const FilesDrillPlan& plan, const std::unordered_set<std::string>& bad,
                    FilesDrillReport& r) {
  if (plan.CompareSource()) return SourceCheck(plan, bad, r);
  r.checks.push_back({"files source", DrillCheck::Outcome::kSkip,
                      "no source directory to compare with (give --source or configure "
                      "[files] source)"});
}

}  // namespace

Result<FilesDrillPlan> LoadFilesDrillPlan(ObjectStore& store, const FilesDrillOptions& o) {
  DREDGE_ASSIGN_OR_RETURN(std::string snapshot, SelectSnapshot(store, o.snapshot));
  FilesDrillPlanner planner(snapshot, o);
  DREDGE_RETURN_IF_ERROR(ReadSnapshot(
      store, snapshot,
      [&](const SnapshotEntry& e) {
        planner.Offer(e);
        return Status::Ok();
      },
      nullptr));
  return planner.Finish();
}

FilesDrillReport ExecuteFilesDrill(ObjectStore& store, const FilesDrillPlan& plan,
                                   const FilesDrillOptions& o) {
  FilesDrillReport r;
  r.snapshot = plan.snapshot;
  r.snapshot_files = plan.snapshot_files;
  r.snapshot_bytes = plan.snapshot_bytes;
  r.sampled = plan.sample.size();
  r.bytes = plan.sample_bytes;
  r.scratch_dir = MakeScratchDir(plan.scratch_parent);
  if (r.scratch_dir.empty())
    return FailSample(r, Status::Io("cannot create a temporary directory under " +
                                    (plan.scratch_parent.empty() ? std::string("$TMPDIR")
                                                                 : plan.scratch_parent)));
  std::unordered_set<std::string> bad;
  Status worst = RestoreSample(store, plan, o, r.scratch_dir);
  if (worst.ok()) worst = CompareSample(store, plan.sample, r, bad);
  AddSampleCheck(r, plan.seed, worst);
  if (worst.ok()) AddSourceCheck(plan, bad, r);
  RemoveScratch(plan.keep, r, worst);
  if (!worst.ok())
    r.status = worst;
  else if (!r.mismatched.empty())
    r.status = Status(ErrorKind::kMismatch,
                      std::to_string(r.mismatched.size()) + " sampled file(s) do not match: " +
                          r.mismatched.front().path + ": " + r.mismatched.front().error);
  return r;
}

FilesDrillReport RunFilesDrill(ObjectStore& store, const FilesDrillOptions& o) {
  auto plan = LoadFilesDrillPlan(store, o);
  if (!plan.ok()) {
    FilesDrillReport r;
    return FailSample(r, plan.status());
  }
  return ExecuteFilesDrill(store, *plan, o);
}

}  // namespace dredge
