// Streaming MD5 and SHA-256 (OpenSSL EVP). MD5 is what S3 ETags and Content-MD5 use; SHA-256
// is what our own records (chunks, manifests) use for integrity.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge {

enum class HashAlgo { kMd5, kSha256 };

class Hasher {
 public:
  explicit Hasher(HashAlgo algo);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(std::string_view data);
  void Update(const void* data, size_t n);
  // Raw digest bytes (16 for MD5, 32 for SHA-256). The hasher is reset afterwards.
  std::string FinishRaw();
  // Lower-case hex digest. The hasher is reset afterwards.
  std::string FinishHex();

 private:
  HashAlgo algo_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Md5Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string Sha256Raw(std::string_view data);
std::string HmacSha256Raw(std::string_view key, std::string_view data);

std::string ToHex(std::string_view raw);
// Returns the raw bytes or InvalidArgument for odd length / non-hex characters.
Result<std::string> FromHex(std::string_view hex);
std::string Base64Encode(std::string_view raw);
Result<std::string> Base64Decode(std::string_view text);

// Hashes a whole local file, streamed with a bounded buffer.
Result<std::string> Md5HexOfFile(const std::string& path);

}  // namespace dredge
