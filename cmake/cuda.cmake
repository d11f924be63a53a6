# Optional CUDA: found -> CUDA kernels, cuBLAS/cuDNN baselines and their tests are built;
# absent -> skipped with a message. The architecture is named (90a = H100/H200): "native" fails on
# machines without a GPU, which is where CI builds.
set(TNN_HAVE_CUDA OFF)
if(TNN_ENABLE_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90a)
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    # CMake 3.25 has no FindCUDNN and cuDNN ships no CMake config: look next to the toolkit.
    find_path(CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} ENV CUDNN_ROOT
              PATH_SUFFIXES include)
    find_library(CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} ENV CUDNN_ROOT
                 PATH_SUFFIXES lib lib64)
    if(CUDNN_INCLUDE_DIR AND CUDNN_LIBRARY)
      add_library(CUDNN::cudnn UNKNOWN IMPORTED)
      set_target_properties(CUDNN::cudnn PROPERTIES IMPORTED_LOCATION "${CUDNN_LIBRARY}"
                            INTERFACE_INCLUDE_DIRECTORIES "${CUDNN_INCLUDE_DIR}")
      set(TNN_HAVE_CUDA ON)
      message(STATUS "CUDA ${CUDAToolkit_VERSION} + cuDNN found: building CUDA kernels for sm_${CMAKE_CUDA_ARCHITECTURES}")
    else()
      message(STATUS "CUDA found but cuDNN not: CUDA kernels skipped")
    endif()
  else()
    message(STATUS "No CUDA compiler found: CUDA kernels and benchmarks skipped")
  endif()
endif()
if(TNN_REQUIRE_CUDA AND NOT TNN_HAVE_CUDA)
  message(FATAL_ERROR "TNN_REQUIRE_CUDA is ON but CUDA + cuDNN were not found")
endif()
