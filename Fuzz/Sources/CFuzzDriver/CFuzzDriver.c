// Only the declaration in include/CFuzzDriver.h is needed; libFuzzer (-sanitize=fuzzer) provides the definition.
#include "CFuzzDriver.h"
