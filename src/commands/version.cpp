#include "commands/version.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>
#include <zstd.h>

#include <cstdio>

#include "cli/build_info.h"
#include "cli/output.h"

namespace dredge {

Runner SetupVersion(CLI::App&, const GlobalOptions&) {
  return []() {
    PrintTextF("%s\n", VersionText().c_str());
    PrintTextF("libcurl %s, %s, libpq %d, sqlite %s, zstd %s\n",
               curl_version_info(CURLVERSION_NOW)->version, OPENSSL_VERSION_TEXT, PQlibVersion(),
               sqlite3_libversion(), ZSTD_versionString());
    return Status::Ok();
  };
}

}  // namespace dredge
