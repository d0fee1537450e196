// The ObjectVersions conformance cases (declared in versions_conformance.h). Each case names
// the sentence of store/object_versions.h it tests and uses only the free functions, so any
// wrapper stack or driver can be put under it.
#include "conformance/versions_conformance.h"

#include <chrono>
#include <string>
#include <vector>

#include "store/byte_io.h"
#include "store/object_versions.h"

namespace dredge::testing {
namespace {

std::string Put(ObjectStore& s, const std::string& key, const std::string& bytes,
                std::optional<Retention> retention = std::nullopt) {
  PutOptions opts;
  opts.retention = retention;
  auto r = PutString(s, key, bytes, opts);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->version_id : "";
}

std::string ReadVersion(ObjectStore& s, const std::string& key, const std::string& id) {
  StringSink sink;
  Status st = GetVersion(s, key, id, sink);
  EXPECT_TRUE(st.ok()) << st.message();
  return sink.out;
}

std::vector<VersionInfo> Versions(ObjectStore& s, const std::string& prefix) {
  std::vector<VersionInfo> out;
  Status st = ListVersions(s, prefix, [&](const VersionInfo& v) {
    out.push_back(v);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_P(VersionsConformance, V1_V2_EnabledStorePutsReturnDistinctIdsAndStatNamesTheCurrent) {
  auto state = VersioningOf(*store_);
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_EQ(*state, Versioning::kEnabled);
  std::string v1 = Put(*store_, "doc", "first");
  std::string v2 = Put(*store_, "doc", "second");
  EXPECT_FALSE(v1.empty());
  EXPECT_FALSE(v2.empty());
  EXPECT_NE(v1, v2);
  auto info = store_->Stat("doc");
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->version_id, v2);
}

TEST_P(VersionsConformance, V3_EveryVersionReadsBackByIdAndUnknownIdsAreNotFound) {
  std::string v1 = Put(*store_, "doc", "first bytes");
  std::string v2 = Put(*store_, "doc", "second");
  EXPECT_EQ(ReadVersion(*store_, "doc", v1), "first bytes");
  EXPECT_EQ(ReadVersion(*store_, "doc", v2), "second");
  StringSink part;
  ASSERT_TRUE(GetVersion(*store_, "doc", v1, part, ByteRange{6, 10}).ok());
  EXPECT_EQ(part.out, "bytes");
  auto stat = StatVersion(*store_, "doc", v1);
  ASSERT_TRUE(stat.ok()) << stat.status().message();
  EXPECT_EQ(stat->size, 11u);
  EXPECT_EQ(stat->version_id, v1);
  StringSink sink;
  // A well-formed id the key never had (S3 ids are opaque; this one was issued for "doc").
  Put(*store_, "other", "x");
  Status missing = GetVersion(*store_, "other", v1, sink);
  EXPECT_EQ(missing.kind(), ErrorKind::kNotFound) << missing.message();
  EXPECT_NE(missing.message().find("other"), std::string::npos) << missing.message();
}

TEST_P(VersionsConformance, V2_V4_RemoveLeavesAMarkerAndListVersionsShowsNewestFirst) {
  std::string v1 = Put(*store_, "a/doc", "one");
  std::string v2 = Put(*store_, "a/doc", "two");
  Put(*store_, "b/doc", "other prefix");
  ASSERT_TRUE(store_->Remove("a/doc").ok());
  EXPECT_EQ(store_->Stat("a/doc").status().kind(), ErrorKind::kNotFound);
  bool listed = false;
  ASSERT_TRUE(store_
                  ->List("a/",
                         [&](const ObjectInfo&) {
                           listed = true;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_FALSE(listed);
  auto vs = Versions(*store_, "a/");
  ASSERT_EQ(vs.size(), 3u);
  EXPECT_TRUE(vs[0].delete_marker);
  EXPECT_TRUE(vs[0].is_latest);
  EXPECT_EQ(vs[1].version_id, v2);
  EXPECT_FALSE(vs[1].is_latest);
  EXPECT_EQ(vs[1].size, 3u);
  EXPECT_EQ(vs[2].version_id, v1);
  for (const auto& v : vs) EXPECT_EQ(v.key, "a/doc");
  EXPECT_EQ(ReadVersion(*store_, "a/doc", v1), "one");  // V2: removed, yet kept
  StringSink sink;
  EXPECT_EQ(GetVersion(*store_, "a/doc", vs[0].version_id, sink).kind(), ErrorKind::kNotFound);
}

TEST_P(VersionsConformance, V5_RemoveVersionDeletesExactlyThatVersionAndRepeatsSucceed) {
  std::string v1 = Put(*store_, "doc", "one");
  std::string v2 = Put(*store_, "doc", "two");
  ASSERT_TRUE(RemoveVersion(*store_, "doc", v1).ok());
  ASSERT_TRUE(RemoveVersion(*store_, "doc", v1).ok());
  StringSink sink;
  EXPECT_EQ(GetVersion(*store_, "doc", v1, sink).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(ReadVersion(*store_, "doc", v2), "two");
  auto vs = Versions(*store_, "doc");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].version_id, v2);
  ASSERT_TRUE(RemoveVersion(*store_, "doc", v2).ok());
  EXPECT_EQ(store_->Stat("doc").status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(Versions(*store_, "doc").empty());
}

TEST_P(VersionsConformance, V5_V6_LockedVersionsRefuseRemovalAndRetentionOnlyGrows) {
  const int64_t until = NowUnix() + 3600;
  PutOptions opts;
  opts.retention = Retention{"GOVERNANCE", until};
  auto put = PutString(*store_, "locked", "keep me", opts);
  if (GetParam().has(kLimitNoObjectLock)) {
    EXPECT_FALSE(put.ok());  // O10: never stored unprotected while claiming a lock
    return;
  }
  ASSERT_TRUE(put.ok()) << put.status().message();
  auto stat = StatVersion(*store_, "locked", put->version_id);
  ASSERT_TRUE(stat.ok()) << stat.status().message();
  EXPECT_EQ(stat->lock_mode, "GOVERNANCE");
  EXPECT_EQ(stat->lock_retain_until, until);
  Status refused = RemoveVersion(*store_, "locked", put->version_id);
  EXPECT_EQ(refused.kind(), ErrorKind::kPermanent) << refused.message();
  EXPECT_EQ(ReadVersion(*store_, "locked", put->version_id), "keep me");
  ASSERT_TRUE(
      ExtendRetention(*store_, "locked", put->version_id, Retention{"GOVERNANCE", until + 60})
          .ok());
  stat = StatVersion(*store_, "locked", put->version_id);
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->lock_retain_until, until + 60);
}

}  // namespace
}  // namespace dredge::testing
