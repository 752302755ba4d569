// SPDX-License-Identifier: Apache-2.0
// The OSG scene of a city, shared by the headless renderer and the interactive viewer (internal
// to engine/render: OSG types never leave this module).
#pragma once

#include <osg/Camera>
#include <osg/Group>
#include <osg/ref_ptr>

#include "gis/city_model.hpp"

namespace twin::render::detail {

// Land use, roads, rail, water and buildings merged per tile, with material and sun light.
osg::ref_ptr<osg::Group> buildCityScene(const gis::CityModel& city);

// A 2D overlay camera in pixels (origin bottom-left), drawn after the scene, without lighting.
osg::ref_ptr<osg::Camera> hudCamera(int width, int height);

// The font for captions and the HUD (Debian's fonts-dejavu-core); OSG's built-in font if absent.
inline constexpr const char* kHudFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

}  // namespace twin::render::detail
