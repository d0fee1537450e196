// The wrappers forward incomplete uploads (store/incomplete_uploads.h): the retry wrapper lists
// again after a transient failure without repeating an upload, retries aborts, and a wrapped
// store without the interface stays "not supported".
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "ops/limits.h"
#include "store/incomplete_uploads.h"
#include "store/memory/memory_store.h"
#include "store/wrap/limit_store.h"
#include "store/wrap/retry_store.h"
#include "unit/uploads_store.h"

namespace dredge {
namespace {

RetryEnv NoSleep() {
  RetryEnv env;
  env.sleep = [](std::chrono::milliseconds) {};
  env.seed = 1;
  return env;
}

TEST(IncompleteUploadsForwarding, RetryListsAgainAndDeliversEachUploadOnce) {
  auto inner = std::make_shared<testing::UploadsStore>();
  inner->uploads = {{"a", "u1", 1}, {"b", "u2", 2}, {"c", "u3", 3}};
  inner->fail_after_first = Status::Retryable("connection reset");
  RetryStore retry(inner, {}, NoSleep());
  EXPECT_TRUE(KeepsIncompleteUploads(retry));
  std::vector<std::string> seen;
  Status st = ListIncompleteUploads(retry, "", [&](const IncompleteUpload& u) {
    seen.push_back(u.upload_id);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"u1", "u2", "u3"}));
  EXPECT_EQ(inner->list_calls, 2);
  EXPECT_TRUE(AbortIncompleteUpload(retry, {"b", "u2", 2}).ok());
  EXPECT_EQ(inner->uploads.size(), 2u);
}

TEST(IncompleteUploadsForwarding, LimitsForwardAndAStoreWithoutTheInterfaceStaysUnsupported) {
  auto inner = std::make_shared<testing::UploadsStore>();
  inner->uploads = {{"a", "u1", 1}};
  LimitStore limited(inner, std::make_shared<Limiter>(1ull << 30, 100000));
  EXPECT_TRUE(KeepsIncompleteUploads(limited));
  int n = 0;
  EXPECT_TRUE(ListIncompleteUploads(limited, "", [&](const IncompleteUpload&) {
                ++n;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(n, 1);

  RetryStore plain(std::make_shared<MemoryStore>(), {}, NoSleep());
  EXPECT_FALSE(KeepsIncompleteUploads(plain));
  Status st =
      ListIncompleteUploads(plain, "", [](const IncompleteUpload&) { return Status::Ok(); });
  EXPECT_EQ(st.kind(), ErrorKind::kUnsupported) << st.ToString();
  EXPECT_EQ(AbortIncompleteUpload(plain, {"k", "u", 0}).kind(), ErrorKind::kUnsupported);
}

}  // namespace
}  // namespace dredge
