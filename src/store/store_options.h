// Options for opening a store from a URL. Everything here may come from flags, DREDGE_*/AWS_*
// environment variables or dredge.toml; credentials are never part of it (drivers read them
// from the environment / ~/.aws files themselves and register them with log::RegisterSecret).
#pragma once

#include <cstdint>
#include <string>

namespace dredge {

// `object_lock = { mode, retain }` of a destination, as given (dredge.toml or the
// --object-lock-mode/--object-lock-retain flags).
struct ObjectLockSettings {
  std::string mode;    // "", "GOVERNANCE" or "COMPLIANCE"
  std::string retain;  // "", or a duration ("30d", "90s")
  bool enabled() const { return !mode.empty() || !retain.empty(); }
};

struct StoreOptions {
  std::string endpoint_url;    // s3: --endpoint-url / AWS_ENDPOINT_URL; empty = AWS
  std::string region;          // s3: --region / AWS_REGION / AWS_DEFAULT_REGION; us-east-1
  std::string profile;         // s3: AWS_PROFILE for ~/.aws/credentials
  std::string sse;             // s3: "", "AES256" or "aws:kms"
  std::string sse_kms_key_id;  // s3: with sse=aws:kms
  std::string storage_class;   // s3: STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING
  std::string ca_bundle;       // s3: --ca-bundle / AWS_CA_BUNDLE
  bool force_path_style = false;
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;
  int max_connections = 32;
  // Object Lock for the destination (docs/object-lock.md): both empty = off. Checked by
  // CheckObjectLock (store/object_lock.h) when the destination is opened.
  ObjectLockSettings object_lock;
};

// One option a store driver takes (store/registry.h lists each driver's rows): a key of a
// [[files.destination]] / [[db.destination]] entry in dredge.toml and the flag that overrides it
// on every command that opens a destination. Pure data: config/ reads and shows the rows,
// cli/ turns them into flags, the driver reads the StoreOptions field.
struct StoreOptionSpec {
  const char* key;      // the destination key: "region"
  const char* flag;     // the flag: "--region"
  const char* env;      // what the driver falls back to when unset ("AWS_REGION"), "" = nothing
  const char* type;     // what a value looks like: "string", "boolean"
  const char* help;     // what it does, without the default
  const char* example;  // a sample value as TOML, shown commented out in dredge.example.toml
  const char* choices;  // the values allowed, "|"-separated ("AES256|aws:kms"); "" = any
  std::string StoreOptions::*text;  // the field of a string option (else nullptr)
  bool StoreOptions::*on;           // the field of a boolean option (else nullptr)
};

}  // namespace dredge
