// The ObjectStore conformance cases (declared in store_conformance.h). Each case names the
// contract sentence of store/object_store.h it tests. Cases are driver-neutral: they only use
// the ObjectStore interface and the factory's declared limits, so they compile into every
// driver's test binary (unit_tests for memory and file://, s3_tests for s3://).
#include "conformance/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "common/hash.h"
#include "store/byte_io.h"
#include "store/incomplete_uploads.h"

namespace dredge::testing {
namespace {

// Deterministic pseudo-random bytes computed from the offset, so large objects can be put and
// checked without ever holding them in memory.
class GeneratedSource final : public ByteSource {
 public:
  GeneratedSource(uint64_t size, uint64_t seed) : size_(size), seed_(seed) {}
  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    if (offset >= size_) return size_t{0};
    size_t n = std::min<uint64_t>(out.size(), size_ - offset);
    for (size_t i = 0; i < n;) {
      uint64_t pos = offset + i;
      uint64_t word = Mix(seed_ ^ (pos / 8));
      if (pos % 8 == 0 && n - i >= 8) {  // whole word (little-endian byte order below)
        for (int b = 0; b < 8; ++b) out[i + b] = static_cast<char>((word >> (8 * b)) & 0xff);
        i += 8;
        continue;
      }
      for (size_t b = pos % 8; b < 8 && i < n; ++b, ++i)
        out[i] = static_cast<char>((word >> (8 * b)) & 0xff);
    }
    return n;
  }

 private:
  static uint64_t Mix(uint64_t x) {  // splitmix64
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  uint64_t size_;
  uint64_t seed_;
};

// Checks streamed bytes against a GeneratedSource from `start` without keeping them.
class CheckingSink final : public ByteSink {
 public:
  CheckingSink(const GeneratedSource& expected, uint64_t start)
      : expected_(expected), pos_(start) {}
  Status Write(std::string_view data) override {
    // Compared a bounded piece at a time: a sink may be handed the whole object at once.
    for (size_t done = 0; done < data.size() && mismatch_ < 0;) {
      size_t len = std::min<size_t>(data.size() - done, 1 << 20);
      want_.resize(len);
      auto n = expected_.ReadAt(pos_ + done, want_);
      size_t got = n.ok() ? *n : 0;
      for (size_t i = 0; i < len; ++i) {
        if (i >= got || data[done + i] != want_[i]) {
          mismatch_ = static_cast<int64_t>(pos_ + done + i);
          break;
        }
      }
      done += len;
    }
    pos_ += data.size();
    md5_.Update(data);
    received_ += data.size();
    return Status::Ok();
  }
  uint64_t received() const { return received_; }
  int64_t first_mismatch() const { return mismatch_; }
  std::string Md5() { return md5_.FinishHex(); }

 private:
  const GeneratedSource& expected_;
  uint64_t pos_;
  uint64_t received_ = 0;
  int64_t mismatch_ = -1;
  std::vector<char> want_;
  Hasher md5_{HashAlgo::kMd5};
};

std::string Get(ObjectStore& s, std::string_view key, std::optional<ByteRange> r = {}) {
  StringSink sink;
  Status st = s.Get(key, sink, r);
  EXPECT_TRUE(st.ok()) << "get '" << key << "': " << st.ToString();
  return sink.out;
}

void Put(ObjectStore& s, std::string_view key, std::string_view bytes, PutOptions opts = {}) {
  auto r = PutString(s, key, bytes, opts);
  ASSERT_TRUE(r.ok()) << "put '" << key << "': " << r.status().ToString();
}

std::vector<std::string> ListKeys(ObjectStore& s, std::string_view prefix) {
  std::vector<std::string> keys;
  Status st = s.List(prefix, [&](const ObjectInfo& info) {
    keys.push_back(info.key);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << "list '" << prefix << "': " << st.ToString();
  return keys;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());  // std::string compares as unsigned bytes
  return v;
}

bool IsLowerHexMd5(const std::string& s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// O2 for objects that may be multipart: the ETag is the MD5, or "<hex>-<parts>" with the MD5
// in metadata "md5".
void ExpectMd5Of(ObjectStore& s, std::string_view key, const std::string& md5) {
  auto info = s.Stat(key);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  if (info->etag.find('-') == std::string::npos) {
    EXPECT_EQ(info->etag, md5);
  } else {
    ASSERT_TRUE(info->metadata.count("md5"))
        << "multipart ETag " << info->etag << " without metadata md5";
    EXPECT_EQ(info->metadata.at("md5"), md5);
  }
}

// ---- O1/O2/O4: round trips ----

TEST_P(StoreConformance, RoundTripEmptyObject) {
  auto r = PutString(*store_, "empty", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->etag, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Get(*store_, "empty"), "");
  auto info = store_->Stat("empty");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 0u);
  EXPECT_EQ(info->etag, "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_P(StoreConformance, RoundTripOneByte) {
  Put(*store_, "one", "x");
  EXPECT_EQ(Get(*store_, "one"), "x");
  auto info = store_->Stat("one");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 1u);
  EXPECT_EQ(info->etag, Md5Hex("x"));
}

TEST_P(StoreConformance, RoundTripFiveMegabytes) {
  GeneratedSource src(5 << 20, 5);
  auto r = store_->Put("five", src, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto md5 = Md5HexOfSource(src);
  ASSERT_TRUE(md5.ok());
  EXPECT_EQ(r->etag, *md5);
  CheckingSink sink(src, 0);
  ASSERT_TRUE(store_->Get("five", sink).ok());
  EXPECT_EQ(sink.received(), src.size());
  EXPECT_EQ(sink.first_mismatch(), -1);
}

// Above the usual multipart threshold (64 MiB): streamed through, never held whole.
TEST_P(StoreConformance, RoundTripSeventyMegabytesStreamed) {
  GeneratedSource src(70ull << 20, 70);
  auto r = store_->Put("big/seventy.bin", src, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto info = store_->Stat("big/seventy.bin");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, src.size());
  CheckingSink sink(src, 0);
  ASSERT_TRUE(store_->Get("big/seventy.bin", sink).ok());
  EXPECT_EQ(sink.received(), src.size());
  ASSERT_EQ(sink.first_mismatch(), -1);
  // The bytes read back equal the source, so their MD5 is the source's.
  ExpectMd5Of(*store_, "big/seventy.bin", sink.Md5());
}

// ---- K1: keys are byte-exact ----

const std::vector<std::string>& SpecialKeys() {
  static const std::vector<std::string> keys = {
      "with space.txt",
      "plus+sign",
      "percent%20literal",
      "hash#tag",
      "question?mark",
      "equals=sign",
      "amp&ersand",
      "colon:name",
      "tilde~x",
      "all + % # ? = & : ~",
      "comma,semi;at@$",
      "quote'paren(1)[2]",
      "dir with space/f+1",
      "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt",
      "emoji \xf0\x9f\x8e\x89"};
  return keys;
}

TEST_P(StoreConformance, KeysWithSpecialCharactersRoundTrip) {
  for (const auto& key : SpecialKeys()) Put(*store_, key, "content of " + key);
  for (const auto& key : SpecialKeys()) {
    EXPECT_EQ(Get(*store_, key), "content of " + key) << key;
    auto info = store_->Stat(key);
    ASSERT_TRUE(info.ok()) << key << ": " << info.status().ToString();
    EXPECT_EQ(info->key, key);
    EXPECT_EQ(info->size, ("content of " + key).size());
  }
  auto expected = Sorted(SpecialKeys());
  if (GetParam().has(kLimitDoubleEscapedListKeys)) {
    // Server limit: it escapes '&' and '\'' twice in listings, so those keys come back
    // mangled (we decode exactly one level of XML escaping; see s3_xml_test). Assert the rest.
    auto mangled = [](const std::string& k) {
      return k.find('&') != std::string::npos || k.find('\'') != std::string::npos;
    };
    std::erase_if(expected, mangled);
    auto listed = Sorted(ListKeys(*store_, ""));
    std::erase_if(listed, mangled);
    EXPECT_EQ(listed, expected);
    return;
  }
  EXPECT_EQ(Sorted(ListKeys(*store_, "")), expected);
}

TEST_P(StoreConformance, UnicodeNormalisationFormsStayDistinct) {
  const std::string nfc = "caf\xc3\xa9";   // é as one code point
  const std::string nfd = "cafe\xcc\x81";  // e + combining acute accent
  Put(*store_, nfc, "composed");
  Put(*store_, nfd, "decomposed");
  EXPECT_EQ(Get(*store_, nfc), "composed");
  EXPECT_EQ(Get(*store_, nfd), "decomposed");
  EXPECT_EQ(Sorted(ListKeys(*store_, "caf")), Sorted({nfc, nfd}));
  ASSERT_TRUE(store_->Remove(nfd).ok());
  EXPECT_EQ(Get(*store_, nfc), "composed");
  EXPECT_TRUE(store_->Stat(nfd).status().Is(ErrorKind::kNotFound));
}

TEST_P(StoreConformance, DeepPathsRoundTrip) {
  std::string key;
  for (int i = 0; i < 40; ++i) key += "level" + std::to_string(i) + "/";
  key += "leaf.txt";
  Put(*store_, key, "deep");
  EXPECT_EQ(Get(*store_, key), "deep");
  EXPECT_EQ(ListKeys(*store_, "level0/level1/"), std::vector<std::string>{key});
  ASSERT_TRUE(store_->Remove(key).ok());
  EXPECT_TRUE(ListKeys(*store_, "").empty());
}

// ---- O2: metadata and ETags ----

TEST_P(StoreConformance, MetadataRoundTrip) {
  PutOptions opts;
  opts.metadata = {{"mtime", "1716800000123456789"},
                   {"owner", "alice smith"},
                   {"mode", "0644"},
                   {"note", "a=b&c:d ~ 100%"}};
  Put(*store_, "meta/obj", "payload", opts);
  auto info = store_->Stat("meta/obj");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  for (const auto& [k, v] : opts.metadata) {
    ASSERT_TRUE(info->metadata.count(k)) << "metadata " << k << " missing";
    EXPECT_EQ(info->metadata.at(k), v) << k;
  }
}

TEST_P(StoreConformance, EtagIsLowerHexMd5ForSinglePartPut) {
  std::string bytes = "The quick brown fox jumps over the lazy dog";
  auto r = PutString(*store_, "fox", bytes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->etag, "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_TRUE(IsLowerHexMd5(r->etag));
  auto info = store_->Stat("fox");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, r->etag);
  std::string listed;
  ASSERT_TRUE(store_
                  ->List("fox",
                         [&](const ObjectInfo& i) {
                           listed = i.etag;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(listed, r->etag);
}

TEST_P(StoreConformance, PutWithCorrectContentMd5Succeeds) {
  PutOptions opts;
  opts.content_md5_hex = Md5Hex("checked");
  auto r = PutString(*store_, "checked", "checked", opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->etag, opts.content_md5_hex);
}

TEST_P(StoreConformance, PutWithWrongContentMd5FailsCorruptAndKeepsOldObject) {
  Put(*store_, "guarded", "old bytes");
  PutOptions opts;
  opts.content_md5_hex = Md5Hex("something else");
  auto r = PutString(*store_, "guarded", "new bytes", opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kCorrupt) << r.status().ToString();
  if (GetParam().has(kLimitNoContentMd5Check)) {
    // Server limit: it stored the body despite the wrong Content-MD5 (real S3 refuses it with
    // 400 BadDigest and keeps the old object). The driver still reports Corrupt and must not
    // leave the wrong bytes readable under the key.
    auto got = store_->Stat("guarded");
    if (got.ok()) {
      EXPECT_NE(got->etag, Md5Hex("new bytes"));
    }
  } else {
    EXPECT_EQ(Get(*store_, "guarded"), "old bytes");
  }
  auto fresh = PutString(*store_, "never-written", "new bytes", opts);
  EXPECT_EQ(fresh.status().kind(), ErrorKind::kCorrupt);
  EXPECT_TRUE(store_->Stat("never-written").status().Is(ErrorKind::kNotFound));
}

// ---- O11: the MD5 a put computed is the MD5 of what it stored ----

TEST_P(StoreConformance, PutContentMd5WhenPresentIsTheMd5OfTheStoredBytes) {
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{300} << 10, uint64_t{3} << 20}) {
    GeneratedSource src(size, size + 11);
    auto want = Md5HexOfSource(src);
    ASSERT_TRUE(want.ok());
    const std::string key = "o11/" + std::to_string(size);
    auto r = store_->Put(key, src, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!r->content_md5.empty()) {
      EXPECT_EQ(r->content_md5, *want) << size << " bytes";
    }
    PutOptions given;
    given.content_md5_hex = *want;
    auto again = store_->Put(key, src, given);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    if (!again->content_md5.empty()) {
      EXPECT_EQ(again->content_md5, *want) << size << " bytes";
    }
    CheckingSink sink(src, 0);
    ASSERT_TRUE(store_->Get(key, sink).ok());
    EXPECT_EQ(sink.first_mismatch(), -1);
    EXPECT_EQ(sink.Md5(), *want);
  }
}

TEST_P(StoreConformance, OverwriteReplacesBytesAndMetadata) {
  PutOptions first;
  first.metadata = {{"version", "1"}, {"only-in-first", "x"}};
  Put(*store_, "over", "first version", first);
  PutOptions second;
  second.metadata = {{"version", "2"}};
  Put(*store_, "over", "second, longer version", second);
  EXPECT_EQ(Get(*store_, "over"), "second, longer version");
  auto info = store_->Stat("over");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, Md5Hex("second, longer version"));
  EXPECT_EQ(info->metadata.count("only-in-first"), 0u) << "metadata must not be merged";
  EXPECT_EQ(info->metadata["version"], "2");
  // Same size, same clock tick: still the new bytes and metadata.
  PutOptions third;
  third.metadata = {{"version", "3"}};
  Put(*store_, "over", "third, equally long version", third);
  Put(*store_, "over", "fourth, equally long versio", {});
  EXPECT_EQ(Get(*store_, "over"), "fourth, equally long versio");
  info = store_->Stat("over");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, Md5Hex("fourth, equally long versio"));
  EXPECT_EQ(info->metadata.count("version"), 0u);
  EXPECT_EQ(ListKeys(*store_, ""), std::vector<std::string>{"over"});
}

// ---- O3: conditional put ----

TEST_P(StoreConformance, IfAbsentPutOnExistingKeyFailsPreconditionFailed) {
  PutOptions cond;
  cond.if_absent = true;
  auto created = PutString(*store_, "lease", "owner A", cond);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  if (GetParam().has(kLimitNoConditionalPut) || !store_->capabilities().conditional_put) {
    // Limit: this server ignores If-None-Match; O3 lets the option be ignored there, so only
    // the unconditional behaviour is asserted (the request header is unit-tested instead).
    EXPECT_EQ(Get(*store_, "lease"), "owner A");
    return;
  }
  auto again = PutString(*store_, "lease", "owner B", cond);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().kind(), ErrorKind::kPreconditionFailed) << again.status().ToString();
  EXPECT_EQ(Get(*store_, "lease"), "owner A");
}

TEST_P(StoreConformance, IfAbsentPutHasExactlyOneWinnerUnderRace) {
  if (GetParam().has(kLimitNoConditionalPut) || !store_->capabilities().conditional_put) {
    // Limit: conditional puts are not enforced by this server, so there is no single winner
    // to assert; only that a conditional put of a new key is accepted.
    PutOptions cond;
    cond.if_absent = true;
    EXPECT_TRUE(PutString(*store_, "race/lease", "only writer", cond).ok());
    return;
  }
  constexpr int kWriters = 8;
  std::atomic<int> winners{0}, losers{0}, others{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      PutOptions cond;
      cond.if_absent = true;
      auto r = PutString(*store_, "race/lease", "writer " + std::to_string(i), cond);
      if (r.ok()) {
        ++winners;
      } else if (r.status().Is(ErrorKind::kPreconditionFailed)) {
        ++losers;
      } else {
        ++others;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(losers.load(), kWriters - 1);
  EXPECT_EQ(others.load(), 0);
}

// ---- O1: atomic replacement ----

TEST_P(StoreConformance, ReadersSeeOldOrNewObjectNeverAPart) {
  const std::string a(256 << 10, 'a'), b(512 << 10, 'b');
  Put(*store_, "atomic", a);
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread reader([&] {
    while (!stop) {
      StringSink sink;
      Status st = store_->Get("atomic", sink);
      // A transport error (a loaded test server timing out) says nothing about atomicity; a
      // 404 or a part does.
      ++reads;
      if (st.Is(ErrorKind::kRetryable)) continue;
      if (!st.ok() || (sink.out != a && sink.out != b)) ++torn;
    }
  });
  for (int i = 0; i < 20; ++i) Put(*store_, "atomic", i % 2 ? a : b);
  stop = true;
  reader.join();
  if (GetParam().has(kLimitNonAtomicOverwrite)) {
    // Server limit: it replaces objects in place, so a concurrent reader can see a part or a
    // 404. S3 itself is atomic per object; nothing to assert beyond the reads happening.
    EXPECT_GT(reads.load(), 0);
    return;
  }
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 0);
}

// ---- O4: ranged get ----

TEST_P(StoreConformance, RangedGetFirstMiddleLastAndClamped) {
  const std::string bytes = "0123456789abcdefghij";
  Put(*store_, "ranged", bytes);
  EXPECT_EQ(Get(*store_, "ranged", ByteRange{0, 0}), "0");
  EXPECT_EQ(Get(*store_, "ranged", ByteRange{5, 9}), "56789");
  EXPECT_EQ(Get(*store_, "ranged", ByteRange{19, 19}), "j");
  EXPECT_EQ(Get(*store_, "ranged", ByteRange{17, 1000}), "hij");
  EXPECT_EQ(Get(*store_, "ranged", ByteRange{10}), "abcdefghij");
  EXPECT_EQ(Get(*store_, "ranged", ByteRange{0, UINT64_MAX}), bytes);
}

TEST_P(StoreConformance, RangedGetStartingPastTheEndFailsWithoutBytes) {
  Put(*store_, "short", "abc");
  StringSink sink;
  Status st = store_->Get("short", sink, ByteRange{3, 10});
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument) << st.ToString();
  EXPECT_EQ(sink.out, "");
}

TEST_P(StoreConformance, RangedGetOfLargeObjectMiddle) {
  GeneratedSource src(3 << 20, 3);
  ASSERT_TRUE(store_->Put("ranged-large", src, {}).ok());
  const uint64_t first = (1 << 20) + 12345, last = (2 << 20) + 777;
  CheckingSink sink(src, first);
  ASSERT_TRUE(store_->Get("ranged-large", sink, ByteRange{first, last}).ok());
  EXPECT_EQ(sink.received(), last - first + 1);
  EXPECT_EQ(sink.first_mismatch(), -1);
}

// ---- O4/O5/O7/O9: missing keys ----

TEST_P(StoreConformance, GetOfMissingKeyIsNotFoundAndNamesIt) {
  StringSink sink;
  Status st = store_->Get("missing/key.txt", sink);
  EXPECT_EQ(st.kind(), ErrorKind::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("missing/key.txt"), std::string::npos) << st.message();
  EXPECT_EQ(sink.out, "");
}

TEST_P(StoreConformance, StatOfMissingKeyIsNotFound) {
  Put(*store_, "present", "x");
  auto r = store_->Stat("absent");
  EXPECT_EQ(r.status().kind(), ErrorKind::kNotFound) << r.status().ToString();
  // A prefix of an existing key is not an object either.
  Put(*store_, "dir/file", "x");
  EXPECT_EQ(store_->Stat("dir").status().kind(), ErrorKind::kNotFound);
}

TEST_P(StoreConformance, RemoveOfMissingKeySucceeds) {
  Status st = store_->Remove("never/was/here");
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreConformance, RemoveDeletesOnlyThatObject) {
  Put(*store_, "rm/a", "a");
  Put(*store_, "rm/b", "b");
  ASSERT_TRUE(store_->Remove("rm/a").ok());
  EXPECT_TRUE(store_->Stat("rm/a").status().Is(ErrorKind::kNotFound));
  EXPECT_EQ(ListKeys(*store_, ""), std::vector<std::string>{"rm/b"});
  ASSERT_TRUE(store_->Remove("rm/a").ok());  // twice is fine
  ASSERT_TRUE(store_->Remove("rm/b").ok());
  EXPECT_TRUE(ListKeys(*store_, "").empty());
  Put(*store_, "rm/a", "again");  // the emptied prefix is usable again
  EXPECT_EQ(Get(*store_, "rm/a"), "again");
}

// ---- O6: listing ----

TEST_P(StoreConformance, ListIsInAscendingByteOrder) {
  // '-' 0x2d < '.' 0x2e < '/' 0x2f < '0' 0x30; 'B' < 'a'; 0x7f and UTF-8 lead bytes sort last.
  const std::vector<std::string> keys = {
      "a b", "a-b", "a-c/d", "a.b", "a/b",       "a/c/d",           "a0",
      "aB",  "a~",  "a\x7f", "B",   "a\xc3\xa9", "a\xe2\x82\xac x", "a-b.c"};
  std::vector<std::string> shuffled = keys;
  std::reverse(shuffled.begin(), shuffled.end());
  for (const auto& k : shuffled) Put(*store_, k, k);
  auto listed = ListKeys(*store_, "");
  if (GetParam().has(kLimitMixedCharListOrder)) {
    // Limit: this server orders keys mixing '-', '/', '.' differently from S3's byte order;
    // assert each key is listed exactly once instead.
    EXPECT_EQ(Sorted(listed), Sorted(keys));
    return;
  }
  EXPECT_EQ(listed, Sorted(keys));
}

TEST_P(StoreConformance, ListPagesThroughMoreThanAThousandKeys) {
  constexpr int kKeys = 1100;
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "page/k%05d", i);
    keys.push_back(name);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < keys.size(); i += 8)
        if (!PutString(*store_, keys[i], keys[i]).ok()) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  Put(*store_, "pagf", "outside the prefix");
  std::vector<std::string> listed;
  bool etags_ok = true;
  const Status st = store_->List("page/", [&](const ObjectInfo& info) {
    listed.push_back(info.key);
    if (info.etag != Md5Hex(info.key) || info.size != info.key.size()) etags_ok = false;
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(listed, keys);
  EXPECT_TRUE(etags_ok);
}

TEST_P(StoreConformance, ListWithPrefix) {
  for (const char* k : {"p/a", "p/b/c", "pa", "q", "p-x"}) Put(*store_, k, k);
  EXPECT_EQ(ListKeys(*store_, "p/"), (std::vector<std::string>{"p/a", "p/b/c"}));
  EXPECT_EQ(Sorted(ListKeys(*store_, "p")), Sorted({"p-x", "p/a", "p/b/c", "pa"}));
  EXPECT_EQ(ListKeys(*store_, "p/b"), (std::vector<std::string>{"p/b/c"}));
  EXPECT_EQ(ListKeys(*store_, "p/b/c"), (std::vector<std::string>{"p/b/c"}));
  EXPECT_TRUE(ListKeys(*store_, "zz").empty());
  EXPECT_TRUE(ListKeys(*store_, "p/b/c/").empty());
  EXPECT_EQ(ListKeys(*store_, "").size(), 5u);
}

TEST_P(StoreConformance, ListReportsSizeEtagAndMtime) {
  const auto before = std::chrono::system_clock::now() - std::chrono::hours(1);
  Put(*store_, "info/x", "12345");
  std::vector<ObjectInfo> got;
  ASSERT_TRUE(store_
                  ->List("info/",
                         [&](const ObjectInfo& i) {
                           got.push_back(i);
                           return Status::Ok();
                         })
                  .ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "info/x");
  EXPECT_EQ(got[0].size, 5u);
  EXPECT_EQ(got[0].etag, Md5Hex("12345"));
  int64_t before_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(before.time_since_epoch()).count();
  EXPECT_GT(got[0].mtime_ns, before_ns);
  EXPECT_LT(got[0].mtime_ns, before_ns + int64_t{3} * 3600 * 1000000000);
}

TEST_P(StoreConformance, ListStopsAtTheCallbacksError) {
  for (const char* k : {"s/1", "s/2", "s/3"}) Put(*store_, k, k);
  int calls = 0;
  Status st = store_->List("s/", [&](const ObjectInfo&) {
    return ++calls == 2 ? Status(ErrorKind::kCancelled, "enough") : Status::Ok();
  });
  EXPECT_EQ(st.kind(), ErrorKind::kCancelled);
  EXPECT_EQ(st.message(), "enough");
  EXPECT_EQ(calls, 2);
}

TEST_P(StoreConformance, ListOfEmptyStoreCallsNothing) {
  EXPECT_TRUE(ListKeys(*store_, "").empty());
}

// ---- O8: copy ----

TEST_P(StoreConformance, CopyKeepsBytesAndMetadata) {
  PutOptions opts;
  opts.metadata = {{"origin", "src"}};
  Put(*store_, "c/src", "copied bytes", opts);
  Status st = store_->Copy("c/src", "c/dst");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Get(*store_, "c/dst"), "copied bytes");
  EXPECT_EQ(Get(*store_, "c/src"), "copied bytes");
  auto info = store_->Stat("c/dst");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, Md5Hex("copied bytes"));
  EXPECT_EQ(info->metadata["origin"], "src");
}

TEST_P(StoreConformance, CopyWithNewMetadataReplacesIt) {
  PutOptions opts;
  opts.metadata = {{"origin", "src"}};
  Put(*store_, "c/src", "copied bytes", opts);
  Status st = store_->Copy("c/src", "c/dst", Metadata{{"fresh", "yes"}});
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto info = store_->Stat("c/dst");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->metadata["fresh"], "yes");
  EXPECT_EQ(info->metadata.count("origin"), 0u);
  auto src = store_->Stat("c/src");
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(src->metadata["origin"], "src");
  EXPECT_EQ(src->metadata.count("fresh"), 0u);
}

TEST_P(StoreConformance, CopyOverwritesDestination) {
  Put(*store_, "c/src", "new");
  Put(*store_, "c/dst", "old and longer");
  ASSERT_TRUE(store_->Copy("c/src", "c/dst").ok());
  EXPECT_EQ(Get(*store_, "c/dst"), "new");
}

TEST_P(StoreConformance, CopyOfMissingSourceIsNotFound) {
  Status st = store_->Copy("c/none", "c/dst");
  EXPECT_EQ(st.kind(), ErrorKind::kNotFound) << st.ToString();
  EXPECT_TRUE(store_->Stat("c/dst").status().Is(ErrorKind::kNotFound));
}

TEST_P(StoreConformance, CopyOfKeysWithSpecialCharacters) {
  std::vector<std::string> keys = SpecialKeys();
  if (GetParam().has(kLimitCopyEncodedSource)) {
    // Limit: this server decodes the copy source with decodeURI, so keys holding
    // + # ? = & : , ; @ $ cannot be copied on it; copy the others only.
    std::erase_if(keys, [](const std::string& k) {
      return k.find_first_of("+#?=&:,;@$") != std::string::npos;
    });
  }
  for (const auto& k : keys) Put(*store_, k, "bytes of " + k);
  for (const auto& k : keys) {
    Status st = store_->Copy(k, "copies/" + k);
    ASSERT_TRUE(st.ok()) << k << ": " << st.ToString();
    EXPECT_EQ(Get(*store_, "copies/" + k), "bytes of " + k);
  }
}

// ---- thread safety ----

TEST_P(StoreConformance, ConcurrentWritersOfDistinctKeys) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string key = "conc/t" + std::to_string(t) + "/" + std::to_string(i);
        if (!PutString(*store_, key, key).ok()) ++failures;
        auto back = GetString(*store_, key);
        if (!back.ok() || *back != key) ++failures;
        if (i % 2 && !store_->Remove(key).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ListKeys(*store_, "conc/").size(), 4u * 13u);
}

// ---- D2: deferred durability ----

TEST_P(StoreConformance, DeferredPutIsVisibleAtOnceWithEtagAndMetadata) {
  PutOptions opts;
  opts.defer_durability = true;
  opts.metadata["sha256"] = "abc";
  const std::string bytes = "deferred bytes\n";
  auto r = PutString(*store_, "d/one", bytes, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->etag, Md5Hex(bytes));
  // Before any Sync, readers of this running system see the whole object (O1 still holds).
  EXPECT_EQ(Get(*store_, "d/one"), bytes);
  auto info = store_->Stat("d/one");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->etag, Md5Hex(bytes));
  EXPECT_EQ(info->metadata["sha256"], "abc");
  EXPECT_EQ(ListKeys(*store_, "d/"), std::vector<std::string>{"d/one"});
  Status synced = store_->Sync();
  ASSERT_TRUE(synced.ok()) << synced.ToString();
  EXPECT_EQ(Get(*store_, "d/one"), bytes);
}

TEST_P(StoreConformance, DeferredPutKeepsIfAbsentAndMd5Checks) {
  PutOptions opts;
  opts.defer_durability = true;
  opts.if_absent = true;
  ASSERT_TRUE(PutString(*store_, "d/cond", "first", opts).ok());
  if (store_->capabilities().conditional_put && !GetParam().has(kLimitNoConditionalPut)) {
    auto again = PutString(*store_, "d/cond", "second", opts);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().kind(), ErrorKind::kPreconditionFailed) << again.status().ToString();
  }
  EXPECT_EQ(Get(*store_, "d/cond"), "first");
  if (!GetParam().has(kLimitNoContentMd5Check)) {
    PutOptions wrong;
    wrong.defer_durability = true;
    wrong.content_md5_hex = Md5Hex("something else");
    auto bad = PutString(*store_, "d/cond", "third", wrong);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().kind(), ErrorKind::kCorrupt) << bad.status().ToString();
    EXPECT_EQ(Get(*store_, "d/cond"), "first");
  }
  EXPECT_TRUE(store_->Sync().ok());
}

TEST_P(StoreConformance, SyncWithNothingDeferredAndAfterConcurrentDeferredPutsSucceeds) {
  Status idle = store_->Sync();  // nothing was put: a no-op, also on a store not yet created
  EXPECT_TRUE(idle.ok()) << idle.ToString();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      PutOptions opts;
      opts.defer_durability = true;
      for (int i = 0; i < 10; ++i) {
        std::string key = "dc/t" + std::to_string(t) + "/" + std::to_string(i);
        if (!PutString(*store_, key, key, opts).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  Status synced = store_->Sync();
  ASSERT_TRUE(synced.ok()) << synced.ToString();
  EXPECT_TRUE(store_->Sync().ok());  // a second Sync with nothing new is fine too
  auto keys = ListKeys(*store_, "dc/");
  ASSERT_EQ(keys.size(), 40u);
  for (const auto& k : keys) EXPECT_EQ(Get(*store_, k), k);
}

// ---- U1-U3: incomplete uploads (optional, store/incomplete_uploads.h) ----

// Whole Puts leave no incomplete upload behind; a driver without the capability, or a server
// without the API, says Unsupported instead of pretending there are none.
TEST_P(StoreConformance, CompletedPutsLeaveNoIncompleteUploads) {
  ASSERT_TRUE(PutString(*store_, "u/whole", std::string(1000, 'u')).ok());
  std::vector<std::string> keys;
  Status listed = ListIncompleteUploads(*store_, "", [&](const IncompleteUpload& u) {
    keys.push_back(u.key);
    return Status::Ok();
  });
  if (!KeepsIncompleteUploads(*store_)) {
    EXPECT_EQ(listed.kind(), ErrorKind::kUnsupported) << listed.ToString();
    return;
  }
  if (listed.Is(ErrorKind::kUnsupported)) return;  // U1: this server lacks the API
  ASSERT_TRUE(listed.ok()) << listed.ToString();
  EXPECT_TRUE(keys.empty()) << keys.front();
}

TEST_P(StoreConformance, AbortingAnUnknownUploadSucceedsOrIsUnsupported) {
  Status aborted = AbortIncompleteUpload(*store_, {"u/none", "no-such-upload-id", 0});
  if (!KeepsIncompleteUploads(*store_)) {
    EXPECT_EQ(aborted.kind(), ErrorKind::kUnsupported) << aborted.ToString();
    return;
  }
  EXPECT_TRUE(aborted.ok() || aborted.Is(ErrorKind::kUnsupported)) << aborted.ToString();
}

}  // namespace
}  // namespace dredge::testing
