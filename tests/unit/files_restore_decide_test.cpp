// The restore's decision per entry (engine/files/restore_decide.h): pure rules, and the one
// read of the destination's state, on files made here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/hash.h"
#include "engine/files/restore_decide.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

SnapshotEntry Entry() {
  SnapshotEntry e;
  e.path = "per_atlanta-constitution_1920-01-01_52_203.txt";
  e.size = 5;
  e.md5 = Md5Hex("hello");
  return e;
}

TEST(DecideRestore, NothingThereIsRestored) {
  auto d = DecideRestore(Entry(), {}, false);
  EXPECT_EQ(d.action, RestoreAction::kRestore);
  EXPECT_TRUE(d.message.empty());
}

TEST(DecideRestore, TheSameBytesAreSkippedWithOrWithoutOverwrite) {
  TargetState same{TargetState::Kind::kFile, true};
  EXPECT_EQ(DecideRestore(Entry(), same, false).action, RestoreAction::kSkip);
  EXPECT_EQ(DecideRestore(Entry(), same, true).action, RestoreAction::kSkip);
}

TEST(DecideRestore, OtherBytesAreLeftAloneNamingTheFileUnlessOverwrite) {
  TargetState other{TargetState::Kind::kFile, false};
  auto d = DecideRestore(Entry(), other, false);
  EXPECT_EQ(d.action, RestoreAction::kConflict);
  EXPECT_NE(d.message.find(Entry().path), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("--overwrite"), std::string::npos) << d.message;
  EXPECT_EQ(DecideRestore(Entry(), other, true).action, RestoreAction::kReplace);
}

TEST(DecideRestore, ALinkOrDeviceIsAConflictAndADirectoryIsRefusedEvenWithOverwrite) {
  TargetState link{TargetState::Kind::kOther, false};
  EXPECT_EQ(DecideRestore(Entry(), link, false).action, RestoreAction::kConflict);
  EXPECT_EQ(DecideRestore(Entry(), link, true).action, RestoreAction::kReplace);
  TargetState dir{TargetState::Kind::kDirectory, false};
  for (bool overwrite : {false, true}) {
    auto d = DecideRestore(Entry(), dir, overwrite);
    EXPECT_EQ(d.action, RestoreAction::kRefuse);
    EXPECT_NE(d.message.find("a directory is in the way"), std::string::npos) << d.message;
  }
}

TEST(ReadTargetState, ReadsWhatIsThere) {
  fs::path dir = fs::temp_directory_path() / ("dredge-decide-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "same") << "hello";
  std::ofstream(dir / "other") << "HELLO";
  std::ofstream(dir / "longer") << "hello!";
  fs::create_symlink(dir / "same", dir / "link");
  auto state = [&](const char* name) { return ReadTargetState((dir / name).string(), Entry()); };
  EXPECT_EQ(state("missing").kind, TargetState::Kind::kAbsent);
  EXPECT_EQ(state("same").kind, TargetState::Kind::kFile);
  EXPECT_TRUE(state("same").same_bytes);
  EXPECT_FALSE(state("other").same_bytes);                   // same size, other MD5
  EXPECT_FALSE(state("longer").same_bytes);                  // other size: not hashed
  EXPECT_EQ(state("link").kind, TargetState::Kind::kOther);  // never followed
  EXPECT_EQ(state("sub").kind, TargetState::Kind::kDirectory);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dredge
