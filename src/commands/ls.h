// `dredge ls [SNAPSHOT] [GLOB]... [--long] [--json] [--dest URL] [--as-of TIME]`: the files of
// one snapshot (default: the newest; any selector of engine/files/snapshot_select.h), read from
// the snapshot record alone and printed as they are parsed. GLOBs (engine/files/glob.h rules)
// limit the paths. The first argument is taken as the snapshot when it looks like one ("latest",
// "snapshot_…", or digits, '_' and hex letters only, as a stamp prefix); otherwise every
// argument is a glob.
//   --long   adds size, mtime (UTC), MD5 and where the bytes are: "content" when the
//            content-addressed copy .dredge/content/<md5> exists (one listing of that prefix),
//            else "path" (the object at the file's own key).
//   --json   one JSON object per file and line: path (or path_b64), size, mtime_ns, md5,
//            location (the key).
// `--tier db [MANIFEST]`: the chunks of one manifest (default: the newest): number, rows, bytes,
// key range; --long adds sha256 and the compression; --json one object per chunk.
// Without --dest: the first configured destination of the tier. Exit 1 when nothing is there.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupLs(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
