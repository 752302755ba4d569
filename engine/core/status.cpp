// SPDX-License-Identifier: Apache-2.0
#include "core/status.hpp"

#include <atomic>
#include <cstdio>

namespace twin::core {
namespace {
std::atomic<AssertHandler> gAssertHandler{nullptr};
}  // namespace

void setAssertHandler(AssertHandler handler) {
  gAssertHandler.store(handler);
}

void assertFailed(const char* condition, const char* file, int line) {
  if (AssertHandler handler = gAssertHandler.load()) {
    handler(condition, file, line);
  }
  std::fprintf(stderr, "citytwin: internal error: assertion '%s' failed at %s:%d\n", condition,
               file, line);
  std::abort();
}

}  // namespace twin::core
