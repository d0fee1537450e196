// Reads chunks written by the original StoryDredge script (docs/formats/chunk.md, "Legacy
// chunks"): a bare JSON array of flat objects, Python-style, possibly with the bare tokens
// NaN, Infinity and -Infinity that strict JSON forbids. Read only; dredge never writes them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace dredge {

// One legacy row: (member name, value in COPY text form, NULL as \N), in document order.
using LegacyRow = std::vector<std::pair<std::string, std::string>>;

// Rewrites the bare tokens NaN, Infinity, -Infinity outside strings into the strings "NaN",
// "Infinity", "-Infinity" (which PostgreSQL's float input reads as the same values).
std::string QuoteNonFiniteTokens(std::string_view text);

// True when the text's first non-blank character is '[' (a legacy chunk, not a dredge one).
bool LooksLikeLegacyChunk(std::string_view text);

// Parses a legacy chunk. Nested arrays/objects become their JSON text (for json columns).
// Corrupt naming the problem when it is not an array of objects.
Result<std::vector<LegacyRow>> DecodeLegacyChunk(std::string_view text);

}  // namespace dredge
