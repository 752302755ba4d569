// SPDX-License-Identifier: Apache-2.0
// OGR geometry helpers shared by the GDAL-based readers (internal to engine/gis).
#pragma once

#include <vector>

#include "gis/geometry.hpp"

class OGRGeometry;
class OGRLinearRing;

namespace twin::gis::detail {

// A ring without its closing vertex and without consecutive duplicate points.
Ring ringOf(const OGRLinearRing* r);
// Appends the polygons of a (multi)polygon or collection; other geometry kinds are ignored.
void addPolygons(const OGRGeometry* g, std::vector<Polygon>& out);

}  // namespace twin::gis::detail
