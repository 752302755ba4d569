// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace twin::render {

// OpenSceneGraph's run-time version ("3.6.5").
std::string osgVersion();

}  // namespace twin::render
