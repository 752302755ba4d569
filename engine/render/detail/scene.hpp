// SPDX-License-Identifier: Apache-2.0
// The OSG scene of a city, shared by the headless renderer and the interactive viewer (internal
// to engine/render: OSG types never leave this module).
#pragma once

#include <osg/Group>
#include <osg/ref_ptr>

#include "gis/city_model.hpp"

namespace twin::render::detail {

// Land use, roads, rail, water and buildings merged per tile, with material and sun light.
osg::ref_ptr<osg::Group> buildCityScene(const gis::CityModel& city);

}  // namespace twin::render::detail
