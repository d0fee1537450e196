// `dredge check`: every probe reports OK on a healthy store, and each failure is named with the
// operation, the key and what to do.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ops/probe.h"
#include "store/memory/memory_store.h"
#include "support/process.h"
#include "support/test_env.h"
#include "unit/forwarding_store.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

const CheckLine* Find(const std::vector<CheckLine>& lines, const std::string& name) {
  for (const auto& l : lines)
    if (l.name == name) return &l;
  return nullptr;
}

TEST(Check, AHealthyStorePassesEveryProbeAndIsLeftClean) {
  auto inner = std::make_shared<MemoryStore>();
  ProbeOptions o;
  o.probe_prune = true;
  auto lines = ProbeStore(*inner, o);
  for (const char* name : {"write", "read", "list", "clock", "delete", "prune", "roles"}) {
    const CheckLine* l = Find(lines, name);
    ASSERT_NE(l, nullptr) << name;
    EXPECT_TRUE(l->ok) << name << ": " << l->detail;
  }
  EXPECT_EQ(Find(lines, "roles")->detail, "backup yes, restore/verify yes, prune yes");
  EXPECT_EQ(inner->ObjectCount(), 0u) << "probes must be cleaned up";
}

TEST(Check, ARefusedWriteIsNamedAndReadOnlyCredentialsAreRecognised) {
  auto inner = std::make_shared<MemoryStore>();
  ASSERT_TRUE(PutString(*inner, "per_x_1920-01-01_1_1.txt", "hello").ok());
  testing::ForwardingStore store(inner);
  store.FailOp("put", Status::Permanent("AccessDenied: s3:PutObject"));
  auto lines = ProbeStore(store, {});
  const CheckLine* write = Find(lines, "write");
  ASSERT_NE(write, nullptr);
  EXPECT_FALSE(write->ok);
  EXPECT_NE(write->detail.find("AccessDenied"), std::string::npos) << write->detail;
  EXPECT_NE(write->detail.find(".dredge/check/probe-"), std::string::npos) << write->detail;
  EXPECT_NE(write->hint.find("s3:PutObject"), std::string::npos);
  EXPECT_TRUE(Find(lines, "list")->ok);
  EXPECT_TRUE(Find(lines, "read")->ok);
  EXPECT_FALSE(Find(lines, "delete")->ok);
  const CheckLine* roles = Find(lines, "roles");
  EXPECT_TRUE(roles->ok);
  EXPECT_NE(roles->detail.find("backup no, restore/verify yes"), std::string::npos)
      << roles->detail;
}

TEST(Check, ARefusedDeleteNamesTheProbeLeftBehind) {
  auto inner = std::make_shared<MemoryStore>();
  testing::ForwardingStore store(inner);
  store.FailOp("remove", Status::Permanent("AccessDenied"));
  auto lines = ProbeStore(store, {});
  EXPECT_TRUE(Find(lines, "write")->ok);
  EXPECT_TRUE(Find(lines, "read")->ok);
  const CheckLine* del = Find(lines, "delete");
  EXPECT_FALSE(del->ok);
  EXPECT_NE(del->hint.find("s3:DeleteObject"), std::string::npos);
  EXPECT_NE(del->hint.find(".dredge/check/probe-"), std::string::npos) << "names what to remove";
  EXPECT_NE(Find(lines, "roles")->detail.find("backup no"), std::string::npos);
}

TEST(Check, ListAndReadFailuresAreNamed) {
  auto inner = std::make_shared<MemoryStore>();
  testing::ForwardingStore store(inner);
  store.FailOp("list", Status::Permanent("AccessDenied: s3:ListBucket"));
  store.FailOp("get", Status::Permanent("AccessDenied: s3:GetObject"));
  auto lines = ProbeStore(store, {});
  EXPECT_FALSE(Find(lines, "list")->ok);
  EXPECT_NE(Find(lines, "list")->hint.find("s3:ListBucket"), std::string::npos);
  EXPECT_FALSE(Find(lines, "read")->ok);
  EXPECT_NE(Find(lines, "read")->hint.find("s3:GetObject"), std::string::npos);
  EXPECT_FALSE(Find(lines, "roles")->ok);
}

// A store whose clock runs an hour ahead of ours.
class SkewedStore : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<ObjectInfo> Stat(std::string_view key) override {
    auto info = ForwardingStore::Stat(key);
    if (info.ok()) info->mtime_ns += 3600ll * 1000000000;
    return info;
  }
};

TEST(Check, ClockSkewIsMeasuredAndFailsBeyondTheLimit) {
  SkewedStore store(std::make_shared<MemoryStore>());
  auto lines = ProbeStore(store, {});
  const CheckLine* clock = Find(lines, "clock");
  ASSERT_NE(clock, nullptr);
  EXPECT_FALSE(clock->ok);
  EXPECT_NE(clock->detail.find("+3600."), std::string::npos) << clock->detail;
  EXPECT_NE(clock->hint.find("NTP"), std::string::npos);
}

TEST(Check, AnUnreachableDatabaseIsNamed) {
  auto lines = ProbeDatabase("host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2", "articles");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].name, "connect");
  EXPECT_FALSE(lines[0].ok);
  EXPECT_NE(lines[0].detail.find("port 1"), std::string::npos) << lines[0].detail;
  EXPECT_NE(lines[0].hint.find("conninfo"), std::string::npos);
  EXPECT_EQ(lines[1].name, "select");
  EXPECT_FALSE(lines[1].ok);
}

TEST(Check, TheBinaryPrintsOneLinePerCheckAndExitsOneOnFailure) {
  std::string tmpl = (fs::temp_directory_path() / "dredge-check-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  std::ofstream(dir + "/empty.toml") << "";
  std::map<std::string, std::string> env = {{"DREDGE_CONFIG", dir + "/empty.toml"}};
  auto ok = testing::RunProcess({testing::DredgeBin(), "check", "--dest", "file://" + dir + "/b"},
                                env, dir);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  for (const char* name : {"write", "read", "list", "clock", "delete", "roles"})
    EXPECT_NE(ok.out.find(std::string("OK    ") + name), std::string::npos) << name << ok.out;

  auto bad = testing::RunProcess({testing::DredgeBin(), "check", "--dest", "file://" + dir + "/b",
                                  "--db", "host=127.0.0.1 port=1 connect_timeout=2"},
                                 env, dir);
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("FAIL  connect"), std::string::npos) << bad.out;
  EXPECT_NE(bad.err.find("2 checks failed"), std::string::npos) << bad.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dredge
