#include "engine/files/prune_refs.h"

#include <sqlite3.h>

namespace dredge {
namespace {

Status SqlError(sqlite3* db, const std::string& what) {
  return Status::Io("prune's temporary database: " + what + ": " +
                    (db ? sqlite3_errmsg(db) : "out of memory") +
                    " (is the temporary directory full? set TMPDIR or SQLITE_TMPDIR)");
}

void BindBlob(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_blob(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}
void BindText(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

std::string ColumnBytes(sqlite3_stmt* st, int i) {
  const char* p = static_cast<const char*>(sqlite3_column_blob(st, i));
  return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, i)));
}

}  // namespace

Result<std::unique_ptr<PruneRefs>> PruneRefs::Create() {
  std::unique_ptr<PruneRefs> r(new PruneRefs());
  // "" = a private temporary database on disk (in SQLITE_TMPDIR/TMPDIR), deleted on close.
  if (sqlite3_open_v2("", &r->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    return SqlError(r->db_, "cannot create it");
  DREDGE_RETURN_IF_ERROR(
      r->Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8000;"
              "PRAGMA temp_store=FILE;"
              "CREATE TABLE kept(path BLOB, md5 TEXT, PRIMARY KEY(path, md5)) WITHOUT ROWID;"
              "CREATE TABLE retiring(path BLOB, md5 TEXT, PRIMARY KEY(path, md5)) WITHOUT ROWID;"
              "CREATE TABLE data(path BLOB PRIMARY KEY, size INTEGER, md5 TEXT) WITHOUT ROWID;"
              "CREATE TABLE content(md5 TEXT PRIMARY KEY, size INTEGER) WITHOUT ROWID;"
              "BEGIN;"));
  auto prep = [&](const char* sql, sqlite3_stmt** out) -> Status {
    if (sqlite3_prepare_v2(r->db_, sql, -1, out, nullptr) != SQLITE_OK)
      return SqlError(r->db_, "cannot prepare a statement");
    return Status::Ok();
  };
  DREDGE_RETURN_IF_ERROR(prep("INSERT OR IGNORE INTO kept VALUES(?,?)", &r->add_kept_));
  DREDGE_RETURN_IF_ERROR(prep("INSERT OR IGNORE INTO retiring VALUES(?,?)", &r->add_retiring_));
  DREDGE_RETURN_IF_ERROR(prep("INSERT OR REPLACE INTO data VALUES(?,?,?)", &r->add_data_));
  DREDGE_RETURN_IF_ERROR(prep("INSERT OR REPLACE INTO content VALUES(?,?)", &r->add_content_));
  return r;
}

PruneRefs::~PruneRefs() {
  for (auto* s : {add_kept_, add_retiring_, add_data_, add_content_}) sqlite3_finalize(s);
  sqlite3_close(db_);
}

Status PruneRefs::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::Io("prune's temporary database: " + msg);
  }
  return Status::Ok();
}

Status PruneRefs::AddEntry(Set set, const std::string& path, const std::string& md5) {
  sqlite3_stmt* st = set == Set::kKept ? add_kept_ : add_retiring_;
  sqlite3_reset(st);
  BindBlob(st, 1, path);
  BindText(st, 2, md5);
  if (sqlite3_step(st) != SQLITE_DONE) return SqlError(db_, "cannot record entry " + path);
  return Status::Ok();
}

Status PruneRefs::AddDataObject(const std::string& key, uint64_t size, const std::string& md5) {
  sqlite3_reset(add_data_);
  BindBlob(add_data_, 1, key);
  sqlite3_bind_int64(add_data_, 2, static_cast<sqlite3_int64>(size));
  BindText(add_data_, 3, md5);
  if (sqlite3_step(add_data_) != SQLITE_DONE) return SqlError(db_, "cannot record object " + key);
  return Status::Ok();
}

Status PruneRefs::AddContentObject(const std::string& md5, uint64_t size) {
  sqlite3_reset(add_content_);
  BindText(add_content_, 1, md5);
  sqlite3_bind_int64(add_content_, 2, static_cast<sqlite3_int64>(size));
  if (sqlite3_step(add_content_) != SQLITE_DONE)
    return SqlError(db_, "cannot record content " + md5);
  return Status::Ok();
}

Status PruneRefs::Seal() {
  DREDGE_RETURN_IF_ERROR(Exec("COMMIT"));
  // The lookups below go by md5 across paths.
  return Exec("CREATE INDEX kept_md5 ON kept(md5)");
}

Status PruneRefs::Query(const char* sql, const KeyFn& fn) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
    return SqlError(db_, "cannot prepare a query");
  Status out = Status::Ok();
  for (;;) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      out = SqlError(db_, "query failed");
      break;
    }
    out = fn(ColumnBytes(st, 0), static_cast<uint64_t>(sqlite3_column_int64(st, 1)));
    if (!out.ok()) break;
  }
  sqlite3_finalize(st);
  return out;
}

Result<std::vector<std::string>> PruneRefs::DataKeysToResolve() {
  std::vector<std::string> keys;
  DREDGE_RETURN_IF_ERROR(
      Query("SELECT d.path, d.size FROM data d WHERE d.md5 = '' AND ("
            " EXISTS(SELECT 1 FROM kept k WHERE k.path = d.path) OR"
            " EXISTS(SELECT 1 FROM retiring r WHERE r.path = d.path)) ORDER BY d.path",
            [&](const std::string& key, uint64_t) {
              keys.push_back(key);
              return Status::Ok();
            }));
  return keys;
}

Status PruneRefs::SetDataMd5(const std::string& key, const std::string& md5) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "UPDATE data SET md5 = ? WHERE path = ?", -1, &st, nullptr) !=
      SQLITE_OK)
    return SqlError(db_, "cannot prepare an update");
  BindText(st, 1, md5);
  BindBlob(st, 2, key);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return SqlError(db_, "cannot record the md5 of " + key);
  return Status::Ok();
}

Status PruneRefs::DeletableData(const KeyFn& fn) {
  return Query(
      "SELECT d.path, d.size FROM data d WHERE d.md5 != ''"
      " AND EXISTS(SELECT 1 FROM retiring r WHERE r.path = d.path AND r.md5 = d.md5)"
      " AND NOT EXISTS(SELECT 1 FROM kept k WHERE k.path = d.path AND k.md5 = d.md5)"
      " ORDER BY d.path",
      fn);
}

Status PruneRefs::DeletableContent(const KeyFn& fn) {
  // A kept entry is served by its data object when that holds its md5; otherwise it needs the
  // content object. Content no such entry needs can go.
  return Query(
      "SELECT c.md5, c.size FROM content c WHERE NOT EXISTS("
      " SELECT 1 FROM kept k WHERE k.md5 = c.md5 AND NOT EXISTS("
      "  SELECT 1 FROM data d WHERE d.path = k.path AND d.md5 = k.md5))"
      " ORDER BY c.md5",
      fn);
}

Result<uint64_t> PruneRefs::UnresolvedKept() {
  uint64_t n = 0;
  DREDGE_RETURN_IF_ERROR(
      Query("SELECT count(*), 0 FROM kept k"
            " WHERE NOT EXISTS(SELECT 1 FROM data d WHERE d.path = k.path AND d.md5 = k.md5)"
            " AND NOT EXISTS(SELECT 1 FROM content c WHERE c.md5 = k.md5)",
            [&](const std::string& count, uint64_t) {
              n = std::stoull(count.empty() ? "0" : count);
              return Status::Ok();
            }));
  return n;
}

}  // namespace dredge
