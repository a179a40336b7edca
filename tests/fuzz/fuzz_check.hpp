// FUZZ_CHECK: the fuzz targets' invariant check. A failed check prints what was expected and
// aborts, so libFuzzer records the input as a crash (the build keeps asserts out of it: targets
// are compiled like the libraries, and a check must hold in every build type).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)
