// SPDX-License-Identifier: Apache-2.0
#include "render/library_versions.hpp"

#include <osg/Version>

namespace twin::render {

std::string osgVersion() {
  return osgGetVersion();
}

}  // namespace twin::render
