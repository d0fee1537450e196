// file:// driver behaviour beyond the shared contract: key checks, what a failed or killed put
// leaves behind, sidecar trust, the on-disk tree, symlinks, and folder/object collisions.
#include "store/file/file_store.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "store/registry.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "dredge-fs-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/root";
    store_ = std::make_unique<FileStore>(root_);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static void WriteFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  // Regular files under root, relative path → bytes, skipping `skip` (a top-level folder).
  std::map<std::string, std::string> Tree(const std::string& skip = ".dredge") const {
    std::map<std::string, std::string> out;
    if (!fs::exists(root_)) return out;
    for (auto it = fs::recursive_directory_iterator(root_); it != fs::end(it); ++it) {
      std::string rel = fs::relative(it->path(), root_).string();
      if (!skip.empty() && (rel == skip || rel.starts_with(skip + "/"))) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) out[rel] = ReadFile(it->path().string());
    }
    return out;
  }
  std::vector<std::string> TmpFiles() const {
    std::vector<std::string> out;
    if (!fs::exists(root_ + "/.dredge/tmp")) return out;
    for (const auto& e : fs::directory_iterator(root_ + "/.dredge/tmp"))
      out.push_back(e.path().filename().string());
    return out;
  }
  std::vector<std::string> Keys(std::string_view prefix = "") {
    std::vector<std::string> keys;
    EXPECT_TRUE(store_
                    ->List(prefix,
                           [&](const ObjectInfo& i) {
                             keys.push_back(i.key);
                             return Status::Ok();
                           })
                    .ok());
    return keys;
  }

  std::string dir_, root_;
  std::unique_ptr<FileStore> store_;
};

TEST_F(FileStoreTest, EscapingAndMalformedKeysAreInvalidArgument) {
  for (const std::string& key : std::vector<std::string>{
           "", "/etc/passwd", "../outside", "a/../../outside", "a/./b", ".", "..", "a//b", "a/",
           std::string("nul\0byte", 8), std::string(256, 'x') + "/too-long-segment"}) {
    auto put = PutString(*store_, key, "x");
    EXPECT_EQ(put.status().kind(), ErrorKind::kInvalidArgument) << "put '" << key << "'";
    StringSink sink;
    EXPECT_EQ(store_->Get(key, sink).kind(), ErrorKind::kInvalidArgument) << key;
    EXPECT_EQ(store_->Stat(key).status().kind(), ErrorKind::kInvalidArgument) << key;
    EXPECT_EQ(store_->Remove(key).kind(), ErrorKind::kInvalidArgument) << key;
  }
  EXPECT_FALSE(fs::exists(dir_ + "/outside"));
  EXPECT_TRUE(Tree().empty());
}

TEST_F(FileStoreTest, StoreFoldersAreReservedButOtherDredgeKeysAreObjects) {
  for (const char* key :
       {".dredge", ".dredge/tmp", ".dredge/tmp/x", ".dredge/meta", ".dredge/meta/ab/cd.json"}) {
    auto put = PutString(*store_, key, "x");
    EXPECT_EQ(put.status().kind(), ErrorKind::kInvalidArgument) << key;
    EXPECT_NE(put.status().message().find("reserved"), std::string::npos) << key;
  }
  ASSERT_TRUE(PutString(*store_, "a", "x").ok());
  EXPECT_EQ(store_->Copy("a", ".dredge/tmp/sneaky").kind(), ErrorKind::kInvalidArgument);
  ASSERT_TRUE(PutString(*store_, ".dredge/records/run1.json", "{}").ok());
  ASSERT_TRUE(PutString(*store_, ".dredge/tmpfile", "not the tmp folder").ok());
  EXPECT_EQ(*GetString(*store_, ".dredge/records/run1.json"), "{}");
  EXPECT_EQ(Keys(),
            (std::vector<std::string>{".dredge/records/run1.json", ".dredge/tmpfile", "a"}));
  EXPECT_EQ(Keys(".dredge/"),
            (std::vector<std::string>{".dredge/records/run1.json", ".dredge/tmpfile"}));
}

TEST_F(FileStoreTest, RootMinusDredgeFolderIsExactlyTheStoredTree) {
  std::map<std::string, std::string> objects = {
      {"top.txt", "top"},
      {"docs/readme.md", "# hi"},
      {"docs/deep/er/file with space+plus.bin", std::string("\0\1\2", 3)},
      {"caf\xc3\xa9/\xe6\x97\xa5.txt", "unicode"},
      {"empty", ""}};
  for (const auto& [k, v] : objects) ASSERT_TRUE(PutString(*store_, k, v).ok()) << k;
  ASSERT_TRUE(PutString(*store_, ".dredge/snapshots/s1.json", "[]").ok());
  ASSERT_TRUE(PutString(*store_, "gone/soon", "x").ok());
  ASSERT_TRUE(store_->Remove("gone/soon").ok());
  EXPECT_EQ(Tree(), objects);
  EXPECT_FALSE(fs::exists(root_ + "/gone")) << "emptied folders are removed";
  EXPECT_TRUE(TmpFiles().empty());
}

// A source that fails after delivering some bytes, as a vanished input file would.
class FailingSource final : public ByteSource {
 public:
  explicit FailingSource(uint64_t size) : size_(size) {}
  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    if (offset >= (1 << 20)) return Status::Io("input disappeared");
    size_t n = std::min<uint64_t>(out.size(), (1 << 20) - offset);
    std::fill_n(out.data(), n, 'f');
    return n;
  }

 private:
  uint64_t size_;
};

TEST_F(FileStoreTest, FailedPutLeavesOldObjectAndNoDebris) {
  ASSERT_TRUE(PutString(*store_, "doc/file", "old").ok());
  FailingSource src(4 << 20);
  auto r = store_->Put("doc/file", src, {});
  EXPECT_EQ(r.status().kind(), ErrorKind::kIo);
  auto r2 = store_->Put("new/folder/file", src, {});
  EXPECT_EQ(r2.status().kind(), ErrorKind::kIo);
  PutOptions wrong;
  wrong.content_md5_hex = Md5Hex("other");
  EXPECT_EQ(PutString(*store_, "doc/file", "new", wrong).status().kind(), ErrorKind::kCorrupt);
  EXPECT_EQ(*GetString(*store_, "doc/file"), "old");
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"doc/file", "old"}}));
  EXPECT_TRUE(TmpFiles().empty());
}

// O11 for this driver: every put reports the MD5 it computed while writing, given an MD5 or
// not, and for an object above the copy buffer (1 MiB) too.
TEST_F(FileStoreTest, EveryPutReportsTheMd5OfTheBytesItWrote) {
  const std::string big(3 << 20, 'q');
  for (const std::string& bytes : {std::string(), std::string("alpha"), big}) {
    auto r = PutString(*store_, "o11", bytes);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->content_md5, Md5Hex(bytes));
    PutOptions given;
    given.content_md5_hex = Md5Hex(bytes);
    given.defer_durability = true;
    auto d = PutString(*store_, "o11", bytes, given);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->content_md5, Md5Hex(bytes));
  }
  EXPECT_TRUE(store_->Sync().ok());
}

// A put of a key without data writes a new sidecar in place; one already there (torn by a kill
// of an earlier put of that key) is replaced through a temp file, never trusted.
TEST_F(FileStoreTest, ASidecarLeftWithoutDataIsReplacedByTheNextPut) {
  auto [sub, file] = filestore::SidecarLocation("torn");
  fs::create_directories(root_ + "/.dredge/meta/" + sub);
  std::ofstream(root_ + "/.dredge/meta/" + sub + "/" + file) << "{\"format\":";
  for (const char* key : {"torn", "fresh"}) {
    PutOptions opts;
    opts.metadata = {{"mtime", "5"}};
    opts.defer_durability = true;
    ASSERT_TRUE(PutString(*store_, key, key, opts).ok()) << key;
    auto info = store_->Stat(key);
    ASSERT_TRUE(info.ok()) << key;
    EXPECT_EQ(info->etag, Md5Hex(key));
    EXPECT_EQ(info->metadata, (Metadata{{"mtime", "5"}})) << key;
  }
  EXPECT_TRUE(store_->Sync().ok());
  EXPECT_TRUE(TmpFiles().empty());
}

// A source that kills the whole process mid-put: what a crash or `kill -9` leaves.
class KillingSource final : public ByteSource {
 public:
  uint64_t size() const override { return 8 << 20; }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    if (offset >= (2 << 20)) ::raise(SIGKILL);
    size_t n = std::min<uint64_t>(out.size(), (2 << 20) - offset);
    std::fill_n(out.data(), n, 'k');
    return n;
  }
};

TEST_F(FileStoreTest, KilledWriterLeavesDebrisOnlyUnderDredgeTmp) {
  ASSERT_TRUE(PutString(*store_, "victim", "intact").ok());
  for (const char* key : {"victim", "brand/new/key"}) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      KillingSource src;
      (void)store_->Put(key, src, {});
      ::_exit(0);  // not reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  }
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"victim", "intact"}}));
  EXPECT_EQ(TmpFiles().size(), 2u) << "the killed writers' temp files";
  EXPECT_EQ(Keys(), std::vector<std::string>{"victim"});
  EXPECT_TRUE(store_->Stat("brand/new/key").status().Is(ErrorKind::kNotFound));
}

std::string SidecarPath(const std::string& root, const std::string& key) {
  std::string h = Sha256Hex(key);
  return root + "/.dredge/meta/" + h.substr(0, 2) + "/" + h + ".json";
}

void SetMtime(const std::string& path, int64_t ns) {
  struct timespec t[2] = {{0, UTIME_OMIT}, {ns / 1000000000, ns % 1000000000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), t, 0), 0);
}

TEST_F(FileStoreTest, StaleSidecarIsRecomputedNeverTrusted) {
  PutOptions opts;
  opts.metadata = {{"owner", "alice"}};
  ASSERT_TRUE(PutString(*store_, "k", "original", opts).ok());
  // Edited behind the store's back: same size, later mtime.
  WriteFile(root_ + "/k", "ORIGINAL");
  SetMtime(root_ + "/k", int64_t{2000000000} * 1000000000);
  auto info = store_->Stat("k");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->etag, Md5Hex("ORIGINAL"));
  EXPECT_TRUE(info->metadata.empty()) << "metadata of other bytes must not be reported";
  // The repaired sidecar now describes the file, so list needs no re-read.
  EXPECT_NE(ReadFile(SidecarPath(root_, "k")).find(Md5Hex("ORIGINAL")), std::string::npos);
  std::string listed;
  ASSERT_TRUE(store_
                  ->List("",
                         [&](const ObjectInfo& i) {
                           listed = i.etag;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(listed, Md5Hex("ORIGINAL"));
}

TEST_F(FileStoreTest, MissingOrGarbledSidecarIsRecomputed) {
  ASSERT_TRUE(PutString(*store_, "a", "alpha").ok());
  ASSERT_TRUE(PutString(*store_, "b", "beta").ok());
  fs::remove(SidecarPath(root_, "a"));
  WriteFile(SidecarPath(root_, "b"), "{not json");
  std::map<std::string, std::string> etags;
  ASSERT_TRUE(store_
                  ->List("",
                         [&](const ObjectInfo& i) {
                           etags[i.key] = i.etag;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(etags["a"], Md5Hex("alpha"));
  EXPECT_EQ(etags["b"], Md5Hex("beta"));
  EXPECT_TRUE(fs::exists(SidecarPath(root_, "a")));
}

TEST_F(FileStoreTest, CrashBetweenSidecarAndRenameKeepsOldMetadata) {
  PutOptions v1;
  v1.metadata = {{"version", "1"}};
  ASSERT_TRUE(PutString(*store_, "obj", "version one", v1).ok());
  std::string old_bytes = ReadFile(root_ + "/obj");
  struct stat st {};
  ASSERT_EQ(::stat((root_ + "/obj").c_str(), &st), 0);
  int64_t old_mtime = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  PutOptions v2;
  v2.metadata = {{"version", "2"}};
  ASSERT_TRUE(PutString(*store_, "obj", "version two", v2).ok());
  // Put the old data file back as if the rename had never happened (the sidecar write had).
  WriteFile(root_ + "/obj", old_bytes);
  SetMtime(root_ + "/obj", old_mtime);
  auto info = store_->Stat("obj");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, Md5Hex("version one"));
  EXPECT_EQ(info->metadata["version"], "1");
}

TEST_F(FileStoreTest, SymlinksAreNeverFollowed) {
  std::string outside = dir_ + "/outside";
  fs::create_directories(outside);
  WriteFile(outside + "/secret", "do not read");
  ASSERT_TRUE(PutString(*store_, "real", "inside").ok());
  fs::create_directory_symlink(outside, root_ + "/linkdir");
  fs::create_symlink(outside + "/secret", root_ + "/linkfile");

  EXPECT_EQ(Keys(), std::vector<std::string>{"real"});
  EXPECT_TRUE(store_->Stat("linkdir/secret").status().Is(ErrorKind::kNotFound));
  EXPECT_TRUE(store_->Stat("linkfile").status().Is(ErrorKind::kNotFound));
  StringSink sink;
  EXPECT_TRUE(store_->Get("linkfile", sink).Is(ErrorKind::kNotFound));
  EXPECT_TRUE(store_->Get("linkdir/secret", sink).Is(ErrorKind::kNotFound));
  EXPECT_EQ(sink.out, "");
  EXPECT_TRUE(store_->Copy("linkfile", "stolen").Is(ErrorKind::kNotFound));

  auto put = PutString(*store_, "linkdir/planted", "x");
  EXPECT_EQ(put.status().kind(), ErrorKind::kPermanent) << put.status().ToString();
  EXPECT_FALSE(fs::exists(outside + "/planted"));
  EXPECT_TRUE(store_->Remove("linkdir/secret").ok());
  EXPECT_TRUE(store_->Remove("linkfile").ok());
  EXPECT_EQ(ReadFile(outside + "/secret"), "do not read");
  EXPECT_TRUE(fs::is_symlink(root_ + "/linkfile"));
  // The .dredge folder itself as a symlink is refused rather than written through.
  std::string root2 = dir_ + "/root2";
  fs::create_directories(root2);
  fs::create_directory_symlink(outside, root2 + "/.dredge");
  FileStore evil(root2);
  EXPECT_FALSE(PutString(evil, "x", "y").ok());
  EXPECT_FALSE(fs::exists(outside + "/tmp"));
}

TEST_F(FileStoreTest, ObjectAndFolderOfTheSameNameCollide) {
  ASSERT_TRUE(PutString(*store_, "a", "file").ok());
  auto below = PutString(*store_, "a/b", "x");
  EXPECT_EQ(below.status().kind(), ErrorKind::kPermanent) << below.status().ToString();
  ASSERT_TRUE(PutString(*store_, "d/e", "x").ok());
  auto over = PutString(*store_, "d", "x");
  EXPECT_EQ(over.status().kind(), ErrorKind::kPermanent) << over.status().ToString();
  EXPECT_EQ(*GetString(*store_, "d/e"), "x");
  ASSERT_TRUE(store_->Remove("d/e").ok());
  ASSERT_TRUE(PutString(*store_, "d", "now a file").ok());
  EXPECT_EQ(Keys(), (std::vector<std::string>{"a", "d"}));
}

TEST_F(FileStoreTest, MissingRootReadsAsEmptyAndIsCreatedByFirstWrite) {
  EXPECT_TRUE(Keys().empty());
  EXPECT_TRUE(store_->Stat("x").status().Is(ErrorKind::kNotFound));
  EXPECT_TRUE(store_->Remove("x").ok());
  EXPECT_FALSE(fs::exists(root_)) << "reading must not create the store";
  ASSERT_TRUE(PutString(*store_, "x", "y").ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/.dredge/tmp"));
}

TEST_F(FileStoreTest, ConditionalPutIsAtomicAcrossStoreInstances) {
  // Two FileStore objects share no in-process lock: only the filesystem arbitrates.
  FileStore other(root_);
  PutOptions cond;
  cond.if_absent = true;
  int wins = 0, lost = 0;
  for (int round = 0; round < 20; ++round) {
    std::string key = "lease/" + std::to_string(round);
    Result<PutResult> r1 = Status::Io("unset"), r2 = Status::Io("unset");
    std::thread t([&] { r1 = PutString(*store_, key, "one", cond); });
    r2 = PutString(other, key, "two", cond);
    t.join();
    wins += r1.ok() + r2.ok();
    lost += r1.status().Is(ErrorKind::kPreconditionFailed) +
            r2.status().Is(ErrorKind::kPreconditionFailed);
  }
  EXPECT_EQ(wins, 20);
  EXPECT_EQ(lost, 20);
}

TEST_F(FileStoreTest, NonUtf8KeysRoundTripWithTheirMetadata) {
  std::string key = "latin1-caf\xe9";
  PutOptions opts;
  opts.metadata = {{"k", "v"}};
  ASSERT_TRUE(PutString(*store_, key, "bytes", opts).ok());
  auto info = store_->Stat(key);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->metadata["k"], "v");
  EXPECT_NE(ReadFile(SidecarPath(root_, key)).find("key_hex"), std::string::npos);
  EXPECT_EQ(Keys(), std::vector<std::string>{key});
}

TEST_F(FileStoreTest, MetadataMustBePrintableAscii) {
  PutOptions opts;
  opts.metadata = {{"note", "line\nbreak"}};
  EXPECT_EQ(PutString(*store_, "m", "x", opts).status().kind(), ErrorKind::kInvalidArgument);
}

TEST_F(FileStoreTest, RegistryOpensFileUrlsAndPlainPaths) {
  auto a = OpenStore("file://" + root_, {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->Describe(), "file://" + root_);
  ASSERT_TRUE(PutString(**a, "via/url", "x").ok());
  auto b = OpenStore(root_, {});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*GetString(**b, "via/url"), "x");
  EXPECT_TRUE((*b)->capabilities().conditional_put);
}

}  // namespace
}  // namespace dredge
