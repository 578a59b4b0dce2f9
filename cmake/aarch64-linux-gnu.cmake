#===- cmake/aarch64-linux-gnu.cmake - Cross-compiling for AArch64 Linux ----===#
#
# The toolchain of the AArch64 build of the runtime and kernel libraries that
# `ternc compile --target=arm-*` links into models: clang-19 for
# aarch64-linux-gnu against Debian's cross C library and libstdc++
# (crossbuild-essential-arm64, under /usr/aarch64-linux-gnu), linked by lld.
# Test binaries run under qemu-aarch64.
#
#===------------------------------------------------------------------------===#

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_EXE_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_SHARED_LINKER_FLAGS_INIT -fuse-ld=lld)
# Header-only dependencies (fmt, spdlog, nlohmann_json, xtensor) come from the
# host's packages; libraries only from the cross sysroot.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
# Debian installs the header-only packages' CMake files under the host's
# multiarch directory, which an AArch64 search does not look in.
foreach(package fmt spdlog xtensor xsimd)
  file(GLOB configs /usr/lib/*-linux-gnu/cmake/${package})
  list(FILTER configs EXCLUDE REGEX "aarch64")
  if(configs)
    list(GET configs 0 config)
    set(${package}_DIR ${config} CACHE PATH "")
  endif()
endforeach()
