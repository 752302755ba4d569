// SPDX-License-Identifier: Apache-2.0
#include "physics/library_versions.hpp"

#include <LinearMath/btScalar.h>

namespace twin::physics {

std::string bulletVersion() {
  const int v = btGetVersion();  // e.g. 324
  return std::to_string(v / 100) + "." + std::to_string(v % 100);
}

std::string bulletPrecision() {
  return btIsDoublePrecision() ? "double" : "float";
}

}  // namespace twin::physics
