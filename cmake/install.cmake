# The installable package: `cmake --install` puts the headers, the static libraries and a CMake
# config into a prefix, so another project can
#   find_package(tnn CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE tnn::kernels)   # packing, kernels, engine: no LibTorch
#   target_link_libraries(app PRIVATE tnn::tnn)       # ternarizers, models, trainer (LibTorch)
# The same names exist as aliases for add_subdirectory() users. See docs/library.md.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(tnn::kernels ALIAS tnn_kernels)
set_target_properties(tnn_kernels PROPERTIES EXPORT_NAME kernels)
target_compile_features(tnn_kernels PUBLIC cxx_std_17)
set(TNN_INSTALL_TARGETS tnn_kernels)
install(DIRECTORY kernels/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TNN_BUILD_TRAINING)
  add_library(tnn::tnn ALIAS tnn)
  set_target_properties(tnn PROPERTIES EXPORT_NAME tnn)
  list(APPEND TNN_INSTALL_TARGETS tnn)
  if(TARGET tnn_imagedata)  # ImageNet JPEG loading (lib/CMakeLists.txt), linked by libtnn
    set_target_properties(tnn_imagedata PROPERTIES EXPORT_NAME imagedata)
    list(APPEND TNN_INSTALL_TARGETS tnn_imagedata)
  endif()
  install(DIRECTORY lib/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(TARGETS tnn_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS ${TNN_INSTALL_TARGETS} EXPORT tnnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# What tnnConfig.cmake must find again in the consumer (the exported targets link to them).
set(TNN_JSON_FROM_PACKAGE ${nlohmann_json_FOUND})
get_target_property(TNN_JSON_INCLUDE_DIR nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
set(TNN_NEEDS_OPENSSL OFF)
if(TNN_BUILD_TRAINING)
  get_target_property(tnn_links tnn LINK_LIBRARIES)
  if("OpenSSL::Crypto" IN_LIST tnn_links)
    set(TNN_NEEDS_OPENSSL ON)
  endif()
endif()
set(TNN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tnn)
install(EXPORT tnnTargets NAMESPACE tnn:: DESTINATION ${TNN_CMAKE_DIR})
configure_package_config_file(cmake/tnnConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/tnnConfig.cmake
                              INSTALL_DESTINATION ${TNN_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tnnConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tnnConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/tnnConfigVersion.cmake
        DESTINATION ${TNN_CMAKE_DIR})
