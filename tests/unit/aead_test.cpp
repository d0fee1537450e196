// AES-256-GCM and the DRGE envelope (docs/formats/encryption.md): known-answer vectors from the
// GCM specification (McGrew & Viega, test cases 13, 14 and 16, as used by NIST CAVP), round
// trips, fresh nonces, and that every kind of damage or a wrong key is Corrupt.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "common/aead.h"
#include "common/log.h"

namespace dredge {
namespace {

std::string Unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

struct Vector {
  const char* key;
  const char* iv;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

const Vector kVectors[] = {
    // Test case 13: empty plaintext.
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    // Test case 14: one zero block.
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    // Test case 16: with additional data, plaintext not a multiple of the block size.
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
     "49a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
     "56828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(Aead, KnownAnswerVectorsEncrypt) {
  for (const auto& v : kVectors) {
    auto out = Aes256GcmEncrypt(Unhex(v.key), Unhex(v.iv), Unhex(v.aad), Unhex(v.plaintext));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(Hex(*out), std::string(v.ciphertext) + v.tag);
  }
}

TEST(Aead, KnownAnswerVectorsDecryptAndRejectAFlippedTagBit) {
  for (const auto& v : kVectors) {
    std::string sealed = Unhex(v.ciphertext) + Unhex(v.tag);
    auto plain = Aes256GcmDecrypt(Unhex(v.key), Unhex(v.iv), Unhex(v.aad), sealed);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(Hex(*plain), v.plaintext);
    sealed.back() ^= 1;
    auto bad = Aes256GcmDecrypt(Unhex(v.key), Unhex(v.iv), Unhex(v.aad), sealed);
    EXPECT_TRUE(bad.status().Is(ErrorKind::kCorrupt));
    std::string aad = Unhex(v.aad) + "x";
    EXPECT_TRUE(Aes256GcmDecrypt(Unhex(v.key), Unhex(v.iv), aad, sealed.substr(0))
                    .status()
                    .Is(ErrorKind::kCorrupt));
  }
}

EncryptionKey TestKey(char fill) {
  return MakeEncryptionKey(std::string(32, fill));
}

TEST(Aead, KeyIdIsTheFirst16HexOfSha256) {
  // sha256 of 32 zero bytes = 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925
  EXPECT_EQ(TestKey('\0').id, "66687aadf862bd77");
}

TEST(Aead, EnvelopeRoundTripsWithAFreshNonceEachTime) {
  EncryptionKey k = TestKey('k');
  std::set<std::string> seen;
  for (std::string plain : {std::string(), std::string("x"), std::string(100000, 'z')}) {
    auto env = Seal(k, plain);
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    EXPECT_EQ(env->size(), plain.size() + kAeadOverheadBytes);
    EXPECT_TRUE(LooksEncrypted(*env));
    EXPECT_EQ(env->substr(0, 6), std::string("DRGE\x01\x01", 6));
    EXPECT_EQ(EnvelopeKeyId(*env), k.id);
    EXPECT_TRUE(seen.insert(env->substr(14, 12)).second) << "nonce reused";
    auto back = Open(k, *env, "chunk c");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, plain);
  }
  auto a = Seal(k, "same"), b = Seal(k, "same");
  EXPECT_NE(*a, *b) << "two seals of the same text must differ (random nonce)";
}

TEST(Aead, AnyFlippedByteOrTruncationIsCorrupt) {
  EncryptionKey k = TestKey('k');
  std::string env = *Seal(k, "the quick brown fox");
  for (size_t i = 0; i < env.size(); ++i) {
    std::string bad = env;
    bad[i] ^= 0x20;
    auto r = Open(k, bad, "chunk c");
    EXPECT_TRUE(r.status().Is(ErrorKind::kCorrupt)) << "byte " << i;
    EXPECT_NE(r.status().message().find("chunk c"), std::string::npos) << r.status().message();
  }
  for (size_t n : {size_t{0}, size_t{5}, kAeadHeaderBytes, env.size() - 1})
    EXPECT_TRUE(Open(k, env.substr(0, n), "c").status().Is(ErrorKind::kCorrupt)) << n;
  EXPECT_TRUE(Open(k, env + "x", "c").status().Is(ErrorKind::kCorrupt));
}

TEST(Aead, AWrongKeyIsCorruptNamingBothKeyIds) {
  EncryptionKey k = TestKey('k'), other = TestKey('o');
  auto r = Open(other, *Seal(k, "secret rows"), "chunk 7");
  ASSERT_TRUE(r.status().Is(ErrorKind::kCorrupt));
  EXPECT_NE(r.status().message().find(k.id), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(other.id), std::string::npos);
  // Same id but other bytes (a forged header) still fails authentication.
  EncryptionKey forged = other;
  forged.id = k.id;
  EXPECT_TRUE(Open(forged, *Seal(k, "rows"), "c").status().Is(ErrorKind::kCorrupt));
}

class KeyFile : public ::testing::Test {
 protected:
  std::string Write(const std::string& bytes) {
    std::string p = ::testing::TempDir() + "/dredge-key-" + std::to_string(getpid()) + "-" +
                    std::to_string(n_++);
    std::ofstream(p, std::ios::binary) << bytes;
    paths_.push_back(p);
    return p;
  }
  void TearDown() override {
    for (const auto& p : paths_) std::remove(p.c_str());
  }
  std::vector<std::string> paths_;
  int n_ = 0;
};

TEST_F(KeyFile, RawHexAndBase64SpellTheSameKey) {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw.push_back(static_cast<char>(i * 7 + 1));
  const std::string hex = Hex(raw);
  // base64 of bytes 1, 8, 15, ... (i * 7 + 1)
  const std::string b64 = "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=";
  auto a = LoadEncryptionKey(Write(raw));
  auto b = LoadEncryptionKey(Write(hex + "\n"));
  auto c = LoadEncryptionKey(Write("  " + b64 + "\n"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_EQ(a->bytes, c->bytes);
  EXPECT_EQ(a->id, MakeEncryptionKey(raw).id);
  // Registered with the scrubber in every spelling.
  EXPECT_EQ(log::Scrub("k=" + hex), "k=***");
  EXPECT_EQ(log::Scrub("k=" + b64), "k=***");
}

TEST_F(KeyFile, WrongLengthsAndMissingFilesAreUsageErrors) {
  EXPECT_TRUE(LoadEncryptionKey(Write(std::string(31, 'a'))).status().Is(ErrorKind::kUsage));
  EXPECT_TRUE(LoadEncryptionKey(Write(std::string(64, 'g'))).status().Is(ErrorKind::kUsage));
  EXPECT_TRUE(LoadEncryptionKey(Write(std::string(62, 'a'))).status().Is(ErrorKind::kUsage));
  EXPECT_TRUE(LoadEncryptionKey(Write("AAAA")).status().Is(ErrorKind::kUsage));
  auto missing = LoadEncryptionKey("/nonexistent/dredge.key");
  ASSERT_TRUE(missing.status().Is(ErrorKind::kUsage));
  EXPECT_NE(missing.status().message().find("/nonexistent/dredge.key"), std::string::npos);
}

}  // namespace
}  // namespace dredge
