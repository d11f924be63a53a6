// Catch2 v2's main, for hosts whose Catch2 is a header copy without the prebuilt
// Catch2WithMain library (the lent GPU machines; see cmake/deps.cmake).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
