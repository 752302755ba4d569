// SPDX-License-Identifier: Apache-2.0
// GeoJSON, GeoPackage, Shapefile, FlatGeobuf (any GDAL vector format) with a column mapping.
#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "gis/detail/ogr_geometry.hpp"
#include "gis/detail/readers.hpp"

namespace twin::gis::detail {
namespace {
namespace fs = std::filesystem;

// OSM keys a column may carry under the same name (':' also written as '_')
constexpr const char* kKnownKeys[] = {
    "name",         "building",   "building:levels", "roof:shape", "roof:levels", "height",
    "building:use", "start_date", "amenity",         "shop",       "office",      "landuse",
    "natural",      "leisure",    "water",           "highway",    "lanes",       "oneway",
    "maxspeed",     "junction",   "railway",         "power",      "voltage"};

std::string crsOf(const OGRSpatialReference* srs) {
  if (srs == nullptr || srs->IsEmpty())
    return {};
  const char* auth = srs->GetAuthorityName(nullptr);
  const char* code = srs->GetAuthorityCode(nullptr);
  if (auth != nullptr && code != nullptr)
    return std::string(auth) + ":" + code;
  char* wkt = nullptr;
  srs->exportToWkt(&wkt);
  std::string out = wkt != nullptr ? wkt : "";
  CPLFree(wkt);
  return out;
}

}  // namespace

core::Result<RawCity> readVector(const VectorSource& src) {
  static std::once_flag registered;
  std::call_once(registered, [] { GDALAllRegister(); });
  std::error_code ec;
  if (!fs::is_regular_file(src.path, ec)) {
    return core::fail(core::ErrorCode::NotFound, src.path + ": no such file");
  }
  CPLErrorReset();
  // GDAL's own messages go into ours, not to stderr
  CPLPushErrorHandler(CPLQuietErrorHandler);
  GDALDatasetUniquePtr ds(GDALDataset::Open(src.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                            nullptr, nullptr, nullptr));
  CPLPopErrorHandler();
  if (!ds) {
    const std::string why = CPLGetLastErrorMsg();
    return core::fail(core::ErrorCode::BadInput, src.path + ": not a vector file GDAL can read" +
                                                     (why.empty() ? "" : ": " + why));
  }
  std::vector<OGRLayer*> layers;
  if (!src.layer.empty()) {
    OGRLayer* l = ds->GetLayerByName(src.layer.c_str());
    if (l == nullptr) {
      std::string names;
      for (auto* x : ds->GetLayers())
        names += (names.empty() ? "" : ", ") + std::string(x->GetName());
      return core::fail(core::ErrorCode::BadInput,
                        src.path + ": no layer '" + src.layer + "' (layers: " + names + ")");
    }
    layers.push_back(l);
  } else {
    for (auto* l : ds->GetLayers())
      layers.push_back(l);
  }
  RawCity raw;
  for (OGRLayer* layer : layers) {
    std::string crs = !src.crs.empty() ? src.crs : crsOf(layer->GetSpatialRef());
    if (crs.empty()) {
      return core::fail(core::ErrorCode::BadInput,
                        src.path + ": layer '" + layer->GetName() +
                            "' has no coordinate reference system; add crs: to the source");
    }
    if (!raw.crs.empty() && raw.crs != crs) {
      return core::fail(core::ErrorCode::BadInput,
                        src.path + ": layers in different CRS; name one layer per source");
    }
    raw.crs = crs;
    // which column feeds which tag: the mapping first, then columns named like OSM keys
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    std::vector<std::pair<std::string, int>> columns;
    for (const auto& [tag, field] : src.fields) {
      const int idx = defn->GetFieldIndex(field.c_str());
      if (idx < 0) {
        return core::fail(core::ErrorCode::BadInput, src.path + ": layer '" + layer->GetName() +
                                                         "' has no column '" + field + "' (for " +
                                                         tag + ")");
      }
      columns.emplace_back(tag, idx);
    }
    for (const char* key : kKnownKeys) {
      if (src.fields.count(key) > 0)
        continue;
      std::string laundered = key;
      std::replace(laundered.begin(), laundered.end(), ':', '_');
      int idx = defn->GetFieldIndex(key);
      if (idx < 0)
        idx = defn->GetFieldIndex(laundered.c_str());
      if (idx >= 0)
        columns.emplace_back(key, idx);
    }
    std::int64_t fid = 0;
    for (auto& f : *layer) {
      ++fid;
      Tags tags;
      for (const auto& [tag, idx] : columns) {
        if (f->IsFieldSetAndNotNull(idx))
          tags.set(tag, f->GetFieldAsString(idx));
      }
      // the source's kind supplies the tag that makes a feature what it is
      if (src.kind == "buildings" && !tags.has("building"))
        tags.set("building", "yes");
      if (src.kind == "roads" && !tags.has("highway"))
        tags.set("highway", "road");
      if (src.kind == "landuse" && !tags.has("landuse")) {
        ++raw.problems["area: no land-use class, skipped"];
        continue;
      }
      const OGRGeometry* g = f->GetGeometryRef();
      if (g == nullptr || g->IsEmpty()) {
        ++raw.problems["feature: no geometry, skipped"];
        continue;
      }
      const auto type = wkbFlatten(g->getGeometryType());
      if (type == wkbPolygon || type == wkbMultiPolygon) {
        RawArea a;
        a.id = f->GetFID() >= 0 ? f->GetFID() : fid;
        a.tags = std::move(tags);
        const bool building = a.tags.has("building");
        if (!g->IsValid()) {
          std::unique_ptr<OGRGeometry> fixed(g->MakeValid());
          if (fixed)
            addPolygons(fixed.get(), a.parts);
          ++raw.problems[std::string(building ? "building" : "area") + ": invalid geometry, " +
                         (a.parts.empty() ? "skipped" : "repaired")];
          if (a.parts.empty())
            continue;
        } else {
          addPolygons(g, a.parts);
        }
        raw.areas.push_back(std::move(a));
      } else if (type == wkbLineString || type == wkbMultiLineString) {
        auto addLine = [&](const OGRLineString* ls) {
          RawLine l;
          l.id = f->GetFID() >= 0 ? f->GetFID() : fid;
          l.tags = tags;
          for (int i = 0; i < ls->getNumPoints(); ++i)
            l.points.push_back({ls->getX(i), ls->getY(i)});
          if (l.points.size() >= 2)
            raw.lines.push_back(std::move(l));
        };
        if (tags.has("highway"))
          ++raw.highwayLines;
        if (type == wkbLineString) {
          addLine(g->toLineString());
        } else {
          for (const OGRLineString* ls : *g->toMultiLineString())
            addLine(ls);
        }
      } else if (type == wkbPoint) {
        const OGRPoint* p = g->toPoint();
        raw.points.push_back({f->GetFID(), {p->getX(), p->getY()}, std::move(tags)});
      } else {
        ++raw.problems["feature: unsupported geometry type, skipped"];
      }
    }
  }
  if (raw.areas.empty() && raw.lines.empty() && raw.points.empty()) {
    return core::fail(core::ErrorCode::BadInput, src.path + ": no features were read");
  }
  return raw;
}

}  // namespace twin::gis::detail
