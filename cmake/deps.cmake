# Third-party dependencies. On the development machines and in CI they are Debian packages; the
# lent GPU machines have none of them (no apt), so:
#  - header-only ones (nlohmann_json, Catch2 v2, CLI11) fall back to copies in TNN_VENDOR_DIR,
#    which ci/stage-gpu-deps.sh fills from the Debian paths (git-ignored, never committed);
#  - oneDNN and Google Benchmark are optional: without them the CPU baselines and the CPU
#    benchmarks are skipped (TNN_HAVE_ONEDNN / TNN_HAVE_BENCHMARK say which).
set(TNN_VENDOR_DIR "" CACHE PATH "Folder with vendored header-only deps: include/ and cmake/")
if(TNN_VENDOR_DIR)
  list(APPEND CMAKE_MODULE_PATH "${TNN_VENDOR_DIR}/cmake")  # Catch.cmake, CatchAddTests.cmake
endif()

# An INTERFACE target for a header found under TNN_VENDOR_DIR/include, or a clear error.
function(tnn_vendored_header target header package)
  find_path(_dir ${header} PATHS "${TNN_VENDOR_DIR}/include" NO_DEFAULT_PATH)
  if(NOT _dir)
    message(FATAL_ERROR "${package} not found: install it (ci/install-deps.sh) or pass "
                        "-DTNN_VENDOR_DIR=<folder with include/${header}> (ci/stage-gpu-deps.sh)")
  endif()
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_dir}")
  message(STATUS "${package}: header copy in ${_dir}")
  unset(_dir CACHE)
endfunction()

find_package(nlohmann_json 3 QUIET)
if(NOT nlohmann_json_FOUND)
  tnn_vendored_header(nlohmann_json::nlohmann_json nlohmann/json.hpp nlohmann_json)
endif()

if(TNN_BUILD_TESTS)
  find_package(Catch2 2 QUIET)
  if(NOT Catch2_FOUND)
    tnn_vendored_header(Catch2::Catch2 catch2/catch.hpp Catch2)
  endif()
  if(NOT TARGET Catch2::Catch2WithMain)
    # No prebuilt main (vendored headers): compile one (~20 s, once).
    add_library(tnn_catch2_main STATIC ${CMAKE_CURRENT_LIST_DIR}/../tests/support/catch2_main.cpp)
    target_link_libraries(tnn_catch2_main PUBLIC Catch2::Catch2)
    add_library(Catch2::Catch2WithMain ALIAS tnn_catch2_main)
  endif()
endif()

find_package(dnnl QUIET)               # oneDNN 2.6 (Debian libdnnl-dev; needs ocl-icd-opencl-dev)
set(TNN_HAVE_ONEDNN ${dnnl_FOUND})
find_package(benchmark QUIET)
set(TNN_HAVE_BENCHMARK ${benchmark_FOUND})
if(NOT TNN_HAVE_ONEDNN)
  message(STATUS "oneDNN not found: CPU baselines (onednn_*) skipped")
endif()
if(NOT TNN_HAVE_BENCHMARK)
  message(STATUS "Google Benchmark not found: CPU kernel benchmarks skipped")
endif()

if(TNN_BUILD_TRAINING)
  find_package(CLI11 QUIET)
  if(NOT CLI11_FOUND)
    tnn_vendored_header(CLI11::CLI11 CLI/CLI.hpp CLI11)
  endif()
endif()
