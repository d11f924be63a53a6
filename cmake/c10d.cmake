# torch c10d for data-parallel training. lib/dist/c10d.cpp is the only file that includes c10d
# headers; it gets these settings alone:
#  - Gloo's headers (<gloo/...>): Debian's LibTorch 1.13 needs libgloo-dev (ci/install-deps.sh);
#  - USE_DISTRIBUTED / USE_C10D_GLOO (/ USE_C10D_NCCL): the c10d headers hide the process groups
#    behind these macros and LibTorch's CMake config does not set them;
#  - NCCL (nccl.h) only for CUDA builds of LibTorch (pip's, on the GPU machines).
# LibTorch 2.x is test-compiled first (its c10d C++ API has moved before and no machine here has
# it): if c10d.cpp does not compile, the build goes on without distributed training and says so.
# Sets TNN_C10D_DEFINITIONS and TNN_C10D_INCLUDES (empty lists when c10d is not available).
set(TNN_C10D_DEFINITIONS "")
set(TNN_C10D_INCLUDES "")
option(TNN_ENABLE_C10D "Build data-parallel training on torch c10d when its headers are found" ON)
if(NOT TNN_ENABLE_C10D)
  message(STATUS "c10d: disabled (TNN_ENABLE_C10D=OFF): single-process training only")
  return()
endif()

find_path(TNN_C10D_HEADERS torch/csrc/distributed/c10d/ProcessGroupGloo.hpp HINTS ${TORCH_INCLUDE_DIRS})
find_path(TNN_GLOO_INCLUDE gloo/rendezvous/store.h HINTS ${TORCH_INCLUDE_DIRS})
if(NOT TNN_C10D_HEADERS OR NOT TNN_GLOO_INCLUDE)
  message(STATUS "c10d: no ProcessGroupGloo.hpp or gloo headers (Debian: libgloo-dev): single-process training only")
  return()
endif()
set(_defs USE_DISTRIBUTED USE_C10D_GLOO TNN_HAVE_C10D)
set(_incs ${TNN_GLOO_INCLUDE})
set(_check_incs "")  # what only the test compile needs (the real build has them from torch)

# NCCL: LibTorch built with CUDA (its torch_cuda library) and nccl.h (CUDA toolkit, NCCL_ROOT, or
# pip's nvidia-nccl wheel next to pip's torch).
set(_torch_cuda FALSE)
foreach(_lib ${TORCH_LIBRARIES})
  if(_lib MATCHES "torch_cuda")
    set(_torch_cuda TRUE)
  endif()
endforeach()
if(_torch_cuda OR TARGET torch_cuda)
  execute_process(COMMAND python3 -c "import nvidia.nccl as m; print(m.__path__[0])"
                  OUTPUT_VARIABLE _pip_nccl OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  find_path(TNN_NCCL_INCLUDE nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} $ENV{NCCL_ROOT}/include ${_pip_nccl}/include)
  if(TNN_NCCL_INCLUDE)
    list(APPEND _defs USE_C10D_NCCL TNN_HAVE_NCCL)
    list(APPEND _incs ${TNN_NCCL_INCLUDE})
    # ProcessGroupNCCL.hpp includes the CUDA runtime's headers (cuda_runtime.h via CUDAContext.h).
    # (and, from a CUDA 13 toolkit, CCCL's <nv/target> under include/cccl: cmake/cuda.cmake)
    find_package(CUDAToolkit QUIET)
    foreach(_inc IN LISTS CUDAToolkit_INCLUDE_DIRS)
      list(APPEND _check_incs ${_inc})
      if(EXISTS "${_inc}/cccl/nv" AND NOT EXISTS "${_inc}/nv")
        list(APPEND _check_incs ${_inc}/cccl)
      endif()
    endforeach()
  else()
    message(STATUS "c10d: LibTorch has CUDA but nccl.h was not found (set NCCL_ROOT): no NCCL process group")
  endif()
endif()

if(Torch_VERSION VERSION_GREATER_EQUAL 2)
  set(_flags "")
  foreach(_d ${_defs})
    list(APPEND _flags -D${_d})
  endforeach()
  separate_arguments(_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  file(REMOVE ${CMAKE_BINARY_DIR}/c10d-check.log)  # a log left by an earlier configure
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
  try_compile(TNN_C10D_COMPILES ${CMAKE_BINARY_DIR}/c10d-check
    SOURCES ${PROJECT_SOURCE_DIR}/lib/dist/c10d.cpp
    COMPILE_DEFINITIONS ${_flags} ${_torch_flags}
    CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${TORCH_INCLUDE_DIRS};${_incs};${_check_incs}"
    CXX_STANDARD 17
    OUTPUT_VARIABLE _out)
  unset(CMAKE_TRY_COMPILE_TARGET_TYPE)
  if(NOT TNN_C10D_COMPILES)
    file(WRITE ${CMAKE_BINARY_DIR}/c10d-check.log "${_out}")
    message(WARNING "c10d: lib/dist/c10d.cpp does not compile against LibTorch ${Torch_VERSION} "
                    "(log: ${CMAKE_BINARY_DIR}/c10d-check.log): single-process training only")
    return()
  endif()
endif()

set(TNN_C10D_DEFINITIONS ${_defs})
# -I/usr/include would break the standard library's #include_next: leave implicit ones out.
list(REMOVE_ITEM _incs ${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES} /usr/include)
set(TNN_C10D_INCLUDES ${_incs})
message(STATUS "c10d: data-parallel training with ${_defs}")
