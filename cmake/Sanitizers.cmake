# SPDX-License-Identifier: Apache-2.0
# TWIN_SANITIZE builds everything (engine, plugins, tests) with AddressSanitizer + UBSan
if(TWIN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
