// SPDX-License-Identifier: Apache-2.0
// OpenStreetMap through GDAL's OSM driver: features of the points, lines and multipolygons
// layers become raw areas, lines and points with their tags.
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <mutex>

#include "gis/detail/ogr_geometry.hpp"
#include "gis/detail/readers.hpp"

namespace twin::gis::detail {
namespace {
namespace fs = std::filesystem;

// laundered field name (':' -> '_') for each OSM key we read
struct Field {
  const char* key;
  const char* field;
};
constexpr std::array<Field, 58> kFields{{
    {"name", "name"},
    {"highway", "highway"},
    {"amenity", "amenity"},
    {"shop", "shop"},
    {"office", "office"},
    {"craft", "craft"},
    {"healthcare", "healthcare"},
    {"tourism", "tourism"},
    {"railway", "railway"},
    {"public_transport", "public_transport"},
    {"lanes", "lanes"},
    {"lanes:forward", "lanes_forward"},
    {"lanes:backward", "lanes_backward"},
    {"psv:lanes", "psv_lanes"},
    {"psv:lanes:forward", "psv_lanes_forward"},
    {"psv:lanes:backward", "psv_lanes_backward"},
    {"bus:lanes", "bus_lanes"},
    {"bus:lanes:forward", "bus_lanes_forward"},
    {"bus:lanes:backward", "bus_lanes_backward"},
    {"lanes:psv", "lanes_psv"},
    {"lanes:psv:forward", "lanes_psv_forward"},
    {"lanes:psv:backward", "lanes_psv_backward"},
    {"lanes:bus", "lanes_bus"},
    {"lanes:bus:forward", "lanes_bus_forward"},
    {"lanes:bus:backward", "lanes_bus_backward"},
    {"oneway", "oneway"},
    {"maxspeed", "maxspeed"},
    {"maxspeed:forward", "maxspeed_forward"},
    {"maxspeed:backward", "maxspeed_backward"},
    {"junction", "junction"},
    {"access", "access"},
    {"motor_vehicle", "motor_vehicle"},
    {"motorcar", "motorcar"},
    {"service", "service"},
    {"usage", "usage"},
    {"power", "power"},
    {"voltage", "voltage"},
    {"waterway", "waterway"},
    {"tunnel", "tunnel"},
    {"bridge", "bridge"},
    {"layer", "layer"},
    {"type", "type"},
    {"building", "building"},
    {"building:part", "building_part"},
    {"building:levels", "building_levels"},
    {"building:min_level", "building_min_level"},
    {"roof:shape", "roof_shape"},
    {"roof:levels", "roof_levels"},
    {"roof:height", "roof_height"},
    {"height", "height"},
    {"min_height", "min_height"},
    {"building:use", "building_use"},
    {"leisure", "leisure"},
    {"landuse", "landuse"},
    {"natural", "natural"},
    {"water", "water"},
    {"start_date", "start_date"},
    {"construction_year", "construction_year"},
}};

// per-layer field indices, resolved once
struct LayerFields {
  std::vector<std::pair<const char*, int>> present;  // OSM key, field index
  int osmId = -1;
  int osmWayId = -1;  // multipolygons made from closed ways
};

LayerFields resolve(OGRLayer* layer) {
  LayerFields lf;
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  lf.osmId = defn->GetFieldIndex("osm_id");
  lf.osmWayId = defn->GetFieldIndex("osm_way_id");
  for (const Field& f : kFields) {
    const int idx = defn->GetFieldIndex(f.field);
    if (idx >= 0)
      lf.present.emplace_back(f.key, idx);
  }
  return lf;
}

Tags tagsOf(const OGRFeature& f, const LayerFields& lf) {
  Tags t;
  for (const auto& [key, idx] : lf.present) {
    if (f.IsFieldSetAndNotNull(idx))
      t.set(key, f.GetFieldAsString(idx));
  }
  return t;
}

std::int64_t idOf(const OGRFeature& f, const LayerFields& lf, const char* layer) {
  if (lf.osmId >= 0 && f.IsFieldSetAndNotNull(lf.osmId)) {
    return std::strtoll(f.GetFieldAsString(lf.osmId), nullptr, 10);
  }
  // multipolygons built from closed ways carry osm_way_id, from relations osm_id
  if (lf.osmWayId >= 0 && f.IsFieldSetAndNotNull(lf.osmWayId)) {
    return std::strtoll(f.GetFieldAsString(lf.osmWayId), nullptr, 10);
  }
  (void)layer;
  return f.GetFID();
}

// errors GDAL reports while reading (a truncated file, a bad block)
struct ErrorCapture {
  std::string first;
  int count = 0;
  bool inGeometryCheck = false;  // GEOS complaints about one feature are not file errors
  int geometryErrors = 0;
};
void CPL_STDCALL captureError(CPLErr level, CPLErrorNum, const char* msg) {
  if (level < CE_Failure)
    return;
  auto* cap = static_cast<ErrorCapture*>(CPLGetErrorHandlerUserData());
  if (cap->inGeometryCheck) {
    ++cap->geometryErrors;
    return;
  }
  if (cap->count++ == 0)
    cap->first = msg != nullptr ? msg : "unknown GDAL error";
}

bool isAreaFeature(const Tags& t) {
  return t.has("building") || t.has("landuse") || t.has("natural") || t.has("leisure") ||
         t.has("water") || t.get("waterway") == "riverbank";
}

bool isLineFeature(const Tags& t) {
  return t.has("highway") || t.has("railway") || t.has("power") || t.has("waterway");
}

bool isPointFeature(const Tags& t) {
  return t.get("highway") == "traffic_signals" || t.has("amenity") || t.has("shop") ||
         t.has("office") || t.has("craft") || t.has("healthcare") || t.has("tourism");
}

}  // namespace

Ring ringOf(const OGRLinearRing* r) {
  Ring out;
  const int n = r->getNumPoints();
  out.reserve(static_cast<std::size_t>(std::max(0, n)));
  for (int i = 0; i < n; ++i)
    out.push_back({r->getX(i), r->getY(i)});
  // drop the closing vertex and consecutive duplicates
  if (out.size() > 1 && out.front().x == out.back().x && out.front().y == out.back().y) {
    out.pop_back();
  }
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Vec2& a, const Vec2& b) { return a.x == b.x && a.y == b.y; }),
            out.end());
  return out;
}

void addPolygons(const OGRGeometry* g, std::vector<Polygon>& out) {
  if (g == nullptr)
    return;
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPolygon: {
      const OGRPolygon* p = g->toPolygon();
      if (p->getExteriorRing() == nullptr)
        return;
      Polygon poly;
      poly.outer = ringOf(p->getExteriorRing());
      for (int i = 0; i < p->getNumInteriorRings(); ++i) {
        poly.holes.push_back(ringOf(p->getInteriorRing(i)));
      }
      out.push_back(std::move(poly));
      break;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection: {
      const OGRGeometryCollection* c = g->toGeometryCollection();
      for (int i = 0; i < c->getNumGeometries(); ++i)
        addPolygons(c->getGeometryRef(i), out);
      break;
    }
    default:
      break;  // lines and points left over by MakeValid carry no area
  }
}

core::Result<RawCity> readOsm(const std::string& path, const std::string& osmConfig) {
  static std::once_flag registered;
  std::call_once(registered, [] { GDALAllRegister(); });
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return core::fail(core::ErrorCode::NotFound, path + ": no such file");
  }
  if (!fs::is_regular_file(osmConfig, ec)) {
    return core::fail(core::ErrorCode::NotFound,
                      osmConfig + ": the OSM driver configuration is missing (assets/gdal)");
  }
  ErrorCapture cap;
  CPLPushErrorHandlerEx(captureError, &cap);
  const std::string configOpt = "CONFIG_FILE=" + osmConfig;
  const char* drivers[] = {"OSM", nullptr};
  const char* options[] = {configOpt.c_str(), "USE_CUSTOM_INDEXING=YES", nullptr};
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                            drivers, options, nullptr));
  if (!ds) {
    CPLPopErrorHandler();
    // "not mine": GDAL's OSM driver does not recognise the file
    return core::fail(core::ErrorCode::BadInput,
                      path + ": not an OpenStreetMap file (.osm.pbf or .osm XML)" +
                          (cap.count > 0 ? ": " + cap.first : std::string()));
  }
  RawCity city;
  city.crs = "EPSG:4326";
  std::map<const OGRLayer*, LayerFields> fields;
  OGRLayer* layer = nullptr;
  // dataset-level iteration: the OSM driver interleaves its layers in one pass over the file
  for (;;) {
    OGRFeatureUniquePtr f(ds->GetNextFeature(&layer, nullptr, nullptr, nullptr));
    if (!f || layer == nullptr)
      break;
    auto it = fields.find(layer);
    if (it == fields.end())
      it = fields.emplace(layer, resolve(layer)).first;
    const std::string_view layerName = layer->GetName();
    const OGRGeometry* g = f->GetGeometryRef();
    Tags tags = tagsOf(*f, it->second);
    if (g == nullptr || g->IsEmpty()) {
      if (layerName == "multipolygons" && tags.has("building")) {
        ++city.problems["building: no geometry (incomplete in the extract), skipped"];
      }
      if (layerName == "lines" && tags.has("highway"))
        ++city.highwayLines;
      continue;
    }
    if (layerName == "multipolygons") {
      if (!isAreaFeature(tags))
        continue;
      RawArea a;
      a.id = idOf(*f, it->second, "multipolygons");
      a.tags = std::move(tags);
      // broken geometry is repaired with GEOS MakeValid (through GDAL) or skipped
      cap.inGeometryCheck = true;
      const bool valid = g->IsValid();
      std::unique_ptr<OGRGeometry> fixed(valid ? nullptr : g->MakeValid());
      cap.inGeometryCheck = false;
      if (!valid) {
        if (fixed)
          addPolygons(fixed.get(), a.parts);
        const bool building = a.tags.has("building");
        if (a.parts.empty()) {
          // GEOS could not repair it (e.g. a ring of two points): keep the usable rings
          addPolygons(g, a.parts);
          std::erase_if(a.parts, [](Polygon& p) {
            std::erase_if(p.holes, [](const Ring& h) { return h.size() < 3; });
            return p.outer.size() < 3;
          });
          if (!a.parts.empty()) {
            ++city.problems[building ? "building: degenerate ring dropped, repaired"
                                     : "area: degenerate ring dropped, repaired"];
            city.areas.push_back(std::move(a));
            continue;
          }
        }
        if (a.parts.empty()) {
          ++city.problems[building ? "building: invalid geometry, skipped"
                                   : "area: invalid geometry, skipped"];
          continue;
        }
        ++city.problems[building ? "building: invalid geometry, repaired"
                                 : "area: invalid geometry, repaired"];
      } else {
        addPolygons(g, a.parts);
      }
      city.areas.push_back(std::move(a));
    } else if (layerName == "lines") {
      if (tags.has("highway"))
        ++city.highwayLines;
      if (!isLineFeature(tags))
        continue;
      if (wkbFlatten(g->getGeometryType()) != wkbLineString)
        continue;
      const OGRLineString* ls = g->toLineString();
      RawLine l;
      l.id = idOf(*f, it->second, "lines");
      l.tags = std::move(tags);
      for (int i = 0; i < ls->getNumPoints(); ++i)
        l.points.push_back({ls->getX(i), ls->getY(i)});
      if (l.points.size() < 2) {
        ++city.problems["line: fewer than two points, skipped"];
        continue;
      }
      city.lines.push_back(std::move(l));
    } else if (layerName == "points") {
      if (!isPointFeature(tags))
        continue;
      if (wkbFlatten(g->getGeometryType()) != wkbPoint)
        continue;
      const OGRPoint* p = g->toPoint();
      city.points.push_back(
          {idOf(*f, it->second, "points"), {p->getX(), p->getY()}, std::move(tags)});
    }
  }
  CPLPopErrorHandler();
  if (cap.count > 0) {
    // "mine but broken": the driver took the file and failed while reading it
    return core::fail(core::ErrorCode::BadInput, path + ": broken OpenStreetMap file (" +
                                                     cap.first + "); re-download or re-export it");
  }
  if (city.areas.empty() && city.lines.empty() && city.points.empty()) {
    return core::fail(core::ErrorCode::BadInput,
                      path + ": the OpenStreetMap file holds no buildings, roads or land use");
  }
  return city;
}

}  // namespace twin::gis::detail
