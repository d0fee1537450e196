#include "common/aead.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "common/hash.h"
#include "common/log.h"

namespace dredge {
namespace {

constexpr char kMagic[4] = {'D', 'R', 'G', 'E'};
constexpr uint8_t kVersion = 1;
constexpr uint8_t kAlgAes256Gcm = 1;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string HexOf(std::string_view raw) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

bool DecodeHex(std::string_view text, std::string* out) {
  if (text.size() % 2) return false;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < text.size(); i += 2) {
    int h = val(text[i]), l = val(text[i + 1]);
    if (h < 0 || l < 0) return false;
    out->push_back(static_cast<char>(h * 16 + l));
  }
  return true;
}

bool DecodeBase64(std::string_view text, std::string* out) {
  if (text.empty() || text.size() % 4) return false;
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=')
      return false;
  std::string buf(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()), U(text),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  buf.resize(static_cast<size_t>(n) - pad);
  *out = std::move(buf);
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

EncryptionKey MakeEncryptionKey(std::string_view raw32) {
  EncryptionKey k;
  std::memcpy(k.bytes.data(), raw32.data(), std::min(raw32.size(), k.bytes.size()));
  k.id = Sha256Hex(std::string_view(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()))
             .substr(0, 16);
  return k;
}

Result<EncryptionKey> LoadEncryptionKey(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::Usage("cannot read the encryption key file '" + path +
                         "': check --encrypt-key-file / DREDGE_ENCRYPT_KEY_FILE");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::string raw;
  std::string_view t = Trim(text);
  if (text.size() == kAeadKeyBytes) {
    raw = text;  // raw bytes may look like whitespace at the edges: take them as they are
  } else if (t.size() == 2 * kAeadKeyBytes && DecodeHex(t, &raw)) {
  } else if (!DecodeBase64(t, &raw) || raw.size() != kAeadKeyBytes) {
    return Status::Usage("the encryption key file '" + path +
                         "' must hold 32 bytes: raw, as 64 hex digits or as base64 (create one "
                         "with: head -c 32 /dev/urandom > key; chmod 600 key)");
  }
  log::RegisterSecret(raw);
  log::RegisterSecret(HexOf(raw));
  if (t.size() != 2 * kAeadKeyBytes) log::RegisterSecret(t);
  return MakeEncryptionKey(raw);
}

bool LooksEncrypted(std::string_view b) {
  return b.size() >= 5 && std::memcmp(b.data(), kMagic, 4) == 0 &&
         static_cast<uint8_t>(b[4]) == kVersion;
}

std::string EnvelopeKeyId(std::string_view e) {
  if (!LooksEncrypted(e) || e.size() < kAeadHeaderBytes) return "";
  return HexOf(e.substr(6, 8));
}

namespace {

// Encrypts into `o` (plaintext.size() + tag bytes), so Seal can write straight after its header
// instead of copying a chunk-sized buffer once more.
Status GcmEncryptInto(std::string_view key, std::string_view iv, std::string_view aad,
                      std::string_view plaintext, unsigned char* o) {
  if (key.size() != kAeadKeyBytes || iv.size() != kAeadNonceBytes)
    return Status::InvalidArgument("AES-256-GCM needs a 32-byte key and a 12-byte IV");
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Io("cannot allocate an OpenSSL cipher context");
  int len = 0, total = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                                static_cast<int>(kAeadNonceBytes), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(iv)) == 1;
  if (ok && !aad.empty())
    ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1;
  // EVP takes int lengths: feed large bodies in slices.
  for (size_t off = 0; ok && off < plaintext.size(); off += 1u << 30) {
    size_t n = std::min<size_t>(plaintext.size() - off, 1u << 30);
    ok =
        EVP_EncryptUpdate(ctx.get(), o + total, &len, U(plaintext) + off, static_cast<int>(n)) == 1;
    total += len;
  }
  if (ok) ok = EVP_EncryptFinal_ex(ctx.get(), o + total, &len) == 1;
  if (ok)
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagBytes),
                             o + plaintext.size()) == 1;
  if (!ok) return Status::Io("AES-256-GCM encryption failed (OpenSSL)");
  return Status::Ok();
}

}  // namespace

Result<std::string> Aes256GcmEncrypt(std::string_view key, std::string_view iv,
                                     std::string_view aad, std::string_view plaintext) {
  std::string out(plaintext.size() + kAeadTagBytes, '\0');
  DREDGE_RETURN_IF_ERROR(
      GcmEncryptInto(key, iv, aad, plaintext, reinterpret_cast<unsigned char*>(out.data())));
  return out;
}

Result<std::string> Aes256GcmDecrypt(std::string_view key, std::string_view iv,
                                     std::string_view aad, std::string_view sealed) {
  if (key.size() != kAeadKeyBytes || iv.size() != kAeadNonceBytes)
    return Status::InvalidArgument("AES-256-GCM needs a 32-byte key and a 12-byte IV");
  if (sealed.size() < kAeadTagBytes) return Status::Corrupt("ciphertext shorter than its tag");
  std::string_view body = sealed.substr(0, sealed.size() - kAeadTagBytes);
  std::string tag(sealed.substr(body.size()));
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Io("cannot allocate an OpenSSL cipher context");
  std::string out(body.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, total = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                                static_cast<int>(kAeadNonceBytes), nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(iv)) == 1;
  if (ok && !aad.empty())
    ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1;
  for (size_t off = 0; ok && off < body.size(); off += 1u << 30) {
    size_t n = std::min<size_t>(body.size() - off, 1u << 30);
    ok = EVP_DecryptUpdate(ctx.get(), o + total, &len, U(body) + off, static_cast<int>(n)) == 1;
    total += len;
  }
  if (!ok) return Status::Io("AES-256-GCM decryption failed (OpenSSL)");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagBytes),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), o + total, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());  // never hand out unauthenticated plaintext
    return Status::Corrupt("authentication failed");
  }
  return out;
}

Result<std::string> Seal(const EncryptionKey& key, std::string_view plaintext) {
  std::string header(kMagic, 4);
  header.push_back(static_cast<char>(kVersion));
  header.push_back(static_cast<char>(kAlgAes256Gcm));
  std::string id_raw;
  if (!DecodeHex(key.id, &id_raw) || id_raw.size() != 8)
    return Status::InvalidArgument("encryption key without a valid id");
  header += id_raw;
  std::string nonce(kAeadNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) !=
      1)
    return Status::Io("the system random generator failed: cannot draw a nonce");
  header += nonce;
  std::string_view k(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
  std::string out = header;
  out.resize(kAeadHeaderBytes + plaintext.size() + kAeadTagBytes);
  DREDGE_RETURN_IF_ERROR(
      GcmEncryptInto(k, nonce, out.substr(0, kAeadHeaderBytes), plaintext,
                     reinterpret_cast<unsigned char*>(out.data()) + kAeadHeaderBytes));
  return out;
}

namespace {

std::mutex& RingMutex() {
  static std::mutex mu;
  return mu;
}
std::vector<EncryptionKey>& Ring() {
  static auto* ring = new std::vector<EncryptionKey>;
  return *ring;
}

}  // namespace

void RegisterDecryptionKey(const EncryptionKey& key) {
  std::lock_guard lock(RingMutex());
  for (const auto& k : Ring())
    if (k.id == key.id) return;
  Ring().push_back(key);
}

Result<std::string> OpenChunk(const std::string& object_key, const std::string& key_id,
                              std::string_view envelope) {
  std::optional<EncryptionKey> key;
  std::string given;
  {
    std::lock_guard lock(RingMutex());
    for (const auto& k : Ring()) {
      if (k.id == key_id) key = k;
      given += (given.empty() ? "" : ", ") + k.id;
    }
  }
  if (!key) {
    if (given.empty())
      return Status::Corrupt("chunk " + object_key + " is encrypted (key " + key_id +
                             "): give the key file with --encrypt-key-file or "
                             "DREDGE_ENCRYPT_KEY_FILE");
    return Status::Corrupt("chunk " + object_key + " is encrypted with key " + key_id +
                           ", but the key file given is key " + given +
                           ": give the key file used for the backup");
  }
  return Open(*key, envelope, "chunk " + object_key);
}

Result<std::string> Open(const EncryptionKey& key, std::string_view env, const std::string& what) {
  if (!LooksEncrypted(env))
    return Status::Corrupt(what + " is not an encrypted object (no DRGE v1 envelope)");
  if (env.size() < kAeadOverheadBytes)
    return Status::Corrupt(what + " is truncated: " + std::to_string(env.size()) +
                           " bytes, shorter than the encryption envelope");
  if (static_cast<uint8_t>(env[5]) != kAlgAes256Gcm)
    return Status::Corrupt(what + " uses unknown encryption algorithm " +
                           std::to_string(static_cast<uint8_t>(env[5])));
  std::string stored_id = EnvelopeKeyId(env);
  if (stored_id != key.id)
    return Status::Corrupt(what + " was encrypted with key " + stored_id + ", not with key " +
                           key.id + " from the key file: give the key file used for the backup");
  std::string_view header = env.substr(0, kAeadHeaderBytes);
  std::string_view nonce = header.substr(kAeadHeaderBytes - kAeadNonceBytes);
  std::string_view k(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
  auto plain = Aes256GcmDecrypt(k, nonce, header, env.substr(kAeadHeaderBytes));
  if (!plain.ok() && plain.status().Is(ErrorKind::kCorrupt))
    return Status::Corrupt(what + ": decryption failed authentication (key " + key.id +
                           "): the object was altered or damaged");
  return plain;
}

}  // namespace dredge
