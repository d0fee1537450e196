// StoreWrapper (store/wrap/store_wrapper.h): a wrapper that overrides nothing behaves exactly
// like the store it wraps, for every ObjectStore method and the incomplete-uploads interface,
// and Unwrap finds the driver under any stack of wrappers.
#include "store/wrap/store_wrapper.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "store/memory/memory_store.h"
#include "store/wrap/retry_store.h"
#include "unit/uploads_store.h"

namespace dredge {
namespace {

// A leaf store whose Sync counts; everything else is a memory store.
class SyncCounting final : public StoreWrapper {
 public:
  SyncCounting() : StoreWrapper(std::make_shared<MemoryStore>()) {}
  Status Sync() override {
    ++syncs;
    return Status::Ok();
  }
  std::string Describe() const override { return "leaf://x"; }
  int syncs = 0;
};

TEST(StoreWrapper, ForwardsEveryObjectStoreMethodUnchanged) {
  auto leaf = std::make_shared<SyncCounting>();
  StoreWrapper w(leaf);
  ASSERT_TRUE(w.Put("a", MemorySource("hello"), PutOptions{}).ok());
  StringSink sink;
  ASSERT_TRUE(w.Get("a", sink, ByteRange{1, 3}).ok());
  EXPECT_EQ(sink.out, "ell");
  auto info = w.Stat("a");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 5u);
  ASSERT_TRUE(w.Copy("a", "b").ok());
  std::vector<std::string> keys;
  ASSERT_TRUE(w.List("", [&](const ObjectInfo& o) {
                 keys.push_back(o.key);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(w.Remove("a").ok());
  EXPECT_EQ(w.Stat("a").status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE(w.Sync().ok());
  EXPECT_EQ(leaf->syncs, 1);
  EXPECT_EQ(w.Describe(), "leaf://x");
  EXPECT_EQ(w.capabilities().conditional_put, leaf->capabilities().conditional_put);
}

TEST(StoreWrapper, ForwardsIncompleteUploadsAndSaysNoneForStoresWithout) {
  auto leaf = std::make_shared<testing::UploadsStore>();
  leaf->uploads = {{"p/big", "up-1", 7}, {"q/other", "up-2", 8}};
  StoreWrapper w(leaf);
  EXPECT_TRUE(KeepsIncompleteUploads(w));
  std::vector<std::string> seen;
  ASSERT_TRUE(ListIncompleteUploads(w, "p/", [&](const IncompleteUpload& u) {
                seen.push_back(u.key);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"p/big"}));
  ASSERT_TRUE(AbortIncompleteUpload(w, IncompleteUpload{"p/big", "up-1", 7}).ok());
  ASSERT_EQ(leaf->uploads.size(), 1u);
  EXPECT_EQ(leaf->uploads[0].upload_id, "up-2");

  StoreWrapper plain(std::make_shared<MemoryStore>());
  EXPECT_FALSE(KeepsIncompleteUploads(plain));
  Status s = ListIncompleteUploads(plain, "", [](const IncompleteUpload&) { return Status::Ok(); });
  EXPECT_EQ(s.kind(), ErrorKind::kUnsupported) << s.ToString();
}

TEST(StoreWrapper, UnwrapFindsTheDriverUnderAnyStackOfWrappers) {
  auto driver = std::make_shared<MemoryStore>();
  auto stacked = std::make_shared<RetryStore>(std::make_shared<StoreWrapper>(driver));
  EXPECT_EQ(Unwrap(stacked.get()), driver.get());
  EXPECT_EQ(Unwrap(driver.get()), driver.get());
}

}  // namespace
}  // namespace dredge
