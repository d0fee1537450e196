#include "engine/db/pg_conn.h"

#include <cstdlib>
#include <cstring>

#include "common/log.h"

namespace dredge {
namespace {

struct ResultGuard {
  PGresult* r;
  ~ResultGuard() { PQclear(r); }
};

std::string Trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return log::Scrub(s);
}

// Finds a password in the conninfo (key=value or URI): warns once and registers it.
void GuardPassword(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err) PQfreemem(err);
  if (!opts) return;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val && *o->val) {
      log::RegisterSecret(o->val);
      log::Warn(
          "the --db connection string contains a password: it is visible in the process list "
          "and shell history; use ~/.pgpass, PGPASSFILE or PGPASSWORD instead");
    }
  }
  PQconninfoFree(opts);
  if (const char* p = std::getenv("PGPASSWORD")) log::RegisterSecret(p);
}

// The server's NOTICE/WARNING messages go through dredge's log (scrubbed, in the chosen log
// format) instead of libpq's default, which prints them raw to stderr: warnings as warnings,
// the rest (notices such as "drop cascades to …") at debug level.
void ReceiveNotice(void*, const PGresult* res) {
  const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  std::string msg = "PostgreSQL: " + Trimmed(PQresultErrorMessage(res));
  if (severity && std::strcmp(severity, "WARNING") == 0) {
    log::Warn(msg);
  } else {
    log::Debug(msg);
  }
}

}  // namespace

Result<std::unique_ptr<PgConn>> PgConn::Connect(const PgOptions& opts) {
  GuardPassword(opts.conninfo);
  const char* keys[] = {"dbname", "application_name", nullptr};
  const char* vals[] = {opts.conninfo.c_str(), "dredge", nullptr};
  PGconn* c = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (!c) return Status::Io("cannot allocate a PostgreSQL connection");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = Trimmed(PQerrorMessage(c));
    PQfinish(c);
    return Status::Io("cannot connect to PostgreSQL: " + msg +
                      " (check --db, PGHOST/PGPORT/PGUSER and ~/.pgpass)");
  }
  PQsetNoticeReceiver(c, ReceiveNotice, nullptr);
  std::unique_ptr<PgConn> conn(new PgConn(c));
  std::string set =
      "SET DateStyle = ISO; SET TimeZone = 'UTC'; SET IntervalStyle = postgres; "
      "SET extra_float_digits = 1; SET bytea_output = hex; SET client_encoding = 'UTF8'; "
      "SET statement_timeout = " +
      conn->QuoteLiteral(opts.statement_timeout) +
      "; SET lock_timeout = " + conn->QuoteLiteral(opts.lock_timeout);
  Status st = conn->Exec(set);
  if (!st.ok()) return st.WithContext("cannot configure the PostgreSQL session");
  return conn;
}

PgConn::~PgConn() {
  PQfinish(conn_);
}

Status PgConn::ErrorOf(PGresult* res, const std::string& what) {
  std::string msg = Trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  if (msg.empty()) msg = Trimmed(PQerrorMessage(conn_));
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string s = state ? state : "";
  if (s == "42501") return Status::Permanent(what + ": permission denied: " + msg);
  if (s == "42P01") return Status::NotFound(what + ": " + msg);
  return Status::Io(what + ": " + msg);
}

Status PgConn::Exec(const std::string& sql) {
  ResultGuard g{PQexec(conn_, sql.c_str())};
  auto st = PQresultStatus(g.r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ErrorOf(g.r, "PostgreSQL");
  return Status::Ok();
}

Result<PgRows> PgConn::Query(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> vals;
  for (const auto& p : params) vals.push_back(p.c_str());
  ResultGuard g{PQexecParams(conn_, sql.c_str(), static_cast<int>(vals.size()), nullptr,
                             vals.data(), nullptr, nullptr, 0)};
  if (PQresultStatus(g.r) != PGRES_TUPLES_OK && PQresultStatus(g.r) != PGRES_COMMAND_OK)
    return ErrorOf(g.r, "PostgreSQL");
  PgRows out;
  int n = PQntuples(g.r), m = PQnfields(g.r);
  out.rows.resize(n);
  for (int r = 0; r < n; ++r) {
    out.rows[r].resize(m);
    for (int c = 0; c < m; ++c)
      if (!PQgetisnull(g.r, r, c))
        out.rows[r][c] = std::string(PQgetvalue(g.r, r, c), PQgetlength(g.r, r, c));
  }
  return out;
}

Status PgConn::CopyOut(const std::string& sql, const std::function<Status(std::string_view)>& fn) {
  {
    ResultGuard g{PQexec(conn_, sql.c_str())};
    if (PQresultStatus(g.r) != PGRES_COPY_OUT) return ErrorOf(g.r, "COPY from PostgreSQL");
  }
  Status failed;
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_, &buf, 0);
    if (n == -1) break;
    if (n == -2) return Status::Io("COPY from PostgreSQL: " + Trimmed(PQerrorMessage(conn_)));
    if (failed.ok()) {
      std::string_view line(buf, static_cast<size_t>(n));
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      failed = fn(line);
    }
    PQfreemem(buf);
    if (!failed.ok()) {
      // Cancel the rest of the COPY; the caller ends the transaction.
      if (PGcancel* cancel = PQgetCancel(conn_)) {
        char err[256];
        PQcancel(cancel, err, sizeof err);
        PQfreeCancel(cancel);
      }
    }
  }
  Status result;
  while (PGresult* r = PQgetResult(conn_)) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && result.ok())
      result = ErrorOf(r, "COPY from PostgreSQL");
    PQclear(r);
  }
  if (!failed.ok()) return failed;
  return result;
}

Status PgConn::CopyInBegin(const std::string& sql) {
  ResultGuard g{PQexec(conn_, sql.c_str())};
  if (PQresultStatus(g.r) != PGRES_COPY_IN) return ErrorOf(g.r, "COPY into PostgreSQL");
  return Status::Ok();
}

Status PgConn::CopyInPut(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1)
    return Status::Io("COPY into PostgreSQL: " + Trimmed(PQerrorMessage(conn_)));
  return Status::Ok();
}

Status PgConn::CopyInEnd() {
  if (PQputCopyEnd(conn_, nullptr) != 1)
    return Status::Io("COPY into PostgreSQL: " + Trimmed(PQerrorMessage(conn_)));
  Status result;
  while (PGresult* r = PQgetResult(conn_)) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && result.ok())
      result = ErrorOf(r, "COPY into PostgreSQL");
    PQclear(r);
  }
  return result;
}

void PgConn::CopyInAbort(const std::string& why) {
  PQputCopyEnd(conn_, why.c_str());
  while (PGresult* r = PQgetResult(conn_)) PQclear(r);
}

std::string PgConn::QuoteIdent(std::string_view name) const {
  char* q = PQescapeIdentifier(conn_, name.data(), name.size());
  std::string out = q ? q : "";
  PQfreemem(q);
  return out;
}

std::string PgConn::QuoteLiteral(std::string_view text) const {
  char* q = PQescapeLiteral(conn_, text.data(), text.size());
  std::string out = q ? q : "''";
  PQfreemem(q);
  return out;
}

std::string QuoteQualified(const PgConn& conn, std::string_view q) {
  size_t dot = q.find('.');
  if (dot == std::string_view::npos) return conn.QuoteIdent(q);
  return conn.QuoteIdent(q.substr(0, dot)) + "." + conn.QuoteIdent(q.substr(dot + 1));
}

}  // namespace dredge
