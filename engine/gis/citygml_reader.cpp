// SPDX-License-Identifier: Apache-2.0
// CityGML buildings through libcitygml (LoD1/LoD2 geometry) with GDAL's virtual file system for
// gzip-compressed tiles.
#include <citygml/citygml.h>
#include <citygml/citygmllogger.h>
#include <citygml/citymodel.h>
#include <citygml/cityobject.h>
#include <citygml/geometry.h>
#include <citygml/polygon.h>
#include <cpl_vsi.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <sstream>

#include "gis/crs.hpp"
#include "gis/detail/readers.hpp"

namespace twin::gis::detail {
namespace {
namespace fs = std::filesystem;
using citygml::CityObject;
using COT = citygml::CityObject::CityObjectsType;

// libcitygml reports one harmless error per AdV building (externalReference order); keep the
// first real error only
class CaptureLogger final : public citygml::CityGMLLogger {
 public:
  CaptureLogger() : CityGMLLogger(LOGLEVEL::LL_ERROR) {}
  void log(LOGLEVEL level, const std::string& message, const char*, int) const override {
    if (level < LOGLEVEL::LL_ERROR)
      return;
    if (message.find("externalreference") != std::string::npos ||
        message.find("externalReference") != std::string::npos) {
      return;
    }
    if (first.empty())
      first = message;
  }
  mutable std::string first;
};

// reads a whole file, through /vsigzip/ for .gz
bool readAll(const std::string& path, std::string& out) {
  const bool gz = path.size() > 3 && path.substr(path.size() - 3) == ".gz";
  const std::string vsi = gz ? "/vsigzip/" + path : path;
  VSILFILE* f = VSIFOpenL(vsi.c_str(), "rb");
  if (f == nullptr)
    return false;
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = VSIFReadL(buf, 1, sizeof buf, f);
    out.append(buf, n);
    if (n < sizeof buf)
      break;
  }
  const bool ok = VSIFEofL(f) != 0 || !out.empty();
  VSIFCloseL(f);
  return ok;
}

// the first srsName in the document (envelope or geometry)
std::string srsNameOf(const std::string& text) {
  const std::size_t p = text.find("srsName=\"");
  if (p == std::string::npos)
    return {};
  const std::size_t start = p + 9;
  const std::size_t end = text.find('"', start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}

// attribute by local name, whatever namespace prefix and case the producer used
std::string attribute(const CityObject& o, std::string_view name) {
  for (const auto& [key, value] : o.getAttributes()) {
    std::string local = key.substr(key.find(':') == std::string::npos ? 0 : key.find(':') + 1);
    std::transform(local.begin(), local.end(), local.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (local == name)
      return value.asString();
  }
  return {};
}

// ALKIS building function (AX_Gebaeude.gebaeudefunktion, GeoInfoDok) -> OSM-style building tag
std::string buildingTagForAlkis(const std::string& function) {
  const std::size_t us = function.find('_');
  const std::string codeText = us == std::string::npos ? function : function.substr(us + 1);
  // object class prefix: 31001 AX_Gebaeude; 51009 other structures (canopies 1610, carports
  // 1611), 51003 storage containers (silos, tanks)
  const std::string objectClass = us == std::string::npos ? "" : function.substr(0, us);
  if (objectClass == "51009")
    return "roof";
  if (objectClass == "51003")
    return "silo";
  int code = 0;
  try {
    code = std::stoi(codeText);
  } catch (...) {
    return "yes";
  }
  if (code == 1313 || (code >= 2460 && code <= 2469))
    return "garage";  // garden house, garages
  if (code >= 1000 && code < 1400)
    return "residential";
  if (code >= 2020 && code < 2050)
    return "office";  // offices, banks, insurers
  if (code >= 2000 && code < 2100)
    return "commercial";  // trade, hotels, gastronomy
  if (code >= 2100 && code < 2400)
    return "industrial";
  if (code >= 2400 && code < 2500)
    return "transportation";
  if (code >= 2500 && code < 2700)
    return "industrial";  // supply and disposal
  if (code >= 2700 && code < 2800)
    return "farm_auxiliary";
  if (code >= 3020 && code < 3030)
    return "school";
  if (code >= 3050 && code < 3060)
    return "hospital";
  if (code >= 3000 && code < 3300)
    return "public";
  return "yes";
}

// ALKIS roof form (AX_Gebaeude.dachform) -> OSM roof:shape
std::string roofShapeForAlkis(const std::string& code) {
  if (code == "1000")
    return "flat";
  if (code == "2100" || code == "2200")
    return "skillion";
  if (code == "3100" || code == "3400")
    return "gabled";
  if (code == "3200" || code == "3300")
    return "hipped";
  if (code == "3500")
    return "pyramidal";
  return code.empty() ? "" : "other";
}

struct Collected {
  std::vector<Polygon> ground;
  std::vector<Polygon> roofs;
  std::vector<Vec3> vertices;
  std::vector<SurfaceKind> kinds;
  double minZ = std::numeric_limits<double>::infinity();
  double maxZ = -std::numeric_limits<double>::infinity();
  double groundMinZ = std::numeric_limits<double>::infinity();
  double measured = -1.0;
  // non-vertical polygons without a semantic surface (LoD1 solids): mean z and shape
  std::vector<std::pair<double, Polygon>> horizontal;
};

Ring ringOf(const std::vector<TVec3d>& v) {
  Ring r;
  for (const TVec3d& p : v)
    r.push_back({p.x, p.y});
  if (r.size() > 1 && r.front().x == r.back().x && r.front().y == r.back().y)
    r.pop_back();
  return r;
}

void collectGeometry(const citygml::Geometry& g, SurfaceKind kind, Collected& c) {
  for (unsigned i = 0; i < g.getPolygonsCount(); ++i) {
    const auto poly = g.getPolygon(i);
    const auto& verts = poly->getVertices();
    const auto& idx = poly->getIndices();
    SurfaceKind k = kind;
    for (std::size_t t = 0; t + 2 < idx.size(); t += 3) {
      const TVec3d& a = verts[idx[t]];
      const TVec3d& b = verts[idx[t + 1]];
      const TVec3d& d = verts[idx[t + 2]];
      if (kind == SurfaceKind::Unknown) {
        // no semantic surface: classify by the normal (steep: wall)
        const double ux = b.x - a.x, uy = b.y - a.y, uz = b.z - a.z;
        const double vx = d.x - a.x, vy = d.y - a.y, vz = d.z - a.z;
        const double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
        const double len = std::sqrt(nx * nx + ny * ny + nz * nz);
        k = len > 0 && std::abs(nz) / len < 0.3 ? SurfaceKind::Wall : SurfaceKind::Roof;
      }
      for (const TVec3d* p : {&a, &b, &d}) {
        c.vertices.push_back({p->x, p->y, p->z});
        c.minZ = std::min(c.minZ, p->z);
        c.maxZ = std::max(c.maxZ, p->z);
      }
      c.kinds.push_back(k);
    }
    if (kind == SurfaceKind::Unknown && poly->exteriorRing()) {
      const auto& ring = poly->exteriorRing()->getVertices();
      double meanZ = 0.0;
      for (const TVec3d& v : ring)
        meanZ += v.z / static_cast<double>(ring.size());
      Polygon p;
      p.outer = ringOf(ring);
      // a wall projects to (almost) no area
      if (p.outer.size() >= 3 && std::abs(signedArea(p.outer)) > 1e-3) {
        c.horizontal.emplace_back(meanZ, std::move(p));
      }
    }
    if ((kind == SurfaceKind::Ground || kind == SurfaceKind::Roof) && poly->exteriorRing()) {
      Polygon p;
      p.outer = ringOf(poly->exteriorRing()->getVertices());
      for (const auto& hole : poly->interiorRings())
        p.holes.push_back(ringOf(hole->getVertices()));
      if (p.outer.size() >= 3)
        (kind == SurfaceKind::Ground ? c.ground : c.roofs).push_back(p);
      if (kind == SurfaceKind::Ground) {
        for (const TVec3d& v : poly->exteriorRing()->getVertices())
          c.groundMinZ = std::min(c.groundMinZ, v.z);
      }
    }
  }
  for (unsigned i = 0; i < g.getGeometriesCount(); ++i)
    collectGeometry(g.getGeometry(i), kind, c);
}

void collect(const CityObject& o, SurfaceKind inherited, Collected& c) {
  SurfaceKind kind = inherited;
  switch (o.getType()) {
    case COT::COT_WallSurface:
      kind = SurfaceKind::Wall;
      break;
    case COT::COT_RoofSurface:
      kind = SurfaceKind::Roof;
      break;
    case COT::COT_GroundSurface:
      kind = SurfaceKind::Ground;
      break;
    default:
      break;
  }
  const std::string h = attribute(o, "measuredheight");
  if (!h.empty()) {
    try {
      c.measured = std::max(c.measured, std::stod(h));
    } catch (...) {
    }
  }
  // a solid of a building that also has semantic surfaces repeats them: use the surfaces
  const bool hasSurfaces = [&] {
    for (unsigned i = 0; i < o.getChildCityObjectsCount(); ++i) {
      const COT t = o.getChildCityObject(i).getType();
      if (t == COT::COT_WallSurface || t == COT::COT_RoofSurface || t == COT::COT_GroundSurface) {
        return true;
      }
    }
    return false;
  }();
  if (!hasSurfaces) {
    for (unsigned i = 0; i < o.getGeometriesCount(); ++i)
      collectGeometry(o.getGeometry(i), kind, c);
  }
  for (unsigned i = 0; i < o.getChildCityObjectsCount(); ++i) {
    collect(o.getChildCityObject(i), kind, c);
  }
}

}  // namespace

core::Result<RawCity> readCityGml(const std::string& path, const std::string& assumedCrs) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return core::fail(core::ErrorCode::NotFound, path + ": no such file");
  }
  std::string text;
  if (!readAll(path, text) || text.empty()) {
    return core::fail(core::ErrorCode::BadInput, path +
                                                     ": cannot read the file (empty or a "
                                                     "broken .gz)");
  }
  if (text.find("CityModel") == std::string::npos) {
    return core::fail(core::ErrorCode::BadInput, path + ": not a CityGML file (no CityModel)");
  }
  std::string crs = normaliseCrsName(srsNameOf(text));
  if (crs.empty())
    crs = assumedCrs;
  if (crs.empty()) {
    return core::fail(core::ErrorCode::BadInput,
                      path + ": the CityGML file names no srsName; state the CRS in the scenario");
  }
  citygml::ParserParams params;
  params.minLOD = 1;
  params.maxLOD = 2;
  params.tesselate = true;
  params.keepVertices = true;  // keep the rings: footprints come from them
  auto logger = std::make_shared<CaptureLogger>();
  std::istringstream in(text);
  std::shared_ptr<const citygml::CityModel> model;
  try {
    model = citygml::load(in, params, logger);
  } catch (const std::exception& e) {
    return core::fail(core::ErrorCode::BadInput, path + ": broken CityGML: " + e.what());
  } catch (...) {
    // the XML parser (xerces) throws its own types
    return core::fail(
        core::ErrorCode::BadInput,
        path + ": broken CityGML" + (logger->first.empty() ? "" : ": " + logger->first));
  }
  if (!model) {
    return core::fail(
        core::ErrorCode::BadInput,
        path + ": broken CityGML" + (logger->first.empty() ? "" : ": " + logger->first));
  }
  RawCity raw;
  raw.crs = crs;
  std::int64_t index = 0;
  const int roots = static_cast<int>(model->getNumRootCityObjects());
  for (int i = 0; i < roots; ++i) {
    const CityObject& o = model->getRootCityObject(i);
    if (o.getType() != COT::COT_Building)
      continue;
    ++index;
    Collected c;
    collect(o, SurfaceKind::Unknown, c);
    RawArea a;
    a.id = index;
    if (c.ground.empty()) {
      // no GroundSurface: the lowest non-vertical faces of the solid are its ground
      for (auto& [z, p] : c.horizontal) {
        if (z <= c.minZ + 0.5) {
          c.groundMinZ = std::min(c.groundMinZ, z);
          c.ground.push_back(std::move(p));
        }
      }
    }
    a.parts = !c.ground.empty() ? c.ground : c.roofs;
    if (a.parts.empty()) {
      ++raw.problems["building: no ground or roof surface, skipped"];
      continue;
    }
    const std::string function = attribute(o, "function");
    a.tags.set("building", function.empty() ? "yes" : buildingTagForAlkis(function));
    std::string roof = attribute(o, "rooftype");
    if (roof.empty() && o.getChildCityObjectsCount() > 0) {
      roof = attribute(o.getChildCityObject(0), "rooftype");
    }
    a.tags.set("roof:shape", roofShapeForAlkis(roof));
    a.tags.set("name", o.getId());
    a.groundZ = std::isfinite(c.groundMinZ) ? c.groundMinZ : c.minZ;
    a.hasGroundZ = std::isfinite(a.groundZ);
    // measured height wins; else the geometry's vertical extent above the ground
    a.measuredHeightM = c.measured > 0                            ? c.measured
                        : (std::isfinite(c.maxZ) && a.hasGroundZ) ? c.maxZ - a.groundZ
                                                                  : -1.0;
    a.meshVertices = std::move(c.vertices);
    a.meshKinds = std::move(c.kinds);
    raw.areas.push_back(std::move(a));
  }
  if (index == 0) {
    return core::fail(core::ErrorCode::BadInput, path + ": the CityGML file holds no buildings");
  }
  return raw;
}

}  // namespace twin::gis::detail
