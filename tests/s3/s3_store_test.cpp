// The s3:// driver against the SigV4-checking test server: signatures, awkward keys,
// multipart, ranges, paging, metadata, error kinds, connection reuse, dead peers.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "common/log.h"
#include "s3_test_env.h"

namespace dredge::testing {
namespace {

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 4) {
    uint32_t v = rng();
    std::memcpy(&s[i], &v, std::min<size_t>(4, n - i));
  }
  return s;
}

std::vector<ObjectInfo> ListAll(ObjectStore& store, std::string_view prefix = "") {
  std::vector<ObjectInfo> out;
  Status st = store.List(prefix, [&](const ObjectInfo& o) {
    out.push_back(o);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::vector<std::string> Keys(const std::vector<ObjectInfo>& objs) {
  std::vector<std::string> keys;
  for (const auto& o : objs) keys.push_back(o.key);
  return keys;
}

// Keys a backup meets, minus what the test server cannot hold (".." segments; see
// shared/ENVIRONMENT.md). Real S3 takes all of these.
const std::vector<std::string> kAwkwardKeys = {
    "plus+sign",
    "percent%25literal%",
    "hash#frag",
    "question?mark",
    "equals=and",
    "colon:here",
    "tilde~ok",
    "space in name",
    "comma,semi;at@dollar$",
    "brackets[x]{y}(z)!*",
    "unicode/caf\xc3\xa9",   // NFC é
    "unicode/cafe\xcc\x81",  // NFD e + combining acute: a different key
    "deep/a/b/c/d.txt",
    "trailing/",
};

// The test server lists keys holding & ' < > XML-escaped twice ("&amp;amp;"): these are
// stored and read back exactly, but not listed. (It also resolves "." and ".." segments as
// paths, so such keys are not used at all; real S3 keeps them.)
const std::vector<std::string> kUnlistableOnTestServer = {"amp&er", "apos'trophe", "lt<gt>"};

TEST(S3Store, AwkwardKeysRoundTripByteExact) {
  auto store = OpenTestS3(UniquePrefix("awkward"));
  ASSERT_TRUE(store);
  for (const auto& key : kAwkwardKeys) {
    auto put = PutString(*store, key, "content of " + key);
    ASSERT_TRUE(put.ok()) << key << ": " << put.status().ToString();
    EXPECT_EQ(put->etag, Md5Hex("content of " + key)) << key;
  }
  for (const auto& key : kAwkwardKeys) {
    auto got = GetString(*store, key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    EXPECT_EQ(*got, "content of " + key);
    auto st = store->Stat(key);
    ASSERT_TRUE(st.ok()) << key << ": " << st.status().ToString();
    EXPECT_EQ(st->size, ("content of " + key).size());
    EXPECT_EQ(st->etag, Md5Hex("content of " + key));
  }
  std::set<std::string> listed;
  for (const auto& o : ListAll(*store)) {
    listed.insert(o.key);
    EXPECT_EQ(o.etag, Md5Hex("content of " + o.key)) << o.key;
    EXPECT_EQ(o.size, ("content of " + o.key).size()) << o.key;
    EXPECT_GT(o.mtime_ns, 0);
  }
  EXPECT_EQ(listed, std::set<std::string>(kAwkwardKeys.begin(), kAwkwardKeys.end()));
  for (const auto& key : kAwkwardKeys) ASSERT_TRUE(store->Remove(key).ok()) << key;
  EXPECT_TRUE(ListAll(*store).empty());

  for (const auto& key : kUnlistableOnTestServer) {
    ASSERT_TRUE(PutString(*store, key, "v " + key).ok()) << key;
    EXPECT_EQ(*GetString(*store, key), "v " + key);
    EXPECT_EQ(store->Stat(key)->size, ("v " + key).size());
    EXPECT_TRUE(store->Remove(key).ok());
    EXPECT_EQ(store->Stat(key).status().kind(), ErrorKind::kNotFound);
  }
}

TEST(S3Store, CopyAwkwardKeysTheServerDecodes) {
  // The test server decodes x-amz-copy-source with decodeURI, which keeps %2B %23 %3F %3D %26
  // %3A %2C %3B %40 %24 encoded: keys with + # ? = & : , ; @ $ cannot be copied there (the
  // request bytes for them are checked in tests/unit/s3_request_test.cpp).
  auto store = OpenTestS3(UniquePrefix("copy"));
  ASSERT_TRUE(store);
  PutOptions po;
  po.metadata = {{"origin", "x"}};
  for (const std::string key : {"space in name", "unicode/caf\xc3\xa9", "tilde~ok", "pct%25"}) {
    ASSERT_TRUE(PutString(*store, key, "v:" + key, po).ok());
    ASSERT_TRUE(store->Copy(key, "copied/" + key).ok()) << key;
    EXPECT_EQ(*GetString(*store, "copied/" + key), "v:" + key);
    EXPECT_EQ(store->Stat("copied/" + key)->metadata, (Metadata{{"origin", "x"}}));
  }
  Status missing = store->Copy("no such key", "dst");
  EXPECT_EQ(missing.kind(), ErrorKind::kNotFound) << missing.ToString();
}

TEST(S3Store, MetadataRoundTripAndCopyReplace) {
  auto store = OpenTestS3(UniquePrefix("meta"));
  ASSERT_TRUE(store);
  Metadata md{{"md5", "0123456789abcdef0123456789abcdef"},
              {"mtime-ns", "1700000000123456789"},
              {"note", "printable ASCII, with spaces & symbols: ~!@#$%^*()"}};
  PutOptions po;
  po.metadata = md;
  ASSERT_TRUE(PutString(*store, "m", "bytes", po).ok());
  auto st = store->Stat("m");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->metadata, md);
  ASSERT_TRUE(store->Copy("m", "m2").ok());
  EXPECT_EQ(store->Stat("m2")->metadata, md);
  ASSERT_TRUE(store->Copy("m", "m3", Metadata{{"other", "y"}}).ok());
  EXPECT_EQ(store->Stat("m3")->metadata, (Metadata{{"other", "y"}}));
  EXPECT_EQ(*GetString(*store, "m3"), "bytes");

  PutOptions bad;
  bad.metadata = {{"Upper", "x"}};
  EXPECT_EQ(PutString(*store, "b", "x", bad).status().kind(), ErrorKind::kInvalidArgument);
  bad.metadata = {{"ok", "line\nbreak"}};
  EXPECT_EQ(PutString(*store, "b", "x", bad).status().kind(), ErrorKind::kInvalidArgument);
}

TEST(S3Store, MultipartSeventyMegabytesRoundTrip) {
  auto store = OpenTestS3(UniquePrefix("mp70"));
  ASSERT_TRUE(store);
  const std::string data = RandomBytes(70u << 20, 70);
  const std::string md5 = Md5Hex(data);
  uint64_t before = store->transport().requests_sent();
  auto put = PutString(*store, "big/object.bin", data);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  // 70 MiB above the 64 MiB threshold in 16 MiB parts: create + 5 parts + complete.
  EXPECT_EQ(store->transport().requests_sent() - before, 7u);
  auto st = store->Stat("big/object.bin");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->size, data.size());
  EXPECT_EQ(st->metadata["md5"], md5);
  auto got = GetString(*store, "big/object.bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size(), data.size());
  EXPECT_TRUE(*got == data) << "bytes differ";
  EXPECT_EQ(Md5Hex(*got), md5);
}

TEST(S3Store, MultipartPartBoundariesAndGivenMd5) {
  StoreOptions opts;
  opts.multipart_threshold = 6u << 20;
  opts.part_size = 5u << 20;
  auto store = OpenTestS3(UniquePrefix("mpsmall"), opts);
  ASSERT_TRUE(store);
  const std::string data = RandomBytes((10u << 20) + 1, 11);  // 3 parts, last of 1 byte
  PutOptions po;
  po.metadata = {{"kind", "chunk"}};
  po.content_md5_hex = Md5Hex(data);
  ASSERT_TRUE(PutString(*store, "k", data, po).ok());
  EXPECT_EQ(*GetString(*store, "k"), data);
  auto st = store->Stat("k");
  EXPECT_EQ(st->metadata, (Metadata{{"kind", "chunk"}, {"md5", Md5Hex(data)}}));

  // A wrong MD5 is caught before anything is uploaded: nothing new becomes visible.
  po.content_md5_hex = std::string(32, '0');
  auto bad = PutString(*store, "k2", data, po);
  EXPECT_EQ(bad.status().kind(), ErrorKind::kCorrupt) << bad.status().ToString();
  EXPECT_EQ(store->Stat("k2").status().kind(), ErrorKind::kNotFound);
}

// Serves its bytes once (the hashing pass), then fails reads past `fail_at`.
class FailingOnSecondPassSource final : public ByteSource {
 public:
  FailingOnSecondPassSource(const std::string& data, uint64_t fail_at)
      : data_(data), fail_at_(fail_at) {}
  uint64_t size() const override { return data_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    if (first_pass_done_ && offset >= fail_at_)
      return Status::Io("disk went away at byte " + std::to_string(offset));
    auto r = MemorySource(data_).ReadAt(offset, out);
    if (offset + out.size() >= data_.size()) first_pass_done_ = true;
    return r;
  }

 private:
  const std::string& data_;
  uint64_t fail_at_;
  mutable std::atomic<bool> first_pass_done_{false};
};

TEST(S3Store, MultipartFailureAbortsAndReturnsTheOriginalError) {
  StoreOptions opts;
  opts.multipart_threshold = 6u << 20;
  opts.part_size = 5u << 20;
  auto store = OpenTestS3(UniquePrefix("mpfail"), opts);
  ASSERT_TRUE(store);
  const std::string data = RandomBytes(11u << 20, 9);
  FailingOnSecondPassSource src(data, 6u << 20);  // part 2 fails mid-way
  std::string captured;
  log::CaptureForTest(&captured);
  auto r = store->Put("broken", src, {});
  log::CaptureForTest(nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kIo) << r.status().ToString();
  EXPECT_NE(r.status().message().find("disk went away"), std::string::npos);
  // The test server answers AbortMultipartUpload with 405: the driver says so and moves on.
  EXPECT_NE(captured.find("could not abort the multipart upload of 'broken'"), std::string::npos)
      << captured;
  EXPECT_EQ(store->Stat("broken").status().kind(), ErrorKind::kNotFound);
}

TEST(S3Store, SinglePartWrongMd5IsCorrupt) {
  auto store = OpenTestS3(UniquePrefix("md5"));
  ASSERT_TRUE(store);
  PutOptions po;
  po.content_md5_hex = Md5Hex("something else");
  // Real S3 refuses the body (BadDigest → Corrupt); the test server ignores Content-MD5 and
  // answers the true MD5 as ETag, which the driver compares → Corrupt as well.
  auto r = PutString(*store, "k", "the bytes", po);
  EXPECT_EQ(r.status().kind(), ErrorKind::kCorrupt) << r.status().ToString();
  // ... and removes what the server kept: nothing new is visible.
  EXPECT_EQ(store->Stat("k").status().kind(), ErrorKind::kNotFound);
  PutOptions bad_md5;
  bad_md5.content_md5_hex = "zz";
  EXPECT_EQ(PutString(*store, "k", "the bytes", bad_md5).status().kind(),
            ErrorKind::kInvalidArgument);
}

TEST(S3Store, RangedGet) {
  auto store = OpenTestS3(UniquePrefix("range"));
  ASSERT_TRUE(store);
  const std::string data = RandomBytes(1000, 5);
  ASSERT_TRUE(PutString(*store, "r", data).ok());
  auto range = [&](uint64_t a, uint64_t b) -> Result<std::string> {
    StringSink sink;
    DREDGE_RETURN_IF_ERROR(store->Get("r", sink, ByteRange{a, b}));
    return sink.out;
  };
  EXPECT_EQ(*range(0, 0), data.substr(0, 1));
  EXPECT_EQ(*range(10, 19), data.substr(10, 10));
  EXPECT_EQ(*range(990, UINT64_MAX), data.substr(990));
  EXPECT_EQ(*range(995, 5000), data.substr(995));  // last clamped to the end
  EXPECT_EQ(*range(0, 999), data);
  EXPECT_EQ(range(1000, 1010).status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(range(20, 10).status().kind(), ErrorKind::kInvalidArgument);

  ASSERT_TRUE(PutString(*store, "empty", "").ok());
  StringSink sink;
  Status st = store->Get("empty", sink, ByteRange{0, UINT64_MAX});
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(sink.out, "");
  EXPECT_EQ(*GetString(*store, "empty"), "");
}

TEST(S3Store, ListPagesOverMoreThanAThousandKeys) {
  auto store = OpenTestS3(UniquePrefix("page"));
  ASSERT_TRUE(store);
  const int kCount = 1105;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kCount; i += 4) {
        char key[32];
        std::snprintf(key, sizeof key, "p/k%05d", i);
        if (!PutString(*store, key, std::to_string(i)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_TRUE(PutString(*store, "q/outside", "x").ok());

  uint64_t before = store->transport().requests_sent();
  auto objs = ListAll(*store, "p/");
  EXPECT_EQ(store->transport().requests_sent() - before, 2u);  // 1000 + 105
  ASSERT_EQ(objs.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "p/k%05d", i);
    ASSERT_EQ(objs[i].key, key);
    ASSERT_EQ(objs[i].etag, Md5Hex(std::to_string(i)));
  }
  // fn's error stops the listing and comes back.
  int seen = 0;
  Status st = store->List("p/", [&](const ObjectInfo&) {
    return ++seen == 3 ? Status(ErrorKind::kCancelled, "enough") : Status::Ok();
  });
  EXPECT_EQ(st.kind(), ErrorKind::kCancelled);
  EXPECT_EQ(seen, 3);
  EXPECT_EQ(Keys(ListAll(*store, "q")), std::vector<std::string>{"q/outside"});
  EXPECT_TRUE(ListAll(*store, "nothing-here/").empty());
}

TEST(S3Store, WrongSecretIsRefusedWhileOursAreAccepted) {
  const std::string prefix = UniquePrefix("auth");
  auto good = OpenTestS3(prefix);
  auto bad = OpenTestS3(prefix, {}, "not-the-secret-S3RVER");
  ASSERT_TRUE(good && bad);
  ASSERT_TRUE(PutString(*good, "k", "v").ok());
  EXPECT_EQ(*GetString(*good, "k"), "v");

  auto put = PutString(*bad, "k2", "v");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().kind(), ErrorKind::kPermanent);
  const std::string& m = put.status().message();
  EXPECT_NE(m.find("403"), std::string::npos) << m;
  EXPECT_NE(m.find("SignatureDoesNotMatch"), std::string::npos) << m;
  EXPECT_NE(m.find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << m;
  EXPECT_EQ(m.find("not-the-secret"), std::string::npos) << m;
  EXPECT_EQ(GetString(*bad, "k").status().kind(), ErrorKind::kPermanent);
  EXPECT_EQ(bad->List("", [](const ObjectInfo&) { return Status::Ok(); }).kind(),
            ErrorKind::kPermanent);
  EXPECT_EQ(good->Stat("k2").status().kind(), ErrorKind::kNotFound);
}

TEST(S3Store, MissingObjects) {
  auto store = OpenTestS3(UniquePrefix("missing"));
  ASSERT_TRUE(store);
  StringSink sink;
  EXPECT_EQ(store->Get("nope", sink).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store->Stat("nope").status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(store->Remove("nope").ok());
  EXPECT_EQ(PutString(*store, "", "x").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(PutString(*store, std::string(1100, 'k'), "x").status().kind(),
            ErrorKind::kInvalidArgument);
}

TEST(S3Store, SequentialRequestsReuseOneConnection) {
  auto store = OpenTestS3(UniquePrefix("reuse"));
  ASSERT_TRUE(store);
  const int kRequests = 60;
  for (int i = 0; i < kRequests / 3; ++i) {
    std::string key = "k" + std::to_string(i);
    ASSERT_TRUE(PutString(*store, key, "v").ok());
    ASSERT_TRUE(store->Stat(key).ok());
    ASSERT_EQ(*GetString(*store, key), "v");
  }
  EXPECT_EQ(store->transport().requests_sent(), static_cast<uint64_t>(kRequests));
  EXPECT_LE(store->transport().connections_opened(), 2u)
      << "requests are not reusing kept-alive connections";
}

// A peer that accepts connections and never answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 8);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_;
};

TEST(S3Store, DeadPeersAreRetryableNotHangs) {
  SilentServer silent;
  S3Store::Config cfg;
  cfg.bucket = "b";
  cfg.aws.endpoint_url = "http://127.0.0.1:" + std::to_string(silent.port());
  cfg.aws.region = "us-east-1";
  cfg.aws.credentials = s3::StaticCredentials({"S3RVER", "S3RVER", ""});
  cfg.http.low_speed_time_s = 2;
  auto store = S3Store::Create(cfg);
  ASSERT_TRUE(store.ok());
  auto start = std::chrono::steady_clock::now();
  auto r = (*store)->Stat("k");
  auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(r.status().kind(), ErrorKind::kRetryable) << r.status().ToString();
  EXPECT_LE(secs, 10);

  // Nothing listening: refused → Retryable.
  int port;
  {
    SilentServer closed;
    port = closed.port();
  }
  cfg.aws.endpoint_url = "http://127.0.0.1:" + std::to_string(port);
  auto refused = S3Store::Create(cfg);
  ASSERT_TRUE(refused.ok());
  auto r2 = PutString(**refused, "k", "v");
  EXPECT_EQ(r2.status().kind(), ErrorKind::kRetryable) << r2.status().ToString();
  EXPECT_NE(r2.status().message().find("'k'"), std::string::npos) << r2.status().ToString();
}

TEST(S3Store, ArchiveStorageClassesAreRefusedAtOpen) {
  StoreOptions opts;
  opts.storage_class = "GLACIER";
  auto env = S3Env();
  auto r = OpenS3WithEnv(env["DREDGE_TEST_S3_BUCKET"], opts, S3TestEnv());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(r.status().message().find("restore"), std::string::npos);
}

}  // namespace
}  // namespace dredge::testing
