// Sizes and rates as people write them: "512k", "20M", "1.5G", "4096". Suffixes are binary
// (k = 1024, M = 1024², G = 1024³, T = 1024⁴), case-insensitive, optionally followed by "B" or
// "iB" ("20MiB", "20MB" mean the same); rates may end in "/s". This matches rclone's --bwlimit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge {

// Bytes; Usage naming `what` and the text on anything else (negative, empty, unknown suffix,
// overflow).
Result<uint64_t> ParseByteSize(std::string_view text, std::string_view what);

// Bytes per second; "0", "off" and "" mean unlimited (0).
Result<uint64_t> ParseByteRate(std::string_view text, std::string_view what);

// "20.0 MiB", "512 KiB", "17 B": for messages and status tables.
std::string FormatBytes(uint64_t bytes);

}  // namespace dredge
