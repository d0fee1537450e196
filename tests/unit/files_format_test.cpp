// Glob filters, object keys and the snapshot format (docs/formats/snapshot.md).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/files/glob.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

TEST(FilesGlob, StarStaysInSegmentDoubleStarCrosses) {
  EXPECT_TRUE(GlobMatchWhole("*.txt", "a.txt"));
  EXPECT_FALSE(GlobMatchWhole("*.txt", "d/a.txt"));
  EXPECT_TRUE(GlobMatchWhole("**.txt", "d/e/a.txt"));
  EXPECT_TRUE(GlobMatchWhole("d/**/a.txt", "d/a.txt"));
  EXPECT_TRUE(GlobMatchWhole("d/**/a.txt", "d/x/y/a.txt"));
  EXPECT_TRUE(GlobMatchWhole("a?c", "abc"));
  EXPECT_FALSE(GlobMatchWhole("a?c", "a/c"));
  EXPECT_FALSE(GlobMatchWhole("a*", "a/b"));
}

TEST(FilesGlob, AnchoringAndExcludeBeatsInclude) {
  EXPECT_TRUE(GlobMatchPath("*.txt", "cache/a.txt"));  // unanchored: any tail
  EXPECT_FALSE(GlobMatchPath("/*.txt", "cache/a.txt"));
  EXPECT_TRUE(GlobMatchPath("/*.txt", "a.txt"));
  EXPECT_TRUE(GlobMatchPath("cache/*", "x/cache/a"));
  EXPECT_FALSE(GlobMatchPath("cache/*", "cache/d/a"));
  PathFilter f({"*.txt"}, {"secret*"});
  EXPECT_TRUE(f.Selects("a.txt"));
  EXPECT_FALSE(f.Selects("a.bin"));
  EXPECT_FALSE(f.Selects("secret.txt"));
  EXPECT_FALSE(f.Selects("d/secret.txt"));
  EXPECT_TRUE(PathFilter().Selects("anything/at/all"));
}

TEST(FilesKeys, LayoutAndSafety) {
  EXPECT_EQ(file_keys::DataKey("a b/c+d"), "a b/c+d");
  EXPECT_EQ(file_keys::ContentKey("0123"), ".dredge/content/0123");
  EXPECT_EQ(file_keys::SnapshotId(0, "abcdef"), "snapshot_19700101_000000_abcdef");
  EXPECT_EQ(file_keys::SnapshotKey("snapshot_19700101_000000_abcdef"),
            ".dredge/snapshots/snapshot_19700101_000000_abcdef.json");
  auto id = file_keys::ParseSnapshotId(".dredge/snapshots/snapshot_20250527_001234_a1b2c3.json");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "snapshot_20250527_001234_a1b2c3");
  EXPECT_EQ(file_keys::ParseSnapshotId("snapshot_2025").status().kind(), ErrorKind::kUsage);
  EXPECT_TRUE(file_keys::SafeRelativePath("a/b.txt").ok());
  EXPECT_TRUE(file_keys::SafeRelativePath("-leading").ok());
  for (const char* bad : {"../x", "a/../../x", "/etc/passwd", "a//b", "./a", ".dredge/x", ""})
    EXPECT_EQ(file_keys::SafeRelativePath(bad).status().kind(), ErrorKind::kInvalidArgument) << bad;
}

TEST(FilesSnapshot, RoundTripWithNonUtf8NamesIsStrictJson) {
  SnapshotHeader h;
  h.id = "snapshot_20250527_001234_a1b2c3";
  h.started_ns = 1748304754000000000;
  h.source = "/src";
  h.host = "host";
  auto w = SnapshotWriter::Create("/tmp", h);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::vector<SnapshotEntry> in = {
      {"caf\xc3\xa9 \"q\"\\.txt", 3, 1748304754123456789, std::string(32, 'a')},
      {std::string("latin1_\xe9.txt"), 0, -5, std::string(32, 'b')},
      {std::string("nul\x01ctl\x7f"), 7, 1, std::string(32, 'c')},
  };
  for (const auto& e : in) ASSERT_TRUE((*w)->Add(e).ok());
  ASSERT_TRUE((*w)->Finish(1748304760000000000, {{"files", 3}}).ok());
  std::ifstream f((*w)->temp_path());
  std::stringstream buf;
  buf << f.rdbuf();
  std::string doc = buf.str();
  // Strict JSON a standard parser accepts, with the non-UTF-8 name as path_b64.
  auto j = nlohmann::json::parse(doc);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["files"][1].count("path"), 0u);
  EXPECT_EQ(j["files"][1]["path_b64"], "bGF0aW4xX+kudHh0");
  EXPECT_EQ(j["files"][0]["mtime_ns"], "1748304754123456789");
  std::istringstream is(doc);
  std::vector<SnapshotEntry> out;
  SnapshotHeader got;
  ASSERT_TRUE(ParseSnapshot(
                  is, "t",
                  [&](const SnapshotEntry& e) {
                    out.push_back(e);
                    return Status::Ok();
                  },
                  [&](const SnapshotHeader& hh) {
                    got = hh;
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].path, in[i].path);
    EXPECT_EQ(out[i].size, in[i].size);
    EXPECT_EQ(out[i].mtime_ns, in[i].mtime_ns);
    EXPECT_EQ(out[i].md5, in[i].md5);
  }
  EXPECT_EQ(got.id, h.id);
  EXPECT_EQ(got.counts["files"], 3u);
}

TEST(FilesSnapshot, RejectsNewerVersionAndMalformedEntries) {
  auto parse = [](const std::string& doc) {
    std::istringstream is(doc);
    return ParseSnapshot(
        is, "t", [](const SnapshotEntry&) { return Status::Ok(); }, nullptr);
  };
  EXPECT_EQ(parse(R"({"format":"dredge-files-snapshot","version":2,"files":[]})").kind(),
            ErrorKind::kCorrupt);
  EXPECT_EQ(parse(R"({"format":"dredge-files-snapshot","version":1,"files":[{"size":1,)"
                  R"("mtime_ns":"1","md5":"0123456789abcdef0123456789abcdef"}]})")
                .kind(),
            ErrorKind::kCorrupt);
  EXPECT_EQ(parse(R"({"format":"dredge-files-snapshot","version":1,"files":[)").kind(),
            ErrorKind::kCorrupt);
  EXPECT_TRUE(parse(R"({"format":"dredge-files-snapshot","version":1,"future":{"x":[1]},)"
                    R"("files":[]})")
                  .ok());
}

TEST(FilesSnapshot, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("e\xcc\x81 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));      // truncated
}

}  // namespace
}  // namespace dredge
