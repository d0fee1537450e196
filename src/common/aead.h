// Client-side encryption of whole objects with AES-256-GCM (OpenSSL EVP), in the envelope
// specified in docs/formats/encryption.md (version 1):
//   "DRGE" | version 0x01 | algorithm 0x01 | key id (8 bytes) | nonce (12 bytes)
//   | ciphertext (same length as the plaintext) | tag (16 bytes)
// The 26-byte header is the additional authenticated data, so it cannot be altered either.
//
// Contract:
//  - Seal draws a fresh random 96-bit nonce from the OS CSPRNG (RAND_bytes) for every call;
//    the same key may seal up to 2^32 objects before nonce collisions become a concern.
//  - Open returns the plaintext only when the tag verifies: a wrong key is Corrupt naming both
//    key ids, a tampered or truncated envelope is Corrupt ("authentication failed"); no
//    unauthenticated byte is ever returned.
//  - LoadEncryptionKey reads a key file holding exactly 32 bytes, written raw (32 bytes), as 64
//    hex digits, or as base64 (44 characters), with optional surrounding whitespace. The key
//    (in all three spellings) is registered with the log scrubber.
//  - The key id is the first 16 hex digits of sha256(key): it names the key in manifests and
//    messages without revealing it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 12;
inline constexpr size_t kAeadTagBytes = 16;
inline constexpr size_t kAeadHeaderBytes = 4 + 1 + 1 + 8 + kAeadNonceBytes;
inline constexpr size_t kAeadOverheadBytes = kAeadHeaderBytes + kAeadTagBytes;

struct EncryptionKey {
  std::array<uint8_t, kAeadKeyBytes> bytes{};
  std::string id;  // 16 lower-case hex digits of sha256(bytes)
};

// Builds a key from its 32 raw bytes (computes the id; does not register it).
EncryptionKey MakeEncryptionKey(std::string_view raw32);

// Reads and decodes a key file (see the contract). Usage error naming the file when it cannot be
// read or does not hold 32 bytes in one of the three spellings.
Result<EncryptionKey> LoadEncryptionKey(const std::string& path);

// True when `bytes` starts with the envelope's magic and version (an encrypted object).
bool LooksEncrypted(std::string_view bytes);

// The key id recorded in an envelope's header (16 hex digits), or "" when it is not one.
std::string EnvelopeKeyId(std::string_view envelope);

// Encrypts `plaintext` into a new envelope with a fresh nonce.
Result<std::string> Seal(const EncryptionKey& key, std::string_view plaintext);

// Authenticates and decrypts an envelope. `what` names the object in messages.
Result<std::string> Open(const EncryptionKey& key, std::string_view envelope,
                         const std::string& what);

// Keys restore and verify may open chunks with (the --encrypt-key-file of the command).
// Thread-safe; registering also registers the key with the log scrubber's id-free spellings
// (LoadEncryptionKey already did).
void RegisterDecryptionKey(const EncryptionKey& key);

// Opens the sealed object `object_key` that its manifest says was sealed with `key_id`, with the
// registered key of that id. Corrupt when no such key was given (naming the id and the flag) or
// when authentication fails.
Result<std::string> OpenChunk(const std::string& object_key, const std::string& key_id,
                              std::string_view envelope);

// The raw primitive (exposed for known-answer tests): AES-256-GCM with a 96-bit IV.
// Returns ciphertext followed by the 16-byte tag.
Result<std::string> Aes256GcmEncrypt(std::string_view key, std::string_view iv,
                                     std::string_view aad, std::string_view plaintext);
// `sealed` is ciphertext followed by the tag; Corrupt when the tag does not verify.
Result<std::string> Aes256GcmDecrypt(std::string_view key, std::string_view iv,
                                     std::string_view aad, std::string_view sealed);

}  // namespace dredge
