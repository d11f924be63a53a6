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
    # A CUDA 13 toolkit may keep CCCL (<nv/target>, which cuda_fp16.h includes) only under
    # include/cccl; CMake adds that folder itself from 3.31.9 on. Host files include CUDA headers
    # through CUDA::cudart, so it gets the folder when the toolkit has no include/nv of its own.
    foreach(_tnn_inc IN LISTS CUDAToolkit_INCLUDE_DIRS)
      if(EXISTS "${_tnn_inc}/cccl/nv" AND NOT EXISTS "${_tnn_inc}/nv"
         AND NOT "${_tnn_inc}/cccl" IN_LIST CUDAToolkit_INCLUDE_DIRS)
        set_property(TARGET CUDA::cudart APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES
                                                         "${_tnn_inc}/cccl")
        message(STATUS "CUDA: adding ${_tnn_inc}/cccl (CCCL headers) to CUDA::cudart")
      endif()
    endforeach()
    # FindCUDAToolkit looks for an unversioned libcublas.so; pip's nvidia-cublas wheel (a toolkit
    # assembled from wheels, as on the GPU hosts) may have only libcublas.so.13.
    if(NOT TARGET CUDA::cublas)
      find_library(TNN_CUBLAS_LIBRARY NAMES cublas libcublas.so.13 libcublas.so.12
                   HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUBLAS_ROOT} $ENV{CUBLAS_ROOT}
                   PATH_SUFFIXES lib lib64)
      find_library(TNN_CUBLASLT_LIBRARY NAMES cublasLt libcublasLt.so.13 libcublasLt.so.12
                   HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUBLAS_ROOT} $ENV{CUBLAS_ROOT}
                   PATH_SUFFIXES lib lib64)
      if(TNN_CUBLAS_LIBRARY AND TNN_CUBLASLT_LIBRARY)
        add_library(CUDA::cublas UNKNOWN IMPORTED)
        set_target_properties(CUDA::cublas PROPERTIES IMPORTED_LOCATION "${TNN_CUBLAS_LIBRARY}"
                              INTERFACE_LINK_LIBRARIES "${TNN_CUBLASLT_LIBRARY};CUDA::cudart")
        message(STATUS "CUDA: cuBLAS from ${TNN_CUBLAS_LIBRARY} (no unversioned libcublas.so)")
      endif()
    endif()
    # CMake 3.25 has no FindCUDNN and cuDNN ships no CMake config: look in CUDNN_ROOT first (the
    # GPU hosts' pip wheel nvidia/cudnn: include/cudnn.h and lib/libcudnn.so.9, no unversioned
    # link), then next to the toolkit. Headers and library come from the same place when
    # CUDNN_ROOT is set, so a toolkit cuDNN cannot pair its headers with pip's library.
    # TNN_ names: LibTorch's own FindCUDNN owns the cache entries CUDNN_INCLUDE_DIR/CUDNN_LIBRARY.
    set(_tnn_cudnn_hints ${CUDNN_ROOT} $ENV{CUDNN_ROOT})
    if(_tnn_cudnn_hints)
      find_path(TNN_CUDNN_INCLUDE_DIR cudnn.h HINTS ${_tnn_cudnn_hints} PATH_SUFFIXES include
                NO_DEFAULT_PATH)
      find_library(TNN_CUDNN_LIBRARY NAMES cudnn libcudnn.so.9 HINTS ${_tnn_cudnn_hints}
                   PATH_SUFFIXES lib lib64 NO_DEFAULT_PATH)
    endif()
    find_path(TNN_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} PATH_SUFFIXES include)
    find_library(TNN_CUDNN_LIBRARY NAMES cudnn libcudnn.so.9 HINTS ${CUDAToolkit_LIBRARY_DIR}
                 PATH_SUFFIXES lib lib64)
    if(TNN_CUDNN_INCLUDE_DIR AND TNN_CUDNN_LIBRARY AND TARGET CUDA::cublas)
      if(NOT TARGET CUDNN::cudnn)
        add_library(CUDNN::cudnn UNKNOWN IMPORTED)
        set_target_properties(CUDNN::cudnn PROPERTIES IMPORTED_LOCATION "${TNN_CUDNN_LIBRARY}"
                              INTERFACE_INCLUDE_DIRECTORIES "${TNN_CUDNN_INCLUDE_DIR}")
      endif()
      set(TNN_HAVE_CUDA ON)
      message(STATUS "CUDA ${CUDAToolkit_VERSION} + cuDNN found: building CUDA kernels for sm_${CMAKE_CUDA_ARCHITECTURES}")
      message(STATUS "  cuDNN: ${TNN_CUDNN_INCLUDE_DIR}/cudnn.h, ${TNN_CUDNN_LIBRARY}")
    else()
      message(STATUS "CUDA found but cuDNN or cuBLAS not: CUDA kernels skipped (cuDNN header: "
                     "${TNN_CUDNN_INCLUDE_DIR}, library: ${TNN_CUDNN_LIBRARY}; set CUDNN_ROOT)")
    endif()
  else()
    message(STATUS "No CUDA compiler found: CUDA kernels and benchmarks skipped")
  endif()
endif()
if(TNN_REQUIRE_CUDA AND NOT TNN_HAVE_CUDA)
  message(FATAL_ERROR "TNN_REQUIRE_CUDA is ON but CUDA + cuDNN were not found")
endif()
