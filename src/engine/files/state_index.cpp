#include "engine/files/state_index.h"

#include <cstring>

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "common/cache_dir.h"
#include "common/hash.h"
#include "common/time_util.h"

namespace dredge {
namespace {

Status SqlError(sqlite3* db, const std::string& path, const std::string& what) {
  return Status::Io("state index " + path + ": " + what + ": " +
                    (db ? sqlite3_errmsg(db) : "out of memory") +
                    " (delete the file to rebuild it from the store)");
}

Status OpenConnection(const std::string& path, sqlite3** db) {
  int rc = sqlite3_open_v2(
      path.c_str(), db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return SqlError(*db, path, "cannot open");
  sqlite3_busy_timeout(*db, 10000);
  return Status::Ok();
}

}  // namespace

std::string StateIndex::DefaultPath(const std::string& dest_url) {
  return DredgeCacheDir() + "/" + Sha256Hex(dest_url).substr(0, 16) + ".sqlite";
}

Result<std::unique_ptr<StateIndex>> StateIndex::Open(const std::string& path,
                                                     const std::string& dest_url) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    return Status::Io("cannot create directory for state index " + path + ": " + ec.message());
  std::unique_ptr<StateIndex> idx(new StateIndex());
  idx->path_ = path;
  DREDGE_RETURN_IF_ERROR(OpenConnection(path, &idx->db_));
  std::lock_guard lock(idx->mu_);
  DREDGE_RETURN_IF_ERROR(idx->CreateSchemaLocked());
  DREDGE_RETURN_IF_ERROR(idx->AddMissingColumnsLocked());
  DREDGE_RETURN_IF_ERROR(idx->CheckDestinationLocked(dest_url));
  DREDGE_RETURN_IF_ERROR(idx->PrepareStatementsLocked());
  return idx;
}

Status StateIndex::CreateSchemaLocked() {
  return ExecLocked(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
      "CREATE TABLE IF NOT EXISTS files(path BLOB PRIMARY KEY, size INTEGER NOT NULL,"
      " mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, md5 TEXT NOT NULL,"
      " removed INTEGER NOT NULL DEFAULT 0, version_id TEXT NOT NULL DEFAULT '',"
      " retain_until INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS files_md5 ON files(md5);"
      "CREATE INDEX IF NOT EXISTS files_size ON files(size) WHERE size >= 65536;"
      "CREATE TABLE IF NOT EXISTS remote(path BLOB PRIMARY KEY, size INTEGER NOT NULL,"
      " etag TEXT NOT NULL) WITHOUT ROWID;");
}

// Indexes written before version ids and retentions were recorded gain the columns (empty and
// 0: not known).
Status StateIndex::AddMissingColumnsLocked() {
  for (const char* col :
       {"version_id TEXT NOT NULL DEFAULT ''", "retain_until INTEGER NOT NULL DEFAULT 0"}) {
    std::string name(col, std::strchr(col, ' '));
    sqlite3_stmt* st = nullptr;
    bool has = sqlite3_prepare_v2(db_, ("SELECT " + name + " FROM files LIMIT 0").c_str(), -1, &st,
                                  nullptr) == SQLITE_OK;
    sqlite3_finalize(st);
    if (!has)
      DREDGE_RETURN_IF_ERROR(
          ExecLocked(("ALTER TABLE files ADD COLUMN " + std::string(col)).c_str()));
  }
  return Status::Ok();
}

Status StateIndex::CheckDestinationLocked(const std::string& dest_url) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='dest'", -1, &st, nullptr);
  std::string recorded;
  bool has = st && sqlite3_step(st) == SQLITE_ROW;
  if (has) recorded = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  if (has && recorded != dest_url)
    return Status::Usage("state index " + path_ + " belongs to destination '" + recorded +
                         "', not '" + dest_url + "': pass another --state file");
  if (has) return Status::Ok();
  sqlite3_prepare_v2(db_, "INSERT INTO meta(key, value) VALUES('dest', ?)", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, dest_url.data(), static_cast<int>(dest_url.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return SqlError(db_, path_, "cannot record destination");
  return Status::Ok();
}

Status StateIndex::PrepareStatementsLocked() {
  auto prep = [&](const char* sql, sqlite3_stmt** out) -> Status {
    if (sqlite3_prepare_v2(db_, sql, -1, out, nullptr) != SQLITE_OK)
      return SqlError(db_, path_, "cannot prepare statement");
    return Status::Ok();
  };
  DREDGE_RETURN_IF_ERROR(
      prep("INSERT OR REPLACE INTO files(path, size, mtime_ns, inode, md5, removed, version_id,"
           " retain_until) VALUES(?,?,?,?,?,?,?,?)",
           &put_));
  DREDGE_RETURN_IF_ERROR(prep("DELETE FROM files WHERE path=?", &remove_));
  DREDGE_RETURN_IF_ERROR(prep("UPDATE files SET removed=1 WHERE path=?", &mark_removed_));
  DREDGE_RETURN_IF_ERROR(prep("SELECT path FROM files WHERE md5=? LIMIT 1", &by_md5_));
  // The term "size >= 65536" is the index's own, so SQLite answers from files_size.
  static_assert(kSizeIndexMin == 65536);
  DREDGE_RETURN_IF_ERROR(
      prep("SELECT 1 FROM files WHERE size=? AND size >= 65536 LIMIT 1", &by_size_));
  DREDGE_RETURN_IF_ERROR(
      prep("SELECT size, mtime_ns, inode, md5, removed, version_id, retain_until FROM files "
           "WHERE path=?",
           &lookup_));
  return prep("INSERT OR REPLACE INTO remote(path, size, etag) VALUES(?,?,?)", &add_remote_);
}

StateIndex::~StateIndex() {
  {
    std::lock_guard lock(mu_);
    (void)MaybeCommitLocked(true);
  }
  for (auto* s : {put_, remove_, mark_removed_, by_md5_, by_size_, lookup_, add_remote_})
    sqlite3_finalize(s);
  sqlite3_close(db_);
}

Status StateIndex::ExecLocked(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::Io("state index " + path_ + ": " + msg);
  }
  return Status::Ok();
}

Status StateIndex::BeginLocked() {
  if (in_txn_) return Status::Ok();
  DREDGE_RETURN_IF_ERROR(ExecLocked("BEGIN IMMEDIATE"));
  in_txn_ = true;
  pending_ = 0;
  txn_started_ns_ = NowUnixNanos();
  return Status::Ok();
}

Status StateIndex::MaybeCommitLocked(bool force) {
  if (!in_txn_) return Status::Ok();
  if (!force && pending_ < kBatchRows &&
      NowUnixNanos() - txn_started_ns_ < kBatchSeconds * 1000000000LL)
    return Status::Ok();
  in_txn_ = false;
  return ExecLocked("COMMIT");
}

Result<uint64_t> StateIndex::Count(Table table) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* st = nullptr;
  const char* sql =
      table == Table::kFiles ? "SELECT count(*) FROM files" : "SELECT count(*) FROM remote";
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
    return SqlError(db_, path_, "cannot count rows");
  uint64_t n = 0;
  if (sqlite3_step(st) == SQLITE_ROW) n = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  return n;
}

Status StateIndex::Put(const IndexRow& r) {
  std::lock_guard lock(mu_);
  DREDGE_RETURN_IF_ERROR(BeginLocked());
  sqlite3_reset(put_);
  sqlite3_bind_blob(put_, 1, r.path.data(), static_cast<int>(r.path.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(put_, 2, static_cast<sqlite3_int64>(r.size));
  sqlite3_bind_int64(put_, 3, r.mtime_ns);
  sqlite3_bind_int64(put_, 4, static_cast<sqlite3_int64>(r.inode));
  sqlite3_bind_text(put_, 5, r.md5.data(), static_cast<int>(r.md5.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int(put_, 6, r.removed ? 1 : 0);
  sqlite3_bind_text(put_, 7, r.version_id.data(), static_cast<int>(r.version_id.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(put_, 8, r.retain_until);
  if (sqlite3_step(put_) != SQLITE_DONE) return SqlError(db_, path_, "cannot record " + r.path);
  ++pending_;
  return MaybeCommitLocked(false);
}

Status StateIndex::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  DREDGE_RETURN_IF_ERROR(BeginLocked());
  sqlite3_reset(remove_);
  sqlite3_bind_blob(remove_, 1, path.data(), static_cast<int>(path.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(remove_) != SQLITE_DONE) return SqlError(db_, path_, "cannot remove " + path);
  ++pending_;
  return MaybeCommitLocked(false);
}

Status StateIndex::MarkRemoved(const std::string& path) {
  std::lock_guard lock(mu_);
  DREDGE_RETURN_IF_ERROR(BeginLocked());
  sqlite3_reset(mark_removed_);
  sqlite3_bind_blob(mark_removed_, 1, path.data(), static_cast<int>(path.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(mark_removed_) != SQLITE_DONE)
    return SqlError(db_, path_, "cannot mark " + path + " removed");
  ++pending_;
  return MaybeCommitLocked(false);
}

Result<std::string> StateIndex::GetMeta(const std::string& key) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key=?", -1, &st, nullptr) != SQLITE_OK)
    return SqlError(db_, path_, "cannot read meta");
  sqlite3_bind_text(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* v = sqlite3_column_text(st, 0);
    if (v) out = reinterpret_cast<const char*>(v);
  }
  sqlite3_finalize(st);
  return out;
}

Status StateIndex::SetMeta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  DREDGE_RETURN_IF_ERROR(MaybeCommitLocked(true));
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &st,
                         nullptr) != SQLITE_OK)
    return SqlError(db_, path_, "cannot write meta");
  sqlite3_bind_text(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  // synchronous=FULL syncs the WAL at this commit (and with it every earlier one).
  Status full = ExecLocked("PRAGMA synchronous=FULL");
  int rc = full.ok() ? sqlite3_step(st) : SQLITE_ERROR;
  sqlite3_finalize(st);
  Status normal = ExecLocked("PRAGMA synchronous=NORMAL");
  DREDGE_RETURN_IF_ERROR(full);
  if (rc != SQLITE_DONE) return SqlError(db_, path_, "cannot write meta");
  return normal;
}

Status StateIndex::Flush() {
  std::lock_guard lock(mu_);
  return MaybeCommitLocked(true);
}

Result<std::optional<std::string>> StateIndex::PathWithMd5(const std::string& md5) {
  std::lock_guard lock(mu_);
  sqlite3_reset(by_md5_);
  sqlite3_bind_text(by_md5_, 1, md5.data(), static_cast<int>(md5.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(by_md5_);
  if (rc == SQLITE_ROW) {
    const char* p = static_cast<const char*>(sqlite3_column_blob(by_md5_, 0));
    std::string out(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(by_md5_, 0)));
    sqlite3_reset(by_md5_);
    return std::optional<std::string>(std::move(out));
  }
  sqlite3_reset(by_md5_);
  if (rc != SQLITE_DONE) return SqlError(db_, path_, "cannot look up content " + md5);
  return std::optional<std::string>();
}

Result<bool> StateIndex::HasSize(uint64_t size) {
  if (size < kSizeIndexMin)
    return Status::InvalidArgument("the state index keeps no sizes below " +
                                   std::to_string(kSizeIndexMin) + " bytes");
  std::lock_guard lock(mu_);
  sqlite3_reset(by_size_);
  sqlite3_bind_int64(by_size_, 1, static_cast<sqlite3_int64>(size));
  int rc = sqlite3_step(by_size_);
  sqlite3_reset(by_size_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE)
    return SqlError(db_, path_, "cannot look up content of " + std::to_string(size) + " bytes");
  return false;
}

Result<std::optional<IndexRow>> StateIndex::Lookup(const std::string& path) {
  std::lock_guard lock(mu_);
  sqlite3_reset(lookup_);
  sqlite3_bind_blob(lookup_, 1, path.data(), static_cast<int>(path.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(lookup_);
  if (rc == SQLITE_ROW) {
    IndexRow r;
    r.path = path;
    r.size = static_cast<uint64_t>(sqlite3_column_int64(lookup_, 0));
    r.mtime_ns = sqlite3_column_int64(lookup_, 1);
    r.inode = static_cast<uint64_t>(sqlite3_column_int64(lookup_, 2));
    const unsigned char* m = sqlite3_column_text(lookup_, 3);
    r.md5 = m ? reinterpret_cast<const char*>(m) : "";
    r.removed = sqlite3_column_int(lookup_, 4) != 0;
    const unsigned char* v = sqlite3_column_text(lookup_, 5);
    r.version_id = v ? reinterpret_cast<const char*>(v) : "";
    r.retain_until = sqlite3_column_int64(lookup_, 6);
    sqlite3_reset(lookup_);
    return std::optional<IndexRow>(std::move(r));
  }
  sqlite3_reset(lookup_);
  if (rc != SQLITE_DONE) return SqlError(db_, path_, "cannot look up " + path);
  return std::optional<IndexRow>();
}

Status StateIndex::ClearRemote() {
  std::lock_guard lock(mu_);
  DREDGE_RETURN_IF_ERROR(MaybeCommitLocked(true));
  return ExecLocked("DELETE FROM remote");
}

Status StateIndex::AddRemote(const IndexRow& r) {
  std::lock_guard lock(mu_);
  DREDGE_RETURN_IF_ERROR(BeginLocked());
  sqlite3_reset(add_remote_);
  sqlite3_bind_blob(add_remote_, 1, r.path.data(), static_cast<int>(r.path.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(add_remote_, 2, static_cast<sqlite3_int64>(r.size));
  sqlite3_bind_text(add_remote_, 3, r.md5.data(), static_cast<int>(r.md5.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(add_remote_) != SQLITE_DONE)
    return SqlError(db_, path_, "cannot record listing entry " + r.path);
  ++pending_;
  return MaybeCommitLocked(false);
}

Result<std::unique_ptr<StateIndex::Cursor>> StateIndex::OpenCursor(Table table) {
  DREDGE_RETURN_IF_ERROR(Flush());
  std::unique_ptr<Cursor> c(new Cursor());
  c->path_ = path_;
  DREDGE_RETURN_IF_ERROR(OpenConnection(path_, &c->db_));
  const char* sql =
      table == Table::kFiles
          ? "SELECT path, size, mtime_ns, inode, md5, removed, version_id, retain_until FROM files "
            "ORDER BY path"
          : "SELECT path, size, -1, 0, etag, 0, '', 0 FROM remote ORDER BY path";
  if (sqlite3_prepare_v2(c->db_, sql, -1, &c->stmt_, nullptr) != SQLITE_OK)
    return SqlError(c->db_, path_, "cannot read");
  return c;
}

StateIndex::Cursor::~Cursor() {
  sqlite3_finalize(stmt_);
  sqlite3_close(db_);
}

Result<bool> StateIndex::Cursor::Next(IndexRow* row) {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return SqlError(db_, path_, "cannot read");
  const char* p = static_cast<const char*>(sqlite3_column_blob(stmt_, 0));
  row->path.assign(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(stmt_, 0)));
  row->size = static_cast<uint64_t>(sqlite3_column_int64(stmt_, 1));
  row->mtime_ns = sqlite3_column_int64(stmt_, 2);
  row->inode = static_cast<uint64_t>(sqlite3_column_int64(stmt_, 3));
  const unsigned char* m = sqlite3_column_text(stmt_, 4);
  row->md5 = m ? reinterpret_cast<const char*>(m) : "";
  row->removed = sqlite3_column_int(stmt_, 5) != 0;
  const unsigned char* v = sqlite3_column_text(stmt_, 6);
  row->version_id = v ? reinterpret_cast<const char*>(v) : "";
  row->retain_until = sqlite3_column_int64(stmt_, 7);
  return true;
}

}  // namespace dredge
