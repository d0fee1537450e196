// Access to the servers the ctest fixtures start (tests/support/s3rver.sh, moto.sh,
// pgcluster.sh).
// The fixtures write KEY=VALUE files into $DREDGE_TEST_ENV_DIR; these helpers read them.
// A test that needs a server and finds no env file fails (it never skips): run it via ctest.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

namespace dredge::testing {

inline std::map<std::string, std::string> ReadEnvFile(const std::string& name) {
  std::map<std::string, std::string> out;
  const char* dir = std::getenv("DREDGE_TEST_ENV_DIR");
  if (!dir) return out;
  std::ifstream in(std::string(dir) + "/" + name);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// {DREDGE_TEST_S3_ENDPOINT, DREDGE_TEST_S3_BUCKET, …}; ADD_FAILURE when the server is not up.
inline std::map<std::string, std::string> S3Env() {
  auto env = ReadEnvFile("s3.env");
  if (env.empty()) ADD_FAILURE() << "S3 test server not running: run this test through ctest";
  return env;
}

// {DREDGE_TEST_MOTO_ENDPOINT, DREDGE_TEST_MOTO_BUCKET, …_BUCKET_VERSIONED, …_BUCKET_LOCK,
//  DREDGE_TEST_MOTO_PID} from tests/support/moto.sh; ADD_FAILURE when moto is not up.
inline std::map<std::string, std::string> MotoEnv() {
  auto env = ReadEnvFile("moto.env");
  if (env.empty()) ADD_FAILURE() << "moto's S3 server not running: run this test through ctest";
  return env;
}

// {PGHOST, PGPORT, PGUSER, DREDGE_TEST_PG_BIN}; ADD_FAILURE when the cluster is not up.
inline std::map<std::string, std::string> PgEnv() {
  auto env = ReadEnvFile("pg.env");
  if (env.empty()) ADD_FAILURE() << "PostgreSQL test cluster not running: run through ctest";
  return env;
}

// Path of the dredge binary under test ($DREDGE_BIN, else paths.env written by CMake).
inline std::string DredgeBin() {
  if (const char* b = std::getenv("DREDGE_BIN")) return b;
  auto paths = ReadEnvFile("paths.env");
  return paths.count("DREDGE_BIN") ? paths["DREDGE_BIN"] : "dredge";
}

// The source tree (for fixtures and example files shipped in the repo).
inline std::string SourceDir() {
  if (const char* s = std::getenv("DREDGE_SOURCE_DIR")) return s;
  return ReadEnvFile("paths.env")["DREDGE_SOURCE_DIR"];
}

}  // namespace dredge::testing
