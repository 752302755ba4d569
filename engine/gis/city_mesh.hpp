// SPDX-License-Identifier: Apache-2.0
// The city as triangles for ray casts and collisions (physics): walls and flat roofs of every
// building part, LoD2 meshes where the source has them, and the terrain grid.
#pragma once

#include <array>
#include <vector>

#include "core/mesh.hpp"
#include "gis/city_model.hpp"

namespace twin::gis {

struct CityMeshOptions {
  bool roofs = true;    // flat roofs at the building height (walls alone occlude upward rays)
  bool terrain = true;  // the DEM tiles' cells as two triangles each
};

// Walls from the ground (groundZ) to groundZ + heightM for the outer ring and the holes of every
// part, roofs by ear clipping of the outer ring (courtyards roofed over: conservative for
// collisions, irrelevant for rays that come from outside), owner = building index; LoD2 meshes
// as they are; terrain cells owner -1.
core::TriangleMesh cityTriangles(const CityModel& city, const CityMeshOptions& options = {});

// Ear clipping (Meisters 1975) of a simple polygon ring (either orientation, not closed):
// triangles as index triples into `ring`. Degenerate or self-intersecting rings give what
// could be clipped; a ring of n >= 3 points gives n - 2 triangles when it is simple.
std::vector<std::array<std::size_t, 3>> earClip(const Ring& ring);

}  // namespace twin::gis
