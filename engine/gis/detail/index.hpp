// SPDX-License-Identifier: Apache-2.0
// The derived lookup structures of a CityModel, rebuilt from its data (by the builder as the
// data appears, by the cache loader at once).
#pragma once

#include "gis/city_model.hpp"

namespace twin::gis::detail {

void indexLandUse(CityModel& city);
void indexBuildings(CityModel& city);
// out-edge lists per node and the R-tree of node positions
void indexRoadGraph(CityModel& city);

}  // namespace twin::gis::detail
