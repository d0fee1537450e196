// RetryStore's object-version calls (retry_store.h): a GetVersion broken after some bytes
// resumes from the first undelivered byte of the same version, a ListVersions broken midway is
// listed again without the caller seeing a version twice, and only Retryable errors are retried.
#include <gtest/gtest.h>

#include <vector>

#include "store/byte_io.h"
#include "store/memory/memory_store.h"
#include "store/object_versions.h"
#include "store/wrap/retry_store.h"

namespace dredge {
namespace {

// Fails the first GetVersion after delivering `cut` bytes, and the first ListVersions after
// `cut_list` entries, with a Retryable error.
class BreakingStore final : public StoreWrapper {
 public:
  BreakingStore(std::shared_ptr<ObjectStore> inner, size_t cut, size_t cut_list)
      : StoreWrapper(std::move(inner)), cut_(cut), cut_list_(cut_list) {}
  Status GetVersion(std::string_view key, std::string_view id, ByteSink& sink,
                    std::optional<ByteRange> range) override {
    ranges.push_back(range);
    if (get_broken_) return StoreWrapper::GetVersion(key, id, sink, range);
    get_broken_ = true;
    StringSink all;
    DREDGE_RETURN_IF_ERROR(StoreWrapper::GetVersion(key, id, all, range));
    DREDGE_RETURN_IF_ERROR(sink.Write(std::string_view(all.out).substr(0, cut_)));
    return Status::Retryable("connection reset");
  }
  Status ListVersions(std::string_view prefix, const VersionListFn& fn) override {
    ++lists;
    size_t n = 0;
    bool breaking = !list_broken_;
    list_broken_ = true;
    return StoreWrapper::ListVersions(prefix, [&](const VersionInfo& v) -> Status {
      if (breaking && n++ == cut_list_) return Status::Retryable("connection reset");
      return fn(v);
    });
  }
  std::vector<std::optional<ByteRange>> ranges;
  int lists = 0;

 private:
  size_t cut_, cut_list_;
  bool get_broken_ = false, list_broken_ = false;
};

struct Fixture {
  Fixture(size_t cut, size_t cut_list) {
    memory = std::make_shared<MemoryStore>("retry-versions", MemoryStoreOptions{true, false});
    breaking = std::make_shared<BreakingStore>(memory, cut, cut_list);
    RetryEnv env;
    env.sleep = [](std::chrono::milliseconds) {};
    env.seed = 7;
    retry = std::make_unique<RetryStore>(breaking, RetryPolicy{}, env);
  }
  std::shared_ptr<MemoryStore> memory;
  std::shared_ptr<BreakingStore> breaking;
  std::unique_ptr<RetryStore> retry;
};

TEST(RetryVersions, ABrokenGetVersionResumesFromTheFirstUndeliveredByte) {
  Fixture f(4, 0);
  auto v1 = PutString(*f.memory, "k", "0123456789");
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(PutString(*f.memory, "k", "a newer version").ok());
  StringSink sink;
  ASSERT_TRUE(GetVersion(*f.retry, "k", v1->version_id, sink).ok());
  EXPECT_EQ(sink.out, "0123456789");
  ASSERT_EQ(f.breaking->ranges.size(), 2u);
  ASSERT_TRUE(f.breaking->ranges[1].has_value());
  EXPECT_EQ(f.breaking->ranges[1]->first, 4u);
  EXPECT_EQ(f.retry->stats().resumed_gets, 1u);
}

TEST(RetryVersions, ABrokenListingIsListedAgainWithoutRepeats) {
  Fixture f(0, 3);
  std::vector<std::string> want;
  for (const char* key : {"a", "b", "c"})
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(PutString(*f.memory, key, "x").ok());
  ASSERT_TRUE(ListVersions(*f.memory, "", [&](const VersionInfo& v) {
                want.push_back(v.key + "/" + v.version_id);
                return Status::Ok();
              }).ok());
  std::vector<std::string> got;
  ASSERT_TRUE(ListVersions(*f.retry, "", [&](const VersionInfo& v) {
                got.push_back(v.key + "/" + v.version_id);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(got, want);
  EXPECT_EQ(f.breaking->lists, 2);
}

TEST(RetryVersions, NotFoundIsReturnedAtOnce) {
  Fixture f(0, 0);
  StringSink sink;
  EXPECT_EQ(GetVersion(*f.retry, "nothing", "no-id", sink).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(f.retry->stats().retries, 0u);
}

}  // namespace
}  // namespace dredge
