// A libpq connection as the database tier uses it. Connect accepts any conninfo libpq does
// (URI or key=value; PG* environment variables, PGPASSFILE and ~/.pgpass apply as in psql),
// always sets application_name=dredge, and fixes the session settings the chunk format relies
// on (DateStyle=ISO, TimeZone=UTC, IntervalStyle=postgres, extra_float_digits=1,
// bytea_output=hex, client_encoding=UTF8) plus statement_timeout and lock_timeout.
// A password written in the conninfo draws a warning and is registered as a secret, so it
// never reaches a log line or message. One connection is used by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dredge {

struct PgOptions {
  std::string conninfo;
  std::string statement_timeout = "0";  // PostgreSQL units: "0" (none), "30s", "5min"
  std::string lock_timeout = "10s";
};

struct PgRows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  size_t size() const { return rows.size(); }
  const std::optional<std::string>& at(size_t r, size_t c) const { return rows[r][c]; }
  std::string str(size_t r, size_t c) const { return rows[r][c].value_or(""); }
};

class PgConn {
 public:
  static Result<std::unique_ptr<PgConn>> Connect(const PgOptions& opts);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs a statement (or several, separated by ';') that returns no rows.
  Status Exec(const std::string& sql);
  // Runs a query with text parameters ($1, $2, …) and returns its rows as text.
  Result<PgRows> Query(const std::string& sql, const std::vector<std::string>& params = {});

  // COPY ... TO STDOUT: calls `fn` once per row with the row's text without its newline.
  // A non-ok return from fn stops reading (the connection is then unusable for this run).
  Status CopyOut(const std::string& sql, const std::function<Status(std::string_view)>& fn);

  // COPY ... FROM STDIN: Begin, any number of Put (whole rows ending in '\n'), then End, or
  // Abort to make the server reject the COPY.
  Status CopyInBegin(const std::string& sql);
  Status CopyInPut(std::string_view data);
  Status CopyInEnd();
  void CopyInAbort(const std::string& why);

  std::string QuoteIdent(std::string_view name) const;
  std::string QuoteLiteral(std::string_view text) const;
  int server_version() const { return PQserverVersion(conn_); }
  PGconn* raw() { return conn_; }

 private:
  explicit PgConn(PGconn* c) : conn_(c) {}
  Status ErrorOf(PGresult* res, const std::string& what);
  PGconn* conn_;
};

// "schema.table" or "table" → quoted "schema"."table" (or "table" resolved by search_path).
std::string QuoteQualified(const PgConn& conn, std::string_view qualified);

}  // namespace dredge
