// ProbeDatabase (declared in ops/probe.h): connection and SELECT checks through libpq.
#include <libpq-fe.h>

#include <memory>

#include "common/log.h"
#include "ops/probe.h"

namespace dredge {
namespace {

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Res = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& ch : s)
    if (ch == '\n' || ch == '\t') ch = ' ';
  return s;
}

// "schema"."table" with each part quoted by the server's rules; empty on failure.
std::string QuoteTable(PGconn* conn, const std::string& table) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t dot = table.find('.', start);
    std::string part =
        table.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    char* q = PQescapeIdentifier(conn, part.c_str(), part.size());
    if (!q) return "";
    out += (out.empty() ? "" : ".") + std::string(q);
    PQfreemem(q);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

std::vector<CheckLine> ProbeDatabase(const std::string& conninfo, const std::string& table) {
  std::vector<CheckLine> out;
  const char* keys[] = {"dbname", "application_name", "connect_timeout", nullptr};
  const char* values[] = {conninfo.c_str(), "dredge", "10", nullptr};
  // expand_dbname=1: the conninfo string (or URI) fills every field it names.
  Conn conn(PQconnectdbParams(keys, values, 1), &PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string err = conn ? Trim(PQerrorMessage(conn.get())) : "out of memory";
    out.push_back({"connect", false, "cannot connect to the database: " + log::Scrub(err),
                   "check [db] conninfo / --db (host, port, dbname, user), that the server "
                   "accepts this host (pg_hba.conf), and the password in ~/.pgpass or PGPASSWORD"});
    out.push_back({"select", false, "not run: no connection", "fix the connection first"});
    return out;
  }
  PGconn* c = conn.get();
  std::string who = std::string(PQuser(c)) + "@" + PQhost(c) + ":" + PQport(c) + "/" + PQdb(c);
  out.push_back({"connect", true,
                 "connected as " + who + " (server " + std::to_string(PQserverVersion(c)) + ")",
                 ""});

  std::string quoted = QuoteTable(c, table);
  Res res(PQexec(c, ("SELECT 1 FROM " + quoted + " LIMIT 1").c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    std::string state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE)
                            ? PQresultErrorField(res.get(), PG_DIAG_SQLSTATE)
                            : "";
    std::string err = Trim(PQresultErrorMessage(res.get()));
    std::string hint =
        state == "42P01"   ? "the table does not exist here: check [db] table / --table and the "
                             "database name"
        : state == "42501" ? "grant it: GRANT SELECT ON " + quoted + " TO " + PQuser(c) +
                                 "; (docs/security.md has the whole read-only role)"
                           : "see the server's message";
    out.push_back({"select", false, "SELECT on " + table + " failed: " + err, hint});
    return out;
  }
  out.push_back({"select", true,
                 "SELECT on " + table + " works (" +
                     (PQntuples(res.get()) ? "the table has rows" : "the table is empty") + ")",
                 ""});

  // Least privilege: a backup role needs SELECT only.
  std::string lit;
  if (char* l = PQescapeLiteral(c, quoted.c_str(), quoted.size())) {
    lit = l;
    PQfreemem(l);
  }
  Res priv(
      PQexec(c,
             ("SELECT has_table_privilege(" + lit + ", 'INSERT,UPDATE,DELETE,TRUNCATE')").c_str()),
      &PQclear);
  if (PQresultStatus(priv.get()) == PGRES_TUPLES_OK && PQntuples(priv.get()) == 1) {
    bool writes = std::string(PQgetvalue(priv.get(), 0, 0)) == "t";
    out.push_back({"privileges", true,
                   writes ? std::string(PQuser(c)) + " may also write to " + table +
                                ": a read-only role is enough for backups (docs/security.md)"
                          : std::string(PQuser(c)) + " can only read " + table + ": good",
                   ""});
  }
  return out;
}

}  // namespace dredge
