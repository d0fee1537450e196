// Interop with an independent S3 client: objects our driver writes are listed and downloaded
// byte-identical by `aws s3 sync` (aws-cli 2, /usr/bin/aws), and objects aws-cli uploads are
// read back byte-identical by our driver.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "s3_test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

std::string Bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs aws-cli against the test server with a clean, file-less configuration.
int Aws(const std::string& args) {
  auto env = S3Env();
  std::string cmd =
      "env -u AWS_CA_BUNDLE -u AWS_PROFILE LC_ALL=C.UTF-8 AWS_ACCESS_KEY_ID=S3RVER "
      "AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true "
      "AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null "
      "/usr/bin/aws --endpoint-url " +
      env["DREDGE_TEST_S3_ENDPOINT"] + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "cannot run aws-cli";
    return -1;
  }
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  int rc = pclose(p);
  if (rc != 0) ADD_FAILURE() << "aws " << args << " failed (" << rc << "):\n" << output;
  return rc;
}

std::map<std::string, std::string> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = ReadFile(e.path());
  return out;
}

class S3Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dredge-interop-" + UniquePrefix("d"));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(S3Interop, AwsCliSyncDownloadsWhatWeWrote) {
  StoreOptions opts;
  opts.multipart_threshold = 6u << 20;
  opts.part_size = 5u << 20;
  const std::string prefix = UniquePrefix("ours");
  auto store = OpenTestS3(prefix, opts);
  ASSERT_TRUE(store);
  const std::map<std::string, std::string> objects = {
      {"a.txt", "hello\n"},
      {"empty", ""},
      {"dir/space name.bin", Bytes(3000, 1)},
      {"unicode/caf\xc3\xa9.txt", "caf\xc3\xa9\n"},
      {"plus+sign,comma.txt", "plus"},
      {"deep/x/y/z.dat", Bytes(70000, 2)},
      {"big.bin", Bytes((12u << 20) + 7, 3)},  // multipart: 3 parts
  };
  for (const auto& [key, data] : objects) {
    auto r = PutString(*store, key, data);
    ASSERT_TRUE(r.ok()) << key << ": " << r.status().ToString();
  }
  auto env = S3Env();
  const fs::path out = dir_ / "out";
  ASSERT_EQ(Aws("s3 sync s3://" + env["DREDGE_TEST_S3_BUCKET"] + "/" + prefix + " " + out.string()),
            0);
  auto tree = ReadTree(out);
  ASSERT_EQ(tree.size(), objects.size());
  for (const auto& [key, data] : objects) {
    ASSERT_TRUE(tree.count(key)) << key << " missing from the aws s3 sync download";
    EXPECT_TRUE(tree[key] == data)
        << key << " differs (" << tree[key].size() << " vs " << data.size() << " bytes)";
  }
}

TEST_F(S3Interop, WeReadWhatAwsCliUploaded) {
  const fs::path src = dir_ / "src";
  std::map<std::string, std::string> files = {
      {"one.txt", "one\n"},
      {"sub dir/two.bin", Bytes(50000, 4)},
      {"sub dir/caf\xc3\xa9", "x"},
      {"multi.bin", Bytes(9u << 20, 5)},  // above aws-cli's 8 MB multipart threshold
  };
  for (const auto& [rel, data] : files) {
    fs::create_directories((src / rel).parent_path());
    std::ofstream(src / rel, std::ios::binary) << data;
  }
  auto env = S3Env();
  const std::string prefix = UniquePrefix("theirs");
  ASSERT_EQ(Aws("s3 sync " + src.string() + " s3://" + env["DREDGE_TEST_S3_BUCKET"] + "/" + prefix),
            0);
  auto store = OpenTestS3(prefix);
  ASSERT_TRUE(store);
  std::map<std::string, ObjectInfo> listed;
  ASSERT_TRUE(store
                  ->List("",
                         [&](const ObjectInfo& o) {
                           listed[o.key] = o;
                           return Status::Ok();
                         })
                  .ok());
  ASSERT_EQ(listed.size(), files.size());
  for (const auto& [rel, data] : files) {
    ASSERT_TRUE(listed.count(rel)) << rel;
    EXPECT_EQ(listed[rel].size, data.size()) << rel;
    auto got = GetString(*store, rel);
    ASSERT_TRUE(got.ok()) << rel << ": " << got.status().ToString();
    EXPECT_TRUE(*got == data) << rel << " differs";
  }
  EXPECT_EQ(listed["one.txt"].etag, Md5Hex("one\n"));
}

}  // namespace
}  // namespace dredge::testing
