// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace twin::physics {

// Bullet's run-time version ("3.24") and precision ("float" or "double").
std::string bulletVersion();
std::string bulletPrecision();

}  // namespace twin::physics
