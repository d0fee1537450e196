#include "s3_test_env.h"
