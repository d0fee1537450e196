#pragma once
#include "common/clock.h"
