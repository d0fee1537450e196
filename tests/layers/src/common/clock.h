#pragma once
#include "store/sink.h"
