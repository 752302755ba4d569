# SPDX-License-Identifier: Apache-2.0
# TWIN_SANITIZE builds everything (engine, plugins, tests) with AddressSanitizer + UBSan
if(TWIN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# TWIN_FUZZ: the libFuzzer build (clang only; tools/fuzz makes it in build-fuzz/): every library
# instrumented for coverage and built with AddressSanitizer + UBSan; the fuzz targets in
# tests/fuzz link libFuzzer's main
if(TWIN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TWIN_FUZZ needs clang (CC=clang CXX=clang++); tools/fuzz sets it up")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
