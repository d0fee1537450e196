// A fixture for ctest comment_paths.rejects_missing: this comment names common/clock.h, which
// exists, and common/gone.h, which does not (the test expects exactly that one).
#pragma once
