// A bucket with a default retention (moto: PutObjectLockConfiguration with a default rule), where
// every write is locked whether dredge asks or not (docs/object-lock.md "A bucket with default
// retention"): backup, status, prune and restore all work, in both tiers; dredge's mutable
// records become new versions of their keys and its removals delete markers; prune keeps the
// locked snapshot or manifest and reports it with exit 0.
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "common/hash.h"
#include "lock/lock_support.h"
#include "pg/pg_test_util.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

using testing::Quote;

class DefaultRetention : public testing::LockE2E {
 protected:
  void SetUp() override {
    testing::LockE2E::SetUp();
    bucket_ = "dredge-moto-default-" + std::to_string(::getpid()) + "-" + std::to_string(++n_);
    ASSERT_EQ(Raw("PUT", "", {{"x-amz-bucket-object-lock-enabled", "true"}}, ""), 200)
        << last_body_;
    const std::string xml =
        "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
        "<Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>"
        "</ObjectLockConfiguration>";
    ASSERT_EQ(Raw("PUT", "?object-lock",
                  {{"Content-Type", "application/xml"},
                   {"Content-MD5", Base64Encode(FromHex(Md5Hex(xml)).value())}},
                  xml),
              200)
        << last_body_;
    dest_ = "s3://" + bucket_ + "/" + prefix_;
  }
  // An unsigned request to the bucket (moto does not check signatures; only set-up uses it).
  int Raw(const std::string& method, const std::string& query,
          std::vector<std::pair<std::string, std::string>> headers, const std::string& body) {
    MemorySource src(body);
    s3::HttpRequest req;
    req.method = method;
    req.url = endpoint_ + "/" + bucket_ + query;
    req.headers = std::move(headers);
    if (!body.empty()) req.body = &src;
    s3::HttpClient http({});
    auto r = http.Perform(req);
    last_body_ = r.ok() ? r->body : r.status().ToString();
    return r.ok() ? r->status : -1;
  }
  testing::E2ERun Backup() {
    auto r = Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
                    Quote(dir_ + "/state.sqlite") + " --json --force");
    trees_[r.j.value("snapshot", "")] = testing::Tree(src_);
    return r;
  }
  // (versions, delete markers, whether the newest is a marker) of the keys under `prefix`.
  struct Count {
    size_t versions = 0, markers = 0;
    bool latest_is_marker = false;
  };
  Count Versions(const std::string& prefix) {
    Count c;
    EXPECT_TRUE(ListVersions(*Driver(), prefix, [&](const VersionInfo& v) {
                  (v.delete_marker ? c.markers : c.versions) += 1;
                  if (v.is_latest) c.latest_is_marker = v.delete_marker;
                  return Status::Ok();
                }).ok());
    return c;
  }
  static inline int n_ = 0;
  std::map<std::string, std::map<std::string, std::string>> trees_;
};

TEST_P(DefaultRetention, BackupStatusPruneAndRestoreAllWork) {
  testing::Spit(src_ + "/a.txt", "first");
  testing::Spit(src_ + "/b.txt", "only in the first snapshot");
  auto b1 = Backup();
  EXPECT_RUN(b1, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // snapshot names are seconds
  testing::Spit(src_ + "/a.txt", "second, changed");
  std::filesystem::remove(src_ + "/b.txt");
  auto b2 = Backup();
  EXPECT_RUN(b2, 0);
  const std::string first = b1.j.value("snapshot", ""), newest = b2.j.value("snapshot", "");
  ASSERT_FALSE(first.empty() || newest.empty());

  // The lease, a mutable record: each run's is a new (locked) version of the same key, and
  // each release a delete marker over it.
  Count lease = Versions(".dredge/locks/files.lease");
  EXPECT_TRUE(lease.latest_is_marker);
  EXPECT_GE(lease.versions, 2u);
  EXPECT_GE(lease.markers, 2u);

  auto st = Dredge("status --tier files" + Common() + " --json");
  EXPECT_RUN(st, 0);
  const auto& p = st.j["destinations"][0]["object_lock"]["points"][0];
  EXPECT_EQ(p["mode"], "GOVERNANCE") << st.out;
  EXPECT_EQ(p["unlocked"], false) << st.out;

  auto pr = Dredge("prune --tier files --keep-last 1" + Common() + " --json");
  EXPECT_RUN(pr, 0);
  EXPECT_EQ(pr.j["files"]["snapshots_removed"], 0) << pr.out;
  EXPECT_GE(pr.j["files"]["locked"]["objects"].get<int>(), 1) << pr.out;
  EXPECT_NE(pr.err.find("locked until"), std::string::npos) << pr.err;

  for (const std::string& id : {first, newest}) {
    std::string target = dir_ + "/restore-" + id;
    auto r = Dredge("restore files" + Common() + " --snapshot " + id + " --target " +
                    Quote(target) + " --json");
    EXPECT_RUN(r, 0);
    EXPECT_EQ(testing::Tree(target), trees_[id]) << id;
  }
}

TEST_P(DefaultRetention, TheDatabaseTierWorksToo) {
  testing::TestDb db("defretdb"), target("defretdb_to");
  db.Exec(
      "CREATE TABLE t (id bigserial PRIMARY KEY, body text NOT NULL);"
      "INSERT INTO t (body) SELECT md5(i::text) FROM generate_series(1, 300) i;");
  testing::UseMotoFromEnvironment();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--dest", dest_, "--json"});
    return testing::RunDredge(args);
  };
  auto r = run({"backup", "db", "--db", db.conninfo(), "--table", "t"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // manifest names are seconds
  db.Exec("INSERT INTO t (body) VALUES ('second run');");
  r = run({"backup", "db", "--db", db.conninfo(), "--table", "t"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(Versions(".dredge/locks/db.lease").latest_is_marker);

  r = run({"status", "--tier", "db"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto st = nlohmann::json::parse(r.out);
  EXPECT_EQ(st["destinations"][0]["object_lock"]["points"][0]["mode"], "GOVERNANCE") << r.out;
  r = run({"prune", "--tier", "db", "--keep-last", "1"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto pr = nlohmann::json::parse(r.out);
  EXPECT_EQ(pr["db"]["locked_manifests"].size(), 1u) << r.out;
  EXPECT_EQ(pr["db"]["chunks_removed"], 0) << r.out;
  r = run({"restore", "db", "--db", target.conninfo()});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(target.Dump("t"), db.Dump("t"));
}

INSTANTIATE_TEST_SUITE_P(Moto, DefaultRetention, ::testing::Values("moto"));

}  // namespace
}  // namespace dredge
