// The pre-flight check (docs/object-lock.md): a destination with object_lock on a bucket without
// Object Lock — moto's plain bucket, the SigV4-checking server (no Object Lock at all), file://
// — stops with exit 2 naming the bucket setting, and writes nothing; wrong settings in
// dredge.toml or on the command line are refused naming the field.
#include <filesystem>

#include "lock/lock_support.h"

namespace dredge {
namespace {

using testing::Quote;

class LockPreflight : public testing::StoreE2E {
 protected:
  testing::E2ERun Backup(const std::string& lock_flags) {
    testing::Spit(src_ + "/a.txt", "alpha");
    return Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
                  Quote(dir_ + "/state.sqlite") + " " + lock_flags);
  }
  size_t ObjectsUnderPrefix() {
    std::shared_ptr<S3Store> s =
        GetParam() == "moto" ? testing::OpenMotoS3(prefix_) : testing::OpenTestS3(prefix_);
    size_t n = 0;
    EXPECT_TRUE(s->List("", [&](const ObjectInfo&) {
                   ++n;
                   return Status::Ok();
                 }).ok());
    return n;
  }
};

TEST_P(LockPreflight, BucketWithoutObjectLockIsRefusedBeforeAnyWrite) {
  auto r = Backup("--object-lock-mode GOVERNANCE --object-lock-retain 1d");
  EXPECT_RUN(r, 2);
  EXPECT_NE(r.err.find("does not have Object Lock enabled"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ObjectLockEnabled"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--object-lock-enabled-for-bucket"), std::string::npos) << r.err;
  // moto: no configuration; the SigV4-checking server has no such API at all.
  EXPECT_NE(r.err.find(GetParam() == "moto" ? "ObjectLockConfigurationNotFoundError"
                                            : "HTTP 501 NotImplemented"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(ObjectsUnderPrefix(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Servers, LockPreflight, ::testing::Values("moto", "s3"));

class LockSettingsE2E : public testing::StoreE2E {};

TEST_P(LockSettingsE2E, FileDestinationIsRefusedAndWrongSettingsNameTheField) {
  testing::Spit(src_ + "/a.txt", "alpha");
  auto r = Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
                  Quote(dir_ + "/s.sqlite") + " --object-lock-mode COMPLIANCE " +
                  "--object-lock-retain 1d");
  EXPECT_RUN(r, 2);
  EXPECT_NE(r.err.find("only s3:// buckets have Object Lock"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/store/a.txt"));

  r = Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
             Quote(dir_ + "/s.sqlite") + " --object-lock-mode COMPLIANCE");
  EXPECT_RUN(r, 2);
  EXPECT_NE(r.err.find("without a retain"), std::string::npos) << r.err;

  const std::string toml = dir_ + "/dredge.toml";
  testing::Spit(toml, "[files]\nsource = " + nlohmann::json(src_).dump() +
                          "\n[[files.destination]]\nurl = " + nlohmann::json(dest_).dump() +
                          "\nobject_lock = { mode = \"GOVERNANCE\", retain = \"forever\" }\n");
  r = Dredge("--config " + Quote(toml) + " backup files --state " + Quote(dir_ + "/s.sqlite"));
  EXPECT_RUN(r, 2);
  EXPECT_NE(r.err.find("files.destination[1]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'forever' is not a positive duration"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(File, LockSettingsE2E, ::testing::Values("file"));

TEST(LockPreflightMoto, LockBucketReportsObjectLockAndVersioning) {
  auto env = testing::MotoEnv();
  auto s = OpenS3WithEnv(env["DREDGE_TEST_MOTO_BUCKET_LOCK"], {}, testing::MotoTestEnv());
  ASSERT_TRUE(s.ok());
  auto state = (*s)->BucketObjectLock();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_TRUE(state->lock_enabled);
  // moto quirk: GetBucketVersioning answers with root <GetBucketVersioningResponse> (AWS:
  // <VersioningConfiguration>); the status is read by local name under any root.
  EXPECT_TRUE(state->versioning_enabled);
  EXPECT_EQ(state->default_mode, "");
}

}  // namespace
}  // namespace dredge
