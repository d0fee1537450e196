// `dredge check` against a real PostgreSQL: SELECT works for a read-only role, and a missing
// table or a missing grant is named with the statement to fix it.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

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

// ctest runs each test in its own process, in parallel: every process works on its own schema
// and role, so one test's set-up never drops what another is probing.
const std::string& Schema() {
  static const std::string name = "ops_check_" + std::to_string(::getpid());
  return name;
}
const std::string& Reader() {
  static const std::string name = "ops_reader_" + std::to_string(::getpid());
  return name;
}

class CheckPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& s = Schema();
    Exec("DROP SCHEMA IF EXISTS " + s + " CASCADE");
    Exec("CREATE SCHEMA " + s);
    Exec("CREATE TABLE " + s + ".articles (id serial primary key, title text)");
    Exec("INSERT INTO " + s + ".articles (title) VALUES ('a')");
    Exec("CREATE TABLE " + s + ".secret (id int)");
    Exec("DROP ROLE IF EXISTS " + Reader());
    Exec("CREATE ROLE " + Reader() + " LOGIN");
    Exec("GRANT USAGE ON SCHEMA " + s + " TO " + Reader());
    Exec("GRANT SELECT ON " + s + ".articles TO " + Reader());
  }
  static void TearDownTestSuite() {
    Exec("DROP SCHEMA IF EXISTS " + Schema() + " CASCADE");
    Exec("DROP ROLE IF EXISTS " + Reader());
  }
};

TEST_F(CheckPg, AReadOnlyRoleCanSelectAndIsPraised) {
  auto lines = ProbeDatabase(Conninfo(Reader()), Schema() + ".articles");
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
  auto lines = ProbeDatabase(Conninfo("postgres"), Schema() + ".articles");
  EXPECT_TRUE(Find(lines, "select")->ok);
  EXPECT_NE(Find(lines, "privileges")->detail.find("read-only role is enough"), std::string::npos);
}

TEST_F(CheckPg, AMissingGrantIsNamedWithTheGrantStatement) {
  auto lines = ProbeDatabase(Conninfo(Reader()), Schema() + ".secret");
  const CheckLine* select = Find(lines, "select");
  ASSERT_NE(select, nullptr);
  EXPECT_FALSE(select->ok);
  EXPECT_NE(select->detail.find("permission denied"), std::string::npos) << select->detail;
  EXPECT_NE(select->hint.find("GRANT SELECT ON \"" + Schema() + "\".\"secret\" TO " + Reader()),
            std::string::npos)
      << select->hint;
}

TEST_F(CheckPg, AMissingTableIsNamed) {
  auto lines = ProbeDatabase(Conninfo("postgres"), Schema() + ".nope");
  const CheckLine* select = Find(lines, "select");
  ASSERT_NE(select, nullptr);
  EXPECT_FALSE(select->ok);
  EXPECT_NE(select->detail.find(Schema() + ".nope"), std::string::npos);
  EXPECT_NE(select->hint.find("does not exist"), std::string::npos) << select->hint;
}

}  // namespace
}  // namespace dredge
