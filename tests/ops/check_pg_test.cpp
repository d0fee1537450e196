// `dredge check` against a real PostgreSQL: SELECT works for a read-only role, and a missing
// table or a missing grant is named with the statement to fix it.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "ops/probe.h"
#include "support/test_env.h"

namespace dredge {
namespace {

std::string Conninfo(const std::string& user) {
  auto env = testing::PgEnv();
  return "host=" + env["PGHOST"] + " port=" + env["PGPORT"] + " dbname=postgres user=" + user;
}

void Exec(const std::string& sql) {
  PGconn* c = PQconnectdb(Conninfo("postgres").c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
      << sql << ": " << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
}

const CheckLine* Find(const std::vector<CheckLine>& lines, const std::string& name) {
  for (const auto& l : lines)
    if (l.name == name) return &l;
  return nullptr;
}

class CheckPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Exec("DROP SCHEMA IF EXISTS ops_check CASCADE");
    Exec("CREATE SCHEMA ops_check");
    Exec("CREATE TABLE ops_check.articles (id serial primary key, title text)");
    Exec("INSERT INTO ops_check.articles (title) VALUES ('a')");
    Exec("CREATE TABLE ops_check.secret (id int)");
    Exec(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ops_reader') THEN "
        "CREATE ROLE ops_reader LOGIN; END IF; END $$");
    Exec("GRANT USAGE ON SCHEMA ops_check TO ops_reader");
    Exec("GRANT SELECT ON ops_check.articles TO ops_reader");
  }
};

TEST_F(CheckPg, AReadOnlyRoleCanSelectAndIsPraised) {
  auto lines = ProbeDatabase(Conninfo("ops_reader"), "ops_check.articles");
  ASSERT_NE(Find(lines, "connect"), nullptr);
  EXPECT_TRUE(Find(lines, "connect")->ok) << Find(lines, "connect")->detail;
  ASSERT_NE(Find(lines, "select"), nullptr);
  EXPECT_TRUE(Find(lines, "select")->ok) << Find(lines, "select")->detail;
  EXPECT_NE(Find(lines, "select")->detail.find("has rows"), std::string::npos);
  ASSERT_NE(Find(lines, "privileges"), nullptr);
  EXPECT_NE(Find(lines, "privileges")->detail.find("can only read"), std::string::npos)
      << Find(lines, "privileges")->detail;
}

TEST_F(CheckPg, AnOwnerIsToldAReadOnlyRoleIsEnough) {
  auto lines = ProbeDatabase(Conninfo("postgres"), "ops_check.articles");
  EXPECT_TRUE(Find(lines, "select")->ok);
  EXPECT_NE(Find(lines, "privileges")->detail.find("read-only role is enough"), std::string::npos);
}

TEST_F(CheckPg, AMissingGrantIsNamedWithTheGrantStatement) {
  auto lines = ProbeDatabase(Conninfo("ops_reader"), "ops_check.secret");
  const CheckLine* select = Find(lines, "select");
  ASSERT_NE(select, nullptr);
  EXPECT_FALSE(select->ok);
  EXPECT_NE(select->detail.find("permission denied"), std::string::npos) << select->detail;
  EXPECT_NE(select->hint.find("GRANT SELECT ON \"ops_check\".\"secret\" TO ops_reader"),
            std::string::npos)
      << select->hint;
}

TEST_F(CheckPg, AMissingTableIsNamed) {
  auto lines = ProbeDatabase(Conninfo("postgres"), "ops_check.nope");
  const CheckLine* select = Find(lines, "select");
  ASSERT_NE(select, nullptr);
  EXPECT_FALSE(select->ok);
  EXPECT_NE(select->detail.find("ops_check.nope"), std::string::npos);
  EXPECT_NE(select->hint.find("does not exist"), std::string::npos) << select->hint;
}

}  // namespace
}  // namespace dredge
