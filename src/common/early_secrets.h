// Registers with the log scrubber the secrets dredge can know of before it parses its command
// line: the credential environment variables (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// PGPASSWORD) and a password inside any argument that reads as a libpq
// connection string (key=value or URI). Call it first in main: a usage error (CLI11 echoes the
// offending value) or any other early message then cannot show them. Drivers still register
// what they read later (profiles, config files, key files).
#pragma once

namespace dredge {

void RegisterEarlySecrets(int argc, char** argv);

}  // namespace dredge
