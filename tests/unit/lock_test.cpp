// One run per tier and destination: the local flock and the store lease.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <barrier>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/exit_codes.h"
#include "common/time_util.h"
#include "formats/ops_keys.h"
#include "ops/lock.h"
#include "store/file/file_store.h"
#include "store/memory/memory_store.h"
#include "unit/forwarding_store.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "dredge-lock-XXXXXX").string();
  return ::mkdtemp(tmpl.data());
}

RunIdentity Other(const std::string& host, int64_t pid) {
  RunIdentity id = NewRunIdentity();
  id.host = host;
  id.pid = pid;
  return id;
}

LeaseOptions FastLease() {
  LeaseOptions o;
  o.tier = "files";
  o.ttl = 2s;
  o.renew_interval = 100ms;
  o.settle = 50ms;
  return o;
}

TEST(LocalLock, SecondLockerFailsAtOnceNamingTheHolder) {
  std::string dir = TempDir();
  RunIdentity a = NewRunIdentity(), b = NewRunIdentity();
  std::barrier start(2);
  std::atomic<int> won{0}, held{0};
  std::string message;
  std::mutex mu;
  std::vector<std::unique_ptr<LocalLock>> keep(2);
  auto racer = [&](int i, const RunIdentity& me) {
    start.arrive_and_wait();
    auto t0 = std::chrono::steady_clock::now();
    auto l = LocalLock::Acquire(dir, "files", "s3://bucket/p", me);
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, 1s) << "a locker must never wait";
    if (l.ok()) {
      ++won;
      keep[i] = std::move(l).value();
    } else {
      ++held;
      EXPECT_EQ(l.status().kind(), ErrorKind::kLockHeld);
      std::lock_guard lock(mu);
      message = l.status().message();
    }
  };
  std::thread t1(racer, 0, a), t2(racer, 1, b);
  t1.join();
  t2.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(held.load(), 1);
  // The loser names the holder: host, pid, start time and the lock file.
  EXPECT_NE(message.find("host " + a.host), std::string::npos) << message;
  EXPECT_NE(message.find("pid " + std::to_string(::getpid())), std::string::npos) << message;
  EXPECT_NE(message.find("started "), std::string::npos) << message;
  EXPECT_NE(message.find(".lock"), std::string::npos) << message;
  EXPECT_EQ(ExitCodeFor(Status::LockHeld(message)), 5);

  // Another tier or another destination is a different lock.
  EXPECT_TRUE(LocalLock::Acquire(dir, "db", "s3://bucket/p", a).ok());
  EXPECT_TRUE(LocalLock::Acquire(dir, "files", "s3://bucket/other", a).ok());
  // Released on destruction.
  keep.clear();
  EXPECT_TRUE(LocalLock::Acquire(dir, "files", "s3://bucket/p", a).ok());
  fs::remove_all(dir);
}

TEST(LocalLock, AKilledHoldersLockIsReleased) {
  std::string dir = TempDir();
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto l = LocalLock::Acquire(dir, "files", "file:///x", NewRunIdentity());
    char c = l.ok() ? 'y' : 'n';
    if (::write(ready[1], &c, 1) != 1) ::_exit(3);
    for (;;) ::pause();
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto while_alive = LocalLock::Acquire(dir, "files", "file:///x", NewRunIdentity());
  ASSERT_FALSE(while_alive.ok());
  EXPECT_EQ(while_alive.status().kind(), ErrorKind::kLockHeld);
  EXPECT_NE(while_alive.status().message().find("pid " + std::to_string(child)), std::string::npos)
      << while_alive.status().message();

  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  auto after = LocalLock::Acquire(dir, "files", "file:///x", NewRunIdentity());
  EXPECT_TRUE(after.ok()) << after.status().ToString();
  ::close(ready[0]);
  ::close(ready[1]);
  fs::remove_all(dir);
}

// Two hosts (different lock dirs) racing for the same destination: the lease decides.
void RaceForLease(std::shared_ptr<ObjectStore> store) {
  std::barrier start(2);
  std::atomic<int> won{0}, held{0};
  std::vector<std::unique_ptr<RunLock>> keep(2);
  auto racer = [&](int i) {
    RunLockOptions o;
    o.tier = "db";
    o.lock_dir = TempDir();
    o.lease = FastLease();
    RunIdentity me = Other("host-" + std::to_string(i), 1000 + i);
    start.arrive_and_wait();
    auto t0 = std::chrono::steady_clock::now();
    auto l = RunLock::Acquire(store, me, o);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    if (l.ok()) {
      ++won;
      keep[i] = std::move(l).value();
    } else {
      ++held;
      EXPECT_EQ(l.status().kind(), ErrorKind::kLockHeld) << l.status().ToString();
      EXPECT_NE(l.status().message().find("host-"), std::string::npos);
    }
  };
  std::thread t1(racer, 0), t2(racer, 1);
  t1.join();
  t2.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(held.load(), 1);
  for (auto& k : keep)
    if (k) {
      EXPECT_TRUE(k->Release().ok());
    }
  EXPECT_TRUE(GetString(*store, ops_keys::LeaseKey("db")).status().Is(ErrorKind::kNotFound))
      << "release removes the lease";
}

TEST(RemoteLease, ConcurrentRunsOnAConditionalStoreExactlyOneProceeds) {
  for (int round = 0; round < 5; ++round) RaceForLease(std::make_shared<MemoryStore>());
}

TEST(RemoteLease, ConcurrentRunsWithoutConditionalPutsExactlyOneProceeds) {
  for (int round = 0; round < 5; ++round) {
    auto store = std::make_shared<testing::ForwardingStore>(std::make_shared<MemoryStore>());
    store->conditional_put = false;
    RaceForLease(store);
  }
}

TEST(RemoteLease, ConcurrentRunsOnAFileStoreExactlyOneProceeds) {
  for (int round = 0; round < 3; ++round) {
    std::string dir = TempDir();
    RaceForLease(std::make_shared<FileStore>(dir + "/root"));
    fs::remove_all(dir);
  }
}

TEST(RemoteLease, AnExpiredLeaseIsTakenOver) {
  auto store = std::make_shared<MemoryStore>();
  LeaseRecord stale{Other("crashed-host", 77), "files", 0, NowUnixNanos() - 1000000000};
  ASSERT_TRUE(PutString(*store, ops_keys::LeaseKey("files"), EncodeLease(stale)).ok());
  RunIdentity me = NewRunIdentity();
  auto lease = RemoteLease::Acquire(store, me, FastLease());
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  auto now = DecodeLease(*GetString(*store, ops_keys::LeaseKey("files")), "k");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->holder.run_id, me.run_id);
  EXPECT_GT(now->expiry_ns, NowUnixNanos());
}

TEST(RemoteLease, ALiveLeaseOfAnotherHostIsRespected) {
  auto store = std::make_shared<MemoryStore>();
  LeaseRecord live{Other("db-host-2", 4242), "files", NowUnixNanos(),
                   NowUnixNanos() + 600ll * 1000000000};
  ASSERT_TRUE(PutString(*store, ops_keys::LeaseKey("files"), EncodeLease(live)).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), FastLease());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().kind(), ErrorKind::kLockHeld);
  EXPECT_NE(lease.status().message().find("db-host-2"), std::string::npos);
  EXPECT_NE(lease.status().message().find("pid 4242"), std::string::npos);
  EXPECT_NE(lease.status().message().find("expires"), std::string::npos);
}

TEST(RemoteLease, ADeadProcessOnThisHostIsTakenOverWhenTheLocalLockIsOurs) {
  auto store = std::make_shared<MemoryStore>();
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a pid that certainly is gone
  RunIdentity me = NewRunIdentity();
  LeaseRecord orphan{Other(me.host, child), "files", NowUnixNanos(),
                     NowUnixNanos() + 600ll * 1000000000};
  ASSERT_TRUE(PutString(*store, ops_keys::LeaseKey("files"), EncodeLease(orphan)).ok());
  LeaseOptions o = FastLease();
  EXPECT_FALSE(RemoteLease::Acquire(store, me, o).ok()) << "without the local lock: respected";
  o.local_lock_held = true;
  auto lease = RemoteLease::Acquire(store, me, o);
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
}

TEST(RemoteLease, RenewalKeepsTheLeaseAliveAndNoticesATakeover) {
  auto store = std::make_shared<MemoryStore>();
  LeaseOptions o = FastLease();
  o.ttl = 400ms;
  o.renew_interval = 50ms;
  RunIdentity me = NewRunIdentity();
  auto lease = RemoteLease::Acquire(store, me, o);
  ASSERT_TRUE(lease.ok());
  std::this_thread::sleep_for(700ms);  // longer than the ttl: only renewal keeps it
  auto contender = RemoteLease::Acquire(store, NewRunIdentity(), o);
  ASSERT_FALSE(contender.ok());
  EXPECT_EQ(contender.status().kind(), ErrorKind::kLockHeld);
  EXPECT_FALSE((*lease)->lost());

  LeaseRecord thief{Other("elsewhere", 1), "files", NowUnixNanos(), NowUnixNanos() + 60000000000};
  ASSERT_TRUE(PutString(*store, ops_keys::LeaseKey("files"), EncodeLease(thief)).ok());
  for (int i = 0; i < 40 && !(*lease)->lost(); ++i) std::this_thread::sleep_for(25ms);
  EXPECT_TRUE((*lease)->lost());
  EXPECT_TRUE((*lease)->Release().ok());
  auto still = DecodeLease(*GetString(*store, ops_keys::LeaseKey("files")), "k");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->holder.host, "elsewhere") << "release must not remove another run's lease";
}

TEST(RemoteLease, ACorruptLeaseIsReplaced) {
  auto store = std::make_shared<MemoryStore>();
  ASSERT_TRUE(PutString(*store, ops_keys::LeaseKey("files"), "{not json").ok());
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), FastLease());
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
}

TEST(RemoteLease, StoreErrorsAreNotMistakenForAHeldLock) {
  auto store = std::make_shared<testing::ForwardingStore>(std::make_shared<MemoryStore>());
  store->FailOp("get", Status::Permanent("AccessDenied"));
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), FastLease());
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().kind(), ErrorKind::kPermanent);
  EXPECT_NE(lease.status().message().find(".dredge/locks/files.lease"), std::string::npos);
}

}  // namespace
}  // namespace dredge
