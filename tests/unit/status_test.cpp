#include "common/status.h"
#include "common/exit_codes.h"

#include <gtest/gtest.h>

namespace dredge {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  DREDGE_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, ResultPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.status().ToString(), "InvalidArgument: odd");
}

TEST(ExitCodes, MapsKinds) {
  EXPECT_EQ(ExitCodeFor(Status::Ok()), 0);
  EXPECT_EQ(ExitCodeFor(Status::Io("x")), 1);
  EXPECT_EQ(ExitCodeFor(Status::Usage("x")), 2);
  EXPECT_EQ(ExitCodeFor(Status(ErrorKind::kPartial, "x")), 3);
  EXPECT_EQ(ExitCodeFor(Status::Corrupt("x")), 4);
  EXPECT_EQ(ExitCodeFor(Status::LockHeld("x")), 5);
  EXPECT_EQ(ExitCodeFor(Status(ErrorKind::kStale, "x")), 6);
}

TEST(ExitCodes, PrecedenceIsOneFourThreeFiveSix) {
  EXPECT_EQ(CombineExitCodes({6, 5, 3, 4, 1}), 1);
  EXPECT_EQ(CombineExitCodes({6, 5, 3, 4}), 4);
  EXPECT_EQ(CombineExitCodes({6, 5, 3}), 3);
  EXPECT_EQ(CombineExitCodes({6, 5}), 5);
  EXPECT_EQ(CombineExitCodes({0, 6}), 6);
  EXPECT_EQ(CombineExitCodes({0, 0}), 0);
}

}  // namespace
}  // namespace dredge
