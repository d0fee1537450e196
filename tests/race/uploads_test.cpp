// Incomplete multipart uploads: listed and aborted on moto, "not supported" on s3rver, and the
// acceptance case: a backup killed (kill -9) in the middle of a 150 MB upload, then one later
// run, leaves no upload under the destination prefix.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "race/race_support.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<IncompleteUpload> Uploads(ObjectStore& store, Status* st = nullptr) {
  std::vector<IncompleteUpload> out;
  Status listed = ListIncompleteUploads(store, "", [&](const IncompleteUpload& u) {
    out.push_back(u);
    return Status::Ok();
  });
  if (st) *st = listed;
  EXPECT_TRUE(st || listed.ok()) << listed.ToString();
  return out;
}

// CreateMultipartUpload without parts or completion, as a killed run leaves it. moto accepts
// unsigned requests, so curl does.
void BeginUpload(const S3Server& s, const std::string& full_key) {
  std::string cmd = "curl -s -f -o /dev/null -X POST '" + s.endpoint + "/" + s.bucket + "/" +
                    full_key + "?uploads'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST(Uploads, MotoListsTheUploadsUnderThePrefixAndAbortsThem) {
  S3Server moto = ServerNamed("moto");
  const std::string prefix = FreshPrefix("list");
  auto store = OpenOn(moto, prefix);
  ASSERT_TRUE(store);
  ASSERT_TRUE(KeepsIncompleteUploads(*store));
  BeginUpload(moto, prefix + "/a/one.bin");
  BeginUpload(moto, prefix + "/a/one.bin");  // two uploads of one key
  BeginUpload(moto, prefix + "/b%20two.bin");
  BeginUpload(moto, prefix + "-sibling/not-ours.bin");  // same leading bytes, other prefix
  auto found = Uploads(*store);
  ASSERT_EQ(found.size(), 3u);
  std::vector<std::string> keys;
  for (const auto& u : found) keys.push_back(u.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a/one.bin", "a/one.bin", "b two.bin"}));
  EXPECT_NE(found[0].upload_id, found[1].upload_id);
  EXPECT_GT(found[0].initiated_ns, 0);
  for (const auto& u : found) EXPECT_TRUE(AbortIncompleteUpload(*store, u).ok());
  EXPECT_TRUE(Uploads(*store).empty());
  EXPECT_TRUE(AbortIncompleteUpload(*store, found[0]).ok()) << "already aborted is success";
  auto sibling = OpenOn(moto, prefix + "-sibling");
  EXPECT_EQ(Uploads(*sibling).size(), 1u);
  for (const auto& u : Uploads(*sibling)) EXPECT_TRUE(AbortIncompleteUpload(*sibling, u).ok());
}

TEST(Uploads, S3rverLacksTheApiAndSaysUnsupported) {
  auto store = OpenOn(ServerNamed("s3rver"), FreshPrefix("none"));
  ASSERT_TRUE(store);
  Status st;
  Uploads(*store, &st);
  EXPECT_EQ(st.kind(), ErrorKind::kUnsupported) << st.ToString();
}

// A backup's `--json` summary is one object per destination on stdout.
nlohmann::json Summary(const std::string& path) {
  return nlohmann::json::parse(SlurpFile(path), nullptr, false);
}

TEST(Uploads, AKilledUploadIsAbortedByTheNextRun) {
  S3Server moto = ServerNamed("moto");
  const std::string dir = Scratch();
  ASSERT_FALSE(dir.empty());
  const std::string src = dir + "/src", cache = dir + "/cache";
  fs::create_directories(src);
  {
    std::ofstream f(src + "/big.bin", std::ios::binary);
    std::string block(1 << 20, '\0');
    for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>((i * 2654435761u) >> 13);
    for (int i = 0; i < 150; ++i) {
      block[0] = static_cast<char>(i);
      f << block;
    }
  }
  std::ofstream(src + "/small.txt") << "small\n";
  const std::string prefix = FreshPrefix("killed");
  const std::string args =
      "backup files --json --source " + src + " --dest s3://" + moto.bucket + "/" + prefix;
  auto store = OpenOn(moto, prefix);
  ASSERT_TRUE(store);

  // 150 MB at 20 MB/s: several seconds of multipart upload to kill into.
  pid_t run = Spawn(DredgeCommand(moto, cache, args + " --bwlimit 20M", dir + "/first"));
  bool begun = false;
  for (auto until = std::chrono::steady_clock::now() + 60s;
       !begun && std::chrono::steady_clock::now() < until;) {
    begun = !Uploads(*store).empty();
    if (!begun) std::this_thread::sleep_for(20ms);
  }
  ::kill(run, SIGKILL);
  EXPECT_EQ(Wait(run), 128 + SIGKILL) << SlurpFile(dir + "/first.err");
  ASSERT_TRUE(begun) << "the upload never began: " << SlurpFile(dir + "/first.err");
  ASSERT_EQ(Uploads(*store).size(), 1u) << "kill -9 leaves the upload behind";

  // The next run on this host (same cache: the local lock is free, the dead run's lease is
  // taken over). moto reports every upload as begun in 2010, so the default 24h applies.
  fs::remove(src + "/big.bin");
  pid_t next = Spawn(DredgeCommand(moto, cache, args, dir + "/second"));
  int code = Wait(next);
  std::string err = SlurpFile(dir + "/second.err");
  EXPECT_EQ(code, 0) << err;
  EXPECT_TRUE(Uploads(*store).empty()) << err;
  auto j = Summary(dir + "/second.out");
  ASSERT_TRUE(j.is_object()) << SlurpFile(dir + "/second.out");
  EXPECT_EQ(j["incomplete_uploads_aborted"], 1) << j.dump();
  EXPECT_NE(err.find("aborted 1"), std::string::npos) << err;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(Uploads, OnS3rverABackupSaysItCannotListUploadsAndGoesOn) {
  S3Server s3rver = ServerNamed("s3rver");
  const std::string dir = Scratch();
  fs::create_directories(dir + "/src");
  std::ofstream(dir + "/src/a.txt") << "a\n";
  const std::string dest = "s3://" + s3rver.bucket + "/" + FreshPrefix("s3rver-run");
  // On s3rver the run says once that it cannot list uploads, and succeeds.
  pid_t run = Spawn(DredgeCommand(
      s3rver, dir + "/cache",
      "backup files --source " + dir + "/src --dest " + dest + " --abort-incomplete-after 0s",
      dir + "/run"));
  std::string err;
  EXPECT_EQ(Wait(run), 0) << (err = SlurpFile(dir + "/run.err"));
  err = SlurpFile(dir + "/run.err");
  EXPECT_NE(err.find("cannot list incomplete multipart uploads"), std::string::npos) << err;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(Uploads, PruneAbortsOrphansAndTheFlagDecidesTheAge) {
  S3Server moto = ServerNamed("moto");
  const std::string dir = Scratch();
  const std::string prefix = FreshPrefix("prune");
  auto store = OpenOn(moto, prefix);
  ASSERT_TRUE(store);
  BeginUpload(moto, prefix + "/orphan.bin");
  const std::string base =
      "prune --tier files --keep-last 1 --json --dest s3://" + moto.bucket + "/" + prefix;
  // moto dates every upload 2010: only an age beyond that keeps it.
  pid_t keep = Spawn(
      DredgeCommand(moto, dir + "/cache", base + " --abort-incomplete-after 1000w", dir + "/keep"));
  EXPECT_EQ(Wait(keep), 0) << SlurpFile(dir + "/keep.err");
  EXPECT_EQ(Uploads(*store).size(), 1u) << SlurpFile(dir + "/keep.err");
  pid_t now = Spawn(
      DredgeCommand(moto, dir + "/cache", base + " --abort-incomplete-after 0s", dir + "/now"));
  EXPECT_EQ(Wait(now), 0) << SlurpFile(dir + "/now.err");
  EXPECT_TRUE(Uploads(*store).empty()) << SlurpFile(dir + "/now.err");
  auto j = Summary(dir + "/now.out");
  EXPECT_EQ(j["files"]["incomplete_uploads_aborted"], 1) << j.dump();
  pid_t bad = Spawn(
      DredgeCommand(moto, dir + "/cache", base + " --abort-incomplete-after soon", dir + "/bad"));
  EXPECT_EQ(Wait(bad), 2) << "a duration that cannot be read is a usage error";
  EXPECT_NE(SlurpFile(dir + "/bad.err").find("soon"), std::string::npos);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// Paging (moto ignores max-uploads, so it never pages): a fake endpoint answers in two pages,
// the second only for both markers of the first; a server repeating its markers is refused.
TEST(Uploads, TheListingFollowsBothMarkersAndRefusesARepeatedPage) {
  const std::string dir = Scratch();
  const std::string port_file = dir + "/port";
  pid_t server =
      Spawn("exec python3 " + SourceDir() + "/tests/race/fake_uploads_server.py >" + port_file);
  std::string port;
  for (int i = 0; i < 400 && (port.empty() || port.back() != '\n'); ++i) {
    std::this_thread::sleep_for(25ms);
    port = SlurpFile(port_file);
  }
  ASSERT_FALSE(port.empty()) << "the fake server did not start";
  port.pop_back();
  S3Server fake{"fake", "http://127.0.0.1:" + port, "b", "AK", "SK"};
  Status st;
  auto paged = OpenOn(fake, "p");
  auto found = Uploads(*paged, &st);
  EXPECT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].key, "k1");
  EXPECT_EQ(found[1].key, "k2");
  EXPECT_EQ(found[1].upload_id, "u2");
  auto looping = OpenOn(fake, "loop");
  Uploads(*looping, &st);
  EXPECT_EQ(st.kind(), ErrorKind::kCorrupt) << st.ToString();
  ::kill(server, SIGTERM);
  Wait(server);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace dredge::testing
