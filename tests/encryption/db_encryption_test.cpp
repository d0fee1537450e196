// `backup db --encrypt-key-file` end to end with the real binary: chunks are stored sealed
// (no row text in the store), the manifest names the key id, restore and verify with the key
// give the exact rows, and a missing key, a wrong key or a tampered chunk fail with exit 4 and
// a message naming the chunk, without loading any row.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/aead.h"
#include "common/hash.h"
#include "pg/pg_test_util.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> FilesUnder(const std::string& root, const std::string& part) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().string().find(part) != std::string::npos &&
        e.path().string().find("/.dredge/") == std::string::npos)
      out.push_back(e.path().string());
  return out;
}

class DbEncryption : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("enc");
    key_ = dir_ + "/key.hex";
    std::ofstream(key_) << std::string(64, 'a') << "\n";  // 32 bytes of 0xaa, hex spelling
    other_ = dir_ + "/other.raw";
    std::ofstream(other_, std::ios::binary) << std::string(32, 'o');
    dest_ = "file://" + dir_ + "/store";
    src_.Exec(
        "CREATE TABLE t (id int PRIMARY KEY, body text, n numeric);"
        "INSERT INTO t SELECT g, 'Plaintext-Marker-' || g, g * 1.5 FROM generate_series(1, 300) g");
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunResult Backup(const std::vector<std::string>& extra) {
    std::vector<std::string> a = {"backup",       "db", "--db",   src_.conninfo(),
                                  "--table",      "t",  "--dest", dest_,
                                  "--chunk-size", "50", "--json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return RunDredge(a);
  }
  RunResult Restore(const TestDb& db, const std::vector<std::string>& extra) {
    std::vector<std::string> a = {"restore", "db",          "--dest", dest_,
                                  "--db",    db.conninfo(), "--json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return RunDredge(a);
  }

  TestDb src_{"enc_src"};
  std::string dir_, key_, other_, dest_;
};

TEST_F(DbEncryption, SealedChunksRestoreExactlyWithTheKey) {
  // A full run (zstd) and an incremental one (no compression) over changed rows.
  for (const char* compress : {"zstd", "none"}) {
    if (std::string(compress) == "none")
      src_.Exec("UPDATE t SET body = body || '!' WHERE id % 7 = 0");
    RunResult b = Backup({"--encrypt-key-file", key_, "--compress", compress});
    ASSERT_EQ(b.code, 0) << b.err;
  }
  auto chunks = FilesUnder(dir_ + "/store", "/chunk_");
  ASSERT_GE(chunks.size(), 6u);
  for (const auto& c : chunks) {
    std::string bytes = ReadAll(c);
    EXPECT_EQ(bytes.rfind("DRGE\x01\x01", 0), 0u) << c << " is not a sealed envelope";
    EXPECT_EQ(bytes.find("Plaintext-Marker"), std::string::npos) << c << " holds row text";
  }
  const std::string key_id = MakeEncryptionKey(std::string(32, '\xaa')).id;
  auto manifests = FilesUnder(dir_ + "/store", "/backup_manifest_");
  ASSERT_EQ(manifests.size(), 2u);
  for (const auto& m : manifests) {
    auto j = nlohmann::json::parse(ReadAll(m));
    EXPECT_EQ(j["encryption"]["algorithm"], "AES-256-GCM");
    EXPECT_EQ(j["encryption"]["key_id"], key_id);
    for (const auto& c : j["chunks"]) EXPECT_EQ(c["encryption"]["key_id"], key_id);
  }

  TestDb dst("enc_dst");
  RunResult r = Restore(dst, {"--encrypt-key-file", key_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(dst.Dump("t"), src_.Dump("t"));

  RunResult v = RunDredge({"verify", "db", "--dest", dest_, "--db", src_.conninfo(), "--table", "t",
                           "--json", "--encrypt-key-file", key_});
  EXPECT_EQ(v.code, 0) << v.err << v.out;
}

TEST_F(DbEncryption, KeyFileFromTheEnvironment) {
  ASSERT_EQ(setenv("DREDGE_ENCRYPT_KEY_FILE", key_.c_str(), 1), 0);
  RunResult b = Backup({});
  TestDb dst("enc_env");
  RunResult r = Restore(dst, {});
  unsetenv("DREDGE_ENCRYPT_KEY_FILE");
  ASSERT_EQ(b.code, 0) << b.err;
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(dst.Dump("t"), src_.Dump("t"));
  EXPECT_EQ(ReadAll(FilesUnder(dir_ + "/store", "/chunk_").at(0)).rfind("DRGE", 0), 0u);
}

TEST_F(DbEncryption, MissingOrWrongKeyFailsWithExit4AndLoadsNothing) {
  ASSERT_EQ(Backup({"--encrypt-key-file", key_}).code, 0);
  const std::string key_id = MakeEncryptionKey(std::string(32, '\xaa')).id;
  const std::string other_id = MakeEncryptionKey(std::string(32, 'o')).id;

  TestDb dst("enc_nokey");
  RunResult none = Restore(dst, {});
  EXPECT_EQ(none.code, 4) << none.err;
  EXPECT_NE(none.err.find("--encrypt-key-file"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find(key_id), std::string::npos) << none.err;

  RunResult wrong = Restore(dst, {"--encrypt-key-file", other_});
  EXPECT_EQ(wrong.code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find(key_id), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find(other_id), std::string::npos) << wrong.err;
  if (dst.Scalar("SELECT to_regclass('public.t') IS NOT NULL") == "t") {
    EXPECT_EQ(dst.Scalar("SELECT count(*) FROM t"), "0")
        << "rows were loaded although the chunks could not be opened";
  }

  RunResult v = RunDredge({"verify", "db", "--dest", dest_, "--db", src_.conninfo(), "--table", "t",
                           "--encrypt-key-file", other_});
  EXPECT_EQ(v.code, 4) << v.err;
}

TEST_F(DbEncryption, ATamperedChunkWithARecomputedManifestHashStillFailsAuthentication) {
  ASSERT_EQ(Backup({"--encrypt-key-file", key_}).code, 0);
  auto chunks = FilesUnder(dir_ + "/store", "/chunk_");
  ASSERT_FALSE(chunks.empty());
  // Flip one ciphertext byte and make the manifest agree with the new bytes, as an attacker
  // with write access to the store could: only the GCM tag can catch it.
  std::string bytes = ReadAll(chunks[0]);
  bytes[40] ^= 0x01;
  std::ofstream(chunks[0], std::ios::binary | std::ios::trunc) << bytes;
  auto manifests = FilesUnder(dir_ + "/store", "/backup_manifest_");
  ASSERT_EQ(manifests.size(), 1u);
  auto j = nlohmann::json::parse(ReadAll(manifests[0]));
  std::string name = fs::path(chunks[0]).filename().string();
  for (auto& c : j["chunks"])
    if (c["key"].get<std::string>().find(name) != std::string::npos) c["sha256"] = Sha256Hex(bytes);
  std::ofstream(manifests[0], std::ios::trunc) << j.dump(1);

  TestDb dst("enc_tamper");
  RunResult r = Restore(dst, {"--encrypt-key-file", key_});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("authentication"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
}

// The cron line (`dredge backup` with a config) must encrypt when the config names a key, and
// `prune` and `restore` without a tier must read what it sealed. A config without the key makes
// prune fail (exit 4) before deleting anything.
TEST_F(DbEncryption, ConfigKeySealsTheNoTierBackupAndPruneAndRestoreReadIt) {
  auto config = [&](const std::string& name, bool with_key) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << "[db]\nconninfo = \"" << src_.conninfo()
                        << "\"\ntable = \"t\"\nchunk_size = 50\n"
                        << (with_key ? "encrypt_key_file = \"" + key_ + "\"\n" : "")
                        << "[[db.destination]]\nurl = \"" << dest_
                        << "\"\n[retention]\nkeep_last = 1\n[logging]\ndir = \"" << dir_
                        << "/logs\"\n";
    return path;
  };
  const std::string keyed = config("keyed.toml", true), plain = config("plain.toml", false);
  // A key file that cannot be read stops the run before any tier starts (usage, exit 2).
  RunResult missing = RunDredge(
      {"--config", plain, "backup", "--encrypt-key-file", dir_ + "/no-such-key", "--json"});
  EXPECT_EQ(missing.code, 2) << missing.err;
  EXPECT_FALSE(fs::exists(dir_ + "/store")) << "a tier ran although the key could not be read";
  ASSERT_EQ(RunDredge({"--config", keyed, "backup"}).code, 0);
  src_.Exec("UPDATE t SET body = body || '?' WHERE id <= 60");
  RunResult b = RunDredge({"--config", keyed, "backup"});
  ASSERT_EQ(b.code, 0) << b.err;
  auto chunks = FilesUnder(dir_ + "/store", "/chunk_");
  ASSERT_GE(chunks.size(), 8u);
  for (const auto& c : chunks)
    EXPECT_EQ(ReadAll(c).rfind("DRGE\x01\x01", 0), 0u) << c << " is not sealed";

  RunResult no_key = RunDredge({"--config", plain, "prune", "--json"});
  EXPECT_EQ(no_key.code, 4) << no_key.err;
  EXPECT_EQ(FilesUnder(dir_ + "/store", "/chunk_").size(), chunks.size());

  RunResult pr = RunDredge({"--config", keyed, "prune", "--json"});
  ASSERT_EQ(pr.code, 0) << pr.err;
  auto j = nlohmann::json::parse(pr.out);
  EXPECT_EQ(j["db"]["manifests_kept"], 1);
  EXPECT_GE(j["db"]["chunks_removed"].get<int>(), 1) << "ids 1-50 were all rewritten";

  // verify db finds the key in the config too; without it the sealed chunks fail (exit 4).
  RunResult v = RunDredge({"--config", keyed, "verify", "db", "--dest", dest_});
  EXPECT_EQ(v.code, 0) << v.err;
  RunResult v_plain = RunDredge({"--config", plain, "verify", "db", "--dest", dest_});
  EXPECT_EQ(v_plain.code, 4) << v_plain.err;

  TestDb dst("enc_cfg");
  RunResult r = RunDredge({"--config", keyed, "restore", "--db", dst.conninfo()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(dst.Dump("t"), src_.Dump("t"));
}

TEST_F(DbEncryption, ABadKeyFileIsAUsageError) {
  std::ofstream(dir_ + "/short") << "abc";
  RunResult b = Backup({"--encrypt-key-file", dir_ + "/short"});
  EXPECT_EQ(b.code, 2) << b.err;
  EXPECT_NE(b.err.find("32 bytes"), std::string::npos) << b.err;
  RunResult m = Backup({"--encrypt-key-file", dir_ + "/missing"});
  EXPECT_EQ(m.code, 2) << m.err;
}

}  // namespace
}  // namespace dredge::testing
