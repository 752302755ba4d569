# SPDX-License-Identifier: Apache-2.0
# twin_warnings(target): the project's warning set and floating-point rules, on our own code only
function(twin_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive- $<$<BOOL:${TWIN_WERROR}>:/WX>)
  else()
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wshadow -Wconversion
      $<$<BOOL:${TWIN_WERROR}>:-Werror>
      # determinism: no fused multiply-add contraction, no fast-math
      -ffp-contract=off
      # GCC 12 reports false -Wrestrict positives inside libstdc++'s string concatenation at
      # -O2/-O3 (GCC bug 105329); our code does no raw memcpy that the warning would guard
      $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  endif()
endfunction()
