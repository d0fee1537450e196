// The option rows of the store drivers (StoreOptionSpec, store/store_options.h): the
// dredge.toml destination keys and flags each driver takes. Data only, apart from the drivers'
// code, so that config/ (which reads destination entries through the rows) and the fuzz build
// of the config parser need not link the drivers; store/registry.cpp names each driver's rows
// in its DriverSpec line.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_options.h"

namespace dredge {

// s3:// (store/s3/s3_store.h, docs/s3.md).
std::span<const StoreOptionSpec> S3Options();

// The option rows of the driver that opens `url` (its scheme before "://"; a plain path is
// file://): s3:// takes S3Options(), file://, ro+file:// and memory:// take none, and an unknown
// scheme none either (opening it fails with the list of schemes). store/registry.cpp names the
// same rows in each DriverSpec (a test checks that they agree).
std::span<const StoreOptionSpec> OptionsOfUrl(std::string_view url);
std::span<const StoreOptionSpec> OptionsOfScheme(std::string_view scheme);
// The schemes whose drivers take the option `key` ("s3://"), for messages.
std::string SchemesTaking(std::string_view key);

// Every option row of every driver, once per key (drivers may share a key).
std::vector<const StoreOptionSpec*> AllStoreOptions();

// The row's allowed values ("AES256|aws:kms" → {"AES256", "aws:kms"}); empty = any value.
std::vector<std::string> ChoicesOf(const StoreOptionSpec& o);

}  // namespace dredge
