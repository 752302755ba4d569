// SPDX-License-Identifier: Apache-2.0
#include "city_info.hpp"

#include "gis/city_mesh.hpp"
#include "gis/crs.hpp"
#include "physics/ray_service.hpp"

namespace twin {

// what run.json records about the city and what models are told about it, with the ray-cast
// service (the city's BVH, built when a model first casts a ray) running on `executor`
io::CityInfo cityInfo(const gis::CityModel& c, core::Executor* executor) {
  io::CityInfo info;
  info.present = true;
  info.crs = c.crs;
  info.originE = c.originE;
  info.originN = c.originN;
  info.sources = c.sources;
  const gis::CitySummary s = c.summary();
  info.figures = {{"buildings", static_cast<double>(s.buildings)},
                  {"floor_area_m2", s.floorAreaM2},
                  {"residents_estimate", s.residents},
                  {"jobs_estimate", s.jobs},
                  {"road_km", s.roadKm},
                  {"graph_nodes", static_cast<double>(s.graphNodes)},
                  {"graph_edges", static_cast<double>(s.graphEdges)},
                  {"main_component_share", s.mainComponentShare},
                  {"landuse_areas", static_cast<double>(s.landUseAreas)}};
  info.problems = c.problems;
  info.forModels.crs = c.crs;
  info.forModels.originE = c.originE;
  info.forModels.originN = c.originN;
  info.forModels.minX = c.extent.minX;
  info.forModels.minY = c.extent.minY;
  info.forModels.maxX = c.extent.maxX;
  info.forModels.maxY = c.extent.maxY;
  info.forModels.buildings = c.buildings.size();
  // the centre in WGS 84 (sun positions)
  if (auto tr = gis::Transformer::create(c.crs, "EPSG:4326"); tr) {
    gis::Vec2 centre{c.originE + (c.extent.minX + c.extent.maxX) / 2,
                     c.originN + (c.extent.minY + c.extent.maxY) / 2};
    if (tr->transform(centre)) {
      info.forModels.centreLonDeg = centre.x;
      info.forModels.centreLatDeg = centre.y;
    }
  }
  info.forModels.roadLinks = c.roads.edges.size();
  // the tables plugins read (TwinCityInfo): one copy shared by every model instance
  auto t = std::make_shared<plugin::ModelCityTables>();
  t->buildings.reserve(c.buildings.size());
  for (const gis::Building& b : c.buildings) {
    t->buildings.push_back({b.centre.x, b.centre.y, b.footprintM2, b.floorAreaM2, b.heightM,
                            b.groundZ, b.residents, b.jobs, b.floors,
                            static_cast<std::int32_t>(b.use), b.constructionYear,
                            b.ancillary ? 1 : 0, static_cast<std::int32_t>(b.roof)});
  }
  t->outlineBuildingStart.push_back(0);
  t->outlineRingStart.push_back(0);
  for (const gis::Building& b : c.buildings) {
    for (const gis::Polygon& p : b.parts) {
      for (const gis::Vec2& q : p.outer) {
        t->outlineXy.push_back(q.x);
        t->outlineXy.push_back(q.y);
      }
      t->outlineRingStart.push_back(t->outlineXy.size() / 2);
    }
    t->outlineBuildingStart.push_back(t->outlineRingStart.size() - 1);
  }
  for (const gis::RoadNode& n : c.roads.nodes) {
    t->nodes.push_back(
        {n.p.x, n.p.y, static_cast<std::int32_t>(n.control), n.inMainComponent ? 1 : 0});
  }
  t->linkPoints.reserve(c.roads.edges.size());
  for (const gis::RoadEdge& e : c.roads.edges) {
    std::vector<double>& xy = t->linkPoints.emplace_back();
    for (const gis::Vec2& q : e.geometry) {
      xy.push_back(q.x);
      xy.push_back(q.y);
    }
    t->links.push_back({e.from, e.to, e.twin, static_cast<std::int32_t>(e.roadClass),
                        e.carAllowed ? 1 : 0, e.lanes, e.speedLimitMps, e.lengthM, xy.data(),
                        e.geometry.size()});
  }
  for (const auto& [in, out] : c.roads.bannedTurns) {
    t->bannedTurns.push_back(in);
    t->bannedTurns.push_back(out);
  }
  // land use: the classes in TWIN_LAND_* order (gis::LandUseClass has the same order)
  static_assert(static_cast<int>(gis::LandUseClass::Industrial) == TWIN_LAND_INDUSTRIAL &&
                static_cast<int>(gis::LandUseClass::Other) == TWIN_LAND_OTHER);
  t->landUseStart.push_back(0);
  for (const gis::LandUseArea& a : c.landUse) {
    for (const gis::Vec2& q : a.polygon.outer) {
      t->landUseXy.push_back(q.x);
      t->landUseXy.push_back(q.y);
    }
    t->landUseStart.push_back(t->landUseXy.size() / 2);
    t->landUseClass.push_back(static_cast<std::int32_t>(a.landUse));
    t->landUseAreaM2.push_back(a.areaM2);
  }
  info.forModels.tables = std::move(t);
  info.forModels.rays =
      std::make_shared<physics::LazyRayService>([&c] { return gis::cityTriangles(c); }, executor);
  return info;
}

}  // namespace twin
