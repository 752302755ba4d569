# SPDX-License-Identifier: Apache-2.0
# Script (cmake -P): fails when a file in DIR includes anything but C++ standard library
# headers or headers of DIR's own module. Keeps engine/core free of third-party and OS APIs.
#   cmake -DDIR=engine/core -DMODULE=core -P cmake/CheckStandardOnly.cmake
cmake_minimum_required(VERSION 3.25)
set(standard algorithm any array atomic barrier bit bitset cassert cctype cerrno cfloat charconv
  chrono cinttypes climits cmath compare concepts condition_variable cstddef cstdint cstdio
  cstdlib cstring ctime deque exception execution filesystem format forward_list fstream
  functional future initializer_list iomanip ios iosfwd iostream istream iterator latch limits
  list map memory memory_resource mutex new numbers numeric optional ostream queue random ranges
  ratio regex scoped_allocator semaphore set shared_mutex source_location span sstream stack
  stdexcept stop_token streambuf string string_view system_error thread tuple type_traits
  typeindex typeinfo unordered_map unordered_set utility valarray variant vector version)
file(GLOB files "${DIR}/*.hpp" "${DIR}/*.cpp" "${DIR}/detail/*.hpp" "${DIR}/detail/*.cpp")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    if(line MATCHES "<([^>]+)>")
      if(NOT CMAKE_MATCH_1 IN_LIST standard)
        list(APPEND bad "${f}: <${CMAKE_MATCH_1}> is not a C++ standard header")
      endif()
    elseif(line MATCHES "\"([^\"]+)\"")
      if(NOT CMAKE_MATCH_1 MATCHES "^${MODULE}/")
        list(APPEND bad "${f}: \"${CMAKE_MATCH_1}\" is outside ${MODULE}/")
      endif()
    endif()
  endforeach()
endforeach()
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "no sources found in ${DIR}")
endif()
if(bad)
  list(JOIN bad "\n" text)
  message(FATAL_ERROR "engine/${MODULE} must use the standard library only:\n${text}")
endif()
message(STATUS "${count} files in ${DIR} include standard headers only")
