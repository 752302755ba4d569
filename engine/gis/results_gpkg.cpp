// SPDX-License-Identifier: Apache-2.0
#include "gis/results_gpkg.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>

namespace twin::gis {
namespace {
using core::ErrorCode;
using core::fail;
namespace fs = std::filesystem;

void registerGdal() {
  static std::once_flag registered;
  std::call_once(registered, [] { GDALAllRegister(); });
}

// the city's own attributes: not model results, left out of difference layers
constexpr const char* kCityColumns[] = {
    "building_id",  "osm_id",     "use",       "height_m", "floors",    "floor_area_m2",
    "footprint_m2", "year",       "residents", "jobs",     "link_id",   "from_node",
    "to_node",      "road_class", "car",       "lanes",    "speed_kmh", "length_m"};

bool cityColumn(const std::string& name) {
  return std::any_of(std::begin(kCityColumns), std::end(kCityColumns),
                     [&](const char* c) { return name == c; });
}

std::string lastGdalError(const std::string& what) {
  const std::string why = CPLGetLastErrorMsg();
  return what + (why.empty() ? "" : ": " + why);
}

struct GdalQuiet {
  GdalQuiet() {
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
  }
  ~GdalQuiet() { CPLPopErrorHandler(); }
  GdalQuiet(const GdalQuiet&) = delete;
  GdalQuiet& operator=(const GdalQuiet&) = delete;
};

core::Result<GDALDatasetUniquePtr> createGpkg(const std::string& path) {
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (drv == nullptr)
    return fail(ErrorCode::Io, "GDAL has no GeoPackage driver");
  std::error_code ec;
  fs::remove(path, ec);
  GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds)
    return fail(ErrorCode::Io, lastGdalError(path + ": cannot create a GeoPackage"));
  return ds;
}

core::Result<GDALDatasetUniquePtr> openGpkg(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return fail(ErrorCode::BadInput, path + ": no such file");
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                            nullptr, nullptr, nullptr));
  if (!ds)
    return fail(ErrorCode::BadInput, lastGdalError(path + ": not a GeoPackage GDAL can read"));
  return ds;
}

core::Status addField(OGRLayer* layer, const char* name, OGRFieldType type,
                      const std::string& path) {
  OGRFieldDefn f(name, type);
  if (layer->CreateField(&f) != OGRERR_NONE)
    return fail(ErrorCode::Io, lastGdalError(path + ": cannot add the field " + name));
  return {};
}

// closes a dataset and reports whether GDAL raised an error while flushing it (a full disk)
bool closeChecked(GDALDatasetUniquePtr& ds) {
  CPLErrorReset();
  ds.reset();
  return CPLGetLastErrorType() != CE_Failure && CPLGetLastErrorType() != CE_Fatal;
}

void setReal(OGRFeature& f, const char* name, double v) {
  if (std::isfinite(v))
    f.SetField(name, v);
  else
    f.SetFieldNull(f.GetFieldIndex(name));
}

// The rows of road_link_series (a day of quarter hours on a city is millions) straight through
// SQLite into the table GDAL created: statements of many rows each, and the table's
// feature-count triggers (GDAL's gpkg_ogr_contents bookkeeping) set aside meanwhile and the
// count written once, which makes the table about five times faster to fill than one
// OGRFeature per row. The values and the GeoPackage's layout are the same.
class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      ok_ = false;
  }
  ~Sqlite() {
    for (sqlite3_stmt* st : statements_)
      sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;
  bool ok() const { return ok_; }
  std::string error() const { return db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"; }
  bool exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      return nullptr;
    statements_.push_back(st);
    return st;
  }

 private:
  sqlite3* db_ = nullptr;
  bool ok_ = true;
  std::vector<sqlite3_stmt*> statements_;
};

std::string quoted(const std::string& name) {
  std::string q = "\"";
  for (char c : name)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

core::Status appendLinkSeriesRows(const std::string& path, const ResultLinkSeries& series,
                                  std::size_t links) {
  constexpr const char* kTable = "road_link_series";
  Sqlite db(path);
  auto failed = [&](const std::string& what) {
    return fail(ErrorCode::Io,
                path + ": cannot write " + kTable + " (" + what + "): " + db.error());
  };
  if (!db.ok())
    return failed("open");
  // a larger page cache than SQLite's 2 MB: the table's pages stay in memory until the commit
  if (!db.exec("PRAGMA cache_size = -65536") || !db.exec("BEGIN"))
    return failed("begin");
  // the triggers on the table (GDAL's feature counting): kept aside, put back as they were
  std::vector<std::string> triggers;
  {
    sqlite3_stmt* st =
        db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?");
    if (st == nullptr || sqlite3_bind_text(st, 1, kTable, -1, SQLITE_STATIC) != SQLITE_OK)
      return failed("triggers");
    std::vector<std::string> names;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
    }
    if (rc != SQLITE_DONE)
      return failed("triggers");
    for (const std::string& n : names) {
      if (!db.exec("DROP TRIGGER " + quoted(n)))
        return failed("triggers");
    }
  }
  // INSERT of `rows` rows: link_id, time, then the columns
  const std::size_t width = 2 + series.columns.size();
  auto insert = [&](std::size_t rows) {
    std::string sql = std::string("INSERT INTO ") + quoted(kTable) + " (\"link_id\", \"time\"";
    for (const std::string& c : series.columns)
      sql += ", " + quoted(c);
    sql += ") VALUES ";
    std::string one = "(?";
    for (std::size_t k = 1; k < width; ++k)
      one += ", ?";
    one += ")";
    for (std::size_t r = 0; r < rows; ++r)
      sql += (r > 0 ? ", " : "") + one;
    return db.prepare(sql);
  };
  // many rows a statement (SQLite 3.32+ takes 32,766 parameters)
  const std::size_t batch = std::max<std::size_t>(1, std::min<std::size_t>(64, 32000 / width));
  sqlite3_stmt* full = insert(batch);
  if (full == nullptr)
    return failed("prepare");
  // the rows waiting for a statement: link, sample
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  rows.reserve(batch);
  std::vector<std::string> times;
  for (std::string t : series.times) {
    // the GeoPackage's DateTime text: YYYY-MM-DDTHH:MM:SS.SSSZ
    if (!t.empty() && t.back() == 'Z' && t.find('.') == std::string::npos)
      t.insert(t.size() - 1, ".000");
    times.push_back(std::move(t));
  }
  long long written = 0;
  auto send = [&](sqlite3_stmt* st) {
    int rc = SQLITE_OK;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto [i, k] = rows[r];
      const int base = static_cast<int>(r * width);
      rc |= sqlite3_bind_int64(st, base + 1, static_cast<sqlite3_int64>(i));
      rc |= sqlite3_bind_text(st, base + 2, times[k].c_str(), -1, SQLITE_STATIC);
      const auto& sample = series.values[k];
      for (std::size_t c = 0; c < sample.size(); ++c) {
        const double v = sample[c][i];
        const int at = base + 3 + static_cast<int>(c);
        rc |= std::isfinite(v) ? sqlite3_bind_double(st, at, v) : sqlite3_bind_null(st, at);
      }
    }
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE || sqlite3_reset(st) != SQLITE_OK)
      return false;
    written += static_cast<long long>(rows.size());
    rows.clear();
    return true;
  };
  for (std::size_t k = 0; k < series.times.size(); ++k) {
    const auto& sample = series.values[k];
    for (std::size_t i = 0; i < links; ++i) {
      bool any = false;
      for (const auto& column : sample)
        any = any || !std::isnan(column[i]);
      if (!any)
        continue;  // a link without any value at this time: no row
      rows.emplace_back(i, k);
      if (rows.size() == batch && !send(full))
        return failed("insert");
    }
  }
  // the last rows, fewer than a batch: one statement of their own
  if (!rows.empty()) {
    sqlite3_stmt* last = insert(rows.size());
    if (last == nullptr || !send(last))
      return failed("insert");
  }
  for (const std::string& sql : triggers) {
    if (!db.exec(sql))
      return failed("triggers");
  }
  // GDAL's count of the table's rows (gpkg_ogr_contents, where the file has it)
  sqlite3_stmt* count = db.prepare(
      "UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)");
  if (count != nullptr) {
    if (sqlite3_bind_int64(count, 1, written) != SQLITE_OK ||
        sqlite3_bind_text(count, 2, kTable, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(count) != SQLITE_DONE)
      return failed("feature count");
  }
  if (!db.exec("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
               "WHERE lower(table_name) = lower('road_link_series')"))
    return failed("contents");
  if (!db.exec("COMMIT"))
    return failed("commit");
  return {};
}
}  // namespace

std::string columnName(const std::string& name, const std::string& unit) {
  auto clean = [](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '/') {
        out += "_per_";
      } else if (c == '%') {
        out += "pct";
      } else if (std::isalnum(c) != 0) {
        out += static_cast<char>(std::tolower(c));
      } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xB0) {
        out += "deg";  // the degree sign
        ++i;
      } else if (!out.empty() && out.back() != '_') {
        out += '_';
      }
    }
    while (!out.empty() && out.back() == '_')
      out.pop_back();
    std::string squeezed;
    for (char c : out) {
      if (c == '_' && !squeezed.empty() && squeezed.back() == '_')
        continue;
      squeezed += c;
    }
    return squeezed;
  };
  std::string n = clean(name);
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0])) != 0)
    n = "v_" + n;
  if (unit.empty() || unit == "1")
    return n;
  return n + "_" + clean(unit);
}

core::Status writeResultsGpkg(const CityModel& city,
                              const std::vector<ResultColumn>& buildingColumns,
                              const std::vector<ResultColumn>& linkColumns, const std::string& path,
                              const std::vector<ResultPolygonLayer>& polygonLayers,
                              const ResultLinkSeries& linkSeries) {
  for (const auto& sample : linkSeries.values) {
    if (sample.size() != linkSeries.columns.size())
      return fail(ErrorCode::BadInput, "road_link_series: a sample has the wrong column count");
    for (const auto& column : sample) {
      if (column.size() != city.roads.edges.size())
        return fail(ErrorCode::BadInput,
                    "road_link_series: a column has " + std::to_string(column.size()) +
                        " values for " + std::to_string(city.roads.edges.size()) + " road links");
    }
  }
  if (linkSeries.times.size() != linkSeries.values.size())
    return fail(ErrorCode::BadInput, "road_link_series: sample times and values differ");
  for (const ResultColumn& c : buildingColumns) {
    if (c.values.size() != city.buildings.size()) {
      return fail(ErrorCode::BadInput, "results column " + c.name + " has " +
                                           std::to_string(c.values.size()) + " values for " +
                                           std::to_string(city.buildings.size()) + " buildings");
    }
  }
  for (const ResultColumn& c : linkColumns) {
    if (c.values.size() != city.roads.edges.size()) {
      return fail(ErrorCode::BadInput, "results column " + c.name + " has " +
                                           std::to_string(c.values.size()) + " values for " +
                                           std::to_string(city.roads.edges.size()) + " road links");
    }
  }
  registerGdal();
  GdalQuiet quiet;
  auto ds = createGpkg(path);
  if (!ds)
    return core::Unexpected(ds.error());
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(city.crs.c_str()) != OGRERR_NONE)
    return fail(ErrorCode::BadInput, path + ": the city's CRS " + city.crs + " is unknown to GDAL");
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const double e0 = city.originE, n0 = city.originN;
  if ((*ds)->StartTransaction() != OGRERR_NONE)
    return fail(ErrorCode::Io, lastGdalError(path + ": cannot start a transaction"));

  // buildings
  OGRLayer* b = (*ds)->CreateLayer("buildings", &srs, wkbMultiPolygon, nullptr);
  if (b == nullptr)
    return fail(ErrorCode::Io, lastGdalError(path + ": cannot create the buildings layer"));
  for (const auto& [name, type] :
       std::vector<std::pair<const char*, OGRFieldType>>{{"building_id", OFTInteger64},
                                                         {"osm_id", OFTInteger64},
                                                         {"use", OFTString},
                                                         {"height_m", OFTReal},
                                                         {"floors", OFTInteger},
                                                         {"floor_area_m2", OFTReal},
                                                         {"footprint_m2", OFTReal},
                                                         {"year", OFTInteger},
                                                         {"residents", OFTReal},
                                                         {"jobs", OFTReal}}) {
    if (core::Status st = addField(b, name, type, path); !st)
      return st;
  }
  for (const ResultColumn& c : buildingColumns) {
    if (core::Status st = addField(b, c.name.c_str(), OFTReal, path); !st)
      return st;
  }
  for (std::size_t i = 0; i < city.buildings.size(); ++i) {
    const Building& bd = city.buildings[i];
    OGRFeature f(b->GetLayerDefn());
    f.SetField("building_id", static_cast<GIntBig>(i));
    f.SetField("osm_id", static_cast<GIntBig>(bd.sourceId));
    f.SetField("use", std::string(toString(bd.use)).c_str());
    f.SetField("height_m", bd.heightM);
    f.SetField("floors", bd.floors);
    f.SetField("floor_area_m2", bd.floorAreaM2);
    f.SetField("footprint_m2", bd.footprintM2);
    if (bd.constructionYear > 0)
      f.SetField("year", bd.constructionYear);
    f.SetField("residents", bd.residents);
    f.SetField("jobs", bd.jobs);
    for (const ResultColumn& c : buildingColumns)
      setReal(f, c.name.c_str(), c.values[i]);
    OGRMultiPolygon mp;
    for (const Polygon& part : bd.parts) {
      OGRPolygon poly;
      auto ring = [&](const Ring& r) {
        OGRLinearRing lr;
        for (const Vec2& p : r)
          lr.addPoint(p.x + e0, p.y + n0);
        lr.closeRings();
        poly.addRing(&lr);
      };
      if (part.outer.size() < 3)
        continue;
      ring(part.outer);
      for (const Ring& h : part.holes) {
        if (h.size() >= 3)
          ring(h);
      }
      mp.addGeometry(&poly);
    }
    f.SetGeometry(&mp);
    if (b->CreateFeature(&f) != OGRERR_NONE)
      return fail(ErrorCode::Io,
                  lastGdalError(path + ": cannot write building " + std::to_string(i)));
  }

  // road links
  OGRLayer* l = (*ds)->CreateLayer("road_links", &srs, wkbLineString, nullptr);
  if (l == nullptr)
    return fail(ErrorCode::Io, lastGdalError(path + ": cannot create the road_links layer"));
  for (const auto& [name, type] :
       std::vector<std::pair<const char*, OGRFieldType>>{{"link_id", OFTInteger64},
                                                         {"from_node", OFTInteger64},
                                                         {"to_node", OFTInteger64},
                                                         {"road_class", OFTString},
                                                         {"car", OFTInteger},
                                                         {"lanes", OFTInteger},
                                                         {"speed_kmh", OFTReal},
                                                         {"length_m", OFTReal}}) {
    if (core::Status st = addField(l, name, type, path); !st)
      return st;
  }
  for (const ResultColumn& c : linkColumns) {
    if (core::Status st = addField(l, c.name.c_str(), OFTReal, path); !st)
      return st;
  }
  for (std::size_t i = 0; i < city.roads.edges.size(); ++i) {
    const RoadEdge& e = city.roads.edges[i];
    OGRFeature f(l->GetLayerDefn());
    f.SetField("link_id", static_cast<GIntBig>(i));
    f.SetField("from_node", static_cast<GIntBig>(e.from));
    f.SetField("to_node", static_cast<GIntBig>(e.to));
    f.SetField("road_class", std::string(toString(e.roadClass)).c_str());
    f.SetField("car", e.carAllowed ? 1 : 0);
    f.SetField("lanes", e.lanes);
    f.SetField("speed_kmh", e.speedLimitMps * 3.6);
    f.SetField("length_m", e.lengthM);
    for (const ResultColumn& c : linkColumns)
      setReal(f, c.name.c_str(), c.values[i]);
    OGRLineString ls;
    for (const Vec2& p : e.geometry)
      ls.addPoint(p.x + e0, p.y + n0);
    f.SetGeometry(&ls);
    if (l->CreateFeature(&f) != OGRERR_NONE)
      return fail(ErrorCode::Io,
                  lastGdalError(path + ": cannot write road link " + std::to_string(i)));
  }
  // polygons the models published
  for (const ResultPolygonLayer& pl : polygonLayers) {
    if (pl.values.size() != pl.rings.size() || pl.name == "buildings" || pl.name == "road_links")
      return fail(ErrorCode::BadInput, "results layer " + pl.name + ": rings and values differ");
    const bool isLine = pl.geometry == ResultGeometry::Line;
    const bool isPoint = pl.geometry == ResultGeometry::Point;
    OGRLayer* p = (*ds)->CreateLayer(pl.name.c_str(), &srs,
                                     isLine    ? wkbLineString
                                     : isPoint ? wkbPoint
                                               : wkbPolygon,
                                     nullptr);
    if (p == nullptr)
      return fail(ErrorCode::Io, lastGdalError(path + ": cannot create the layer " + pl.name));
    const char* idField = isLine ? "line_id" : isPoint ? "point_id" : "polygon_id";
    if (core::Status st = addField(p, idField, OFTInteger64, path); !st)
      return st;
    if (core::Status st = addField(p, pl.column.c_str(), OFTReal, path); !st)
      return st;
    const std::size_t minPoints = isLine ? 2 : isPoint ? 1 : 3;
    for (std::size_t i = 0; i < pl.rings.size(); ++i) {
      if (pl.rings[i].size() < minPoints)
        continue;
      OGRFeature f(p->GetLayerDefn());
      f.SetField(idField, static_cast<GIntBig>(i));
      setReal(f, pl.column.c_str(), pl.values[i]);
      if (isLine) {
        OGRLineString ls;
        for (const Vec2& q : pl.rings[i])
          ls.addPoint(q.x + e0, q.y + n0);
        f.SetGeometry(&ls);
      } else if (isPoint) {
        OGRPoint pt(pl.rings[i][0].x + e0, pl.rings[i][0].y + n0);
        f.SetGeometry(&pt);
      } else {
        OGRPolygon poly;
        OGRLinearRing lr;
        for (const Vec2& q : pl.rings[i])
          lr.addPoint(q.x + e0, q.y + n0);
        lr.closeRings();
        poly.addRing(&lr);
        f.SetGeometry(&poly);
      }
      if (p->CreateFeature(&f) != OGRERR_NONE)
        return fail(ErrorCode::Io, lastGdalError(path + ": cannot write " + pl.name));
    }
  }
  // road-link values over time: an attribute table joined to road_links by link_id
  if (!linkSeries.times.empty()) {
    OGRLayer* t = (*ds)->CreateLayer("road_link_series", nullptr, wkbNone, nullptr);
    if (t == nullptr)
      return fail(ErrorCode::Io, lastGdalError(path + ": cannot create road_link_series"));
    if (core::Status st = addField(t, "link_id", OFTInteger64, path); !st)
      return st;
    if (core::Status st = addField(t, "time", OFTDateTime, path); !st)
      return st;
    for (const std::string& c : linkSeries.columns) {
      if (core::Status st = addField(t, c.c_str(), OFTReal, path); !st)
        return st;
    }
    // the rows follow through SQLite itself, once GDAL has closed the file (below)
  }
  if ((*ds)->CommitTransaction() != OGRERR_NONE)
    return fail(ErrorCode::Io, lastGdalError(path + ": cannot commit"));
  // closing flushes: a full disk shows here
  if (!closeChecked(*ds))
    return fail(ErrorCode::Io, lastGdalError(path + ": cannot finish the GeoPackage"));
  if (!linkSeries.times.empty())
    return appendLinkSeriesRows(path, linkSeries, city.roads.edges.size());
  return {};
}

core::Result<std::vector<std::string>> writeDifferenceGpkg(const std::string& basePath,
                                                           const std::string& variantPath,
                                                           const std::string& outPath) {
  registerGdal();
  GdalQuiet quiet;
  auto base = openGpkg(basePath);
  if (!base)
    return core::Unexpected(base.error());
  auto variant = openGpkg(variantPath);
  if (!variant)
    return core::Unexpected(variant.error());
  auto out = createGpkg(outPath);
  if (!out)
    return core::Unexpected(out.error());
  std::vector<std::string> written;
  if ((*out)->StartTransaction() != OGRERR_NONE)
    return fail(ErrorCode::Io, lastGdalError(outPath + ": cannot start a transaction"));
  for (OGRLayer* bl : (*base)->GetLayers()) {
    const std::string name = bl->GetName();
    OGRLayer* vl = (*variant)->GetLayerByName(name.c_str());
    if (vl == nullptr || vl->GetFeatureCount() != bl->GetFeatureCount())
      continue;
    if (bl->GetGeomType() == wkbNone)
      continue;  // a table over time (road_link_series): its rows need not line up
    OGRFeatureDefn* bd = bl->GetLayerDefn();
    OGRFeatureDefn* vd = vl->GetLayerDefn();
    std::vector<std::pair<int, int>> cols;  // base index, variant index
    std::vector<std::string> colNames;
    for (int i = 0; i < bd->GetFieldCount(); ++i) {
      const OGRFieldDefn* fd = bd->GetFieldDefn(i);
      const std::string fname = fd->GetNameRef();
      if (fd->GetType() != OFTReal || cityColumn(fname))
        continue;
      const int vi = vd->GetFieldIndex(fname.c_str());
      if (vi < 0 || vd->GetFieldDefn(vi)->GetType() != OFTReal)
        continue;
      cols.emplace_back(i, vi);
      colNames.push_back("delta_" + fname);
    }
    const int idField =
        bd->GetFieldCount() > 0 && bd->GetFieldDefn(0)->GetType() == OFTInteger64 ? 0 : -1;
    OGRLayer* dl = (*out)->CreateLayer((name + "_delta").c_str(), bl->GetSpatialRef(),
                                       bl->GetGeomType(), nullptr);
    if (dl == nullptr)
      return fail(ErrorCode::Io, lastGdalError(outPath + ": cannot create " + name + "_delta"));
    std::string idName = idField >= 0 ? bd->GetFieldDefn(0)->GetNameRef() : "";
    if (idField >= 0) {
      if (core::Status st = addField(dl, idName.c_str(), OFTInteger64, outPath); !st)
        return core::Unexpected(st.error());
    }
    for (const std::string& c : colNames) {
      if (core::Status st = addField(dl, c.c_str(), OFTReal, outPath); !st)
        return core::Unexpected(st.error());
    }
    bl->ResetReading();
    vl->ResetReading();
    while (true) {
      OGRFeatureUniquePtr bf(bl->GetNextFeature());
      OGRFeatureUniquePtr vf(vl->GetNextFeature());
      if (!bf || !vf)
        break;
      OGRFeature f(dl->GetLayerDefn());
      if (idField >= 0)
        f.SetField(idName.c_str(), bf->GetFieldAsInteger64(idField));
      for (std::size_t k = 0; k < cols.size(); ++k) {
        const auto [bi, vi] = cols[k];
        if (bf->IsFieldSetAndNotNull(bi) && vf->IsFieldSetAndNotNull(vi)) {
          f.SetField(colNames[k].c_str(), vf->GetFieldAsDouble(vi) - bf->GetFieldAsDouble(bi));
        } else {
          f.SetFieldNull(f.GetFieldIndex(colNames[k].c_str()));
        }
      }
      if (const OGRGeometry* g = bf->GetGeometryRef())
        f.SetGeometry(g);
      if (dl->CreateFeature(&f) != OGRERR_NONE)
        return fail(ErrorCode::Io, lastGdalError(outPath + ": cannot write " + name + "_delta"));
    }
    written.push_back(name + "_delta");
  }
  if ((*out)->CommitTransaction() != OGRERR_NONE)
    return fail(ErrorCode::Io, lastGdalError(outPath + ": cannot commit"));
  if (!closeChecked(*out))
    return fail(ErrorCode::Io, lastGdalError(outPath + ": cannot finish the GeoPackage"));
  return written;
}

core::Result<std::vector<MapFeature>> readMapLayer(const std::string& path,
                                                   const std::string& layer,
                                                   const std::string& column, double toleranceM) {
  registerGdal();
  GdalQuiet quiet;
  auto ds = openGpkg(path);
  if (!ds)
    return core::Unexpected(ds.error());
  OGRLayer* l = (*ds)->GetLayerByName(layer.c_str());
  if (l == nullptr)
    return fail(ErrorCode::BadInput, path + ": no layer " + layer);
  const int col = column.empty() ? -1 : l->GetLayerDefn()->GetFieldIndex(column.c_str());
  if (!column.empty() && col < 0)
    return fail(ErrorCode::BadInput, path + ": layer " + layer + " has no column " + column);
  std::vector<MapFeature> out;
  l->ResetReading();
  while (OGRFeatureUniquePtr f{l->GetNextFeature()}) {
    const OGRGeometry* g = f->GetGeometryRef();
    if (g == nullptr)
      continue;
    MapFeature m;
    m.value = col < 0 ? 0.0 : f->IsFieldSetAndNotNull(col) ? f->GetFieldAsDouble(col) : NAN;
    std::unique_ptr<OGRGeometry> simple(toleranceM > 0 ? g->SimplifyPreserveTopology(toleranceM)
                                                       : g->clone());
    if (!simple)
      simple.reset(g->clone());
    auto addPoly = [&](const OGRPolygon* p) {
      const OGRLinearRing* r = p->getExteriorRing();
      if (r == nullptr || r->getNumPoints() < 4)
        return;
      std::vector<Vec2> ring;
      for (int i = 0; i < r->getNumPoints() - 1; ++i)
        ring.push_back({r->getX(i), r->getY(i)});
      m.rings.push_back(std::move(ring));
    };
    const OGRwkbGeometryType t = wkbFlatten(simple->getGeometryType());
    if (t == wkbPolygon) {
      addPoly(simple->toPolygon());
    } else if (t == wkbMultiPolygon) {
      for (const OGRPolygon* p : *simple->toMultiPolygon())
        addPoly(p);
    } else if (t == wkbLineString) {
      const OGRLineString* ls = simple->toLineString();
      std::vector<Vec2> line;
      for (int i = 0; i < ls->getNumPoints(); ++i)
        line.push_back({ls->getX(i), ls->getY(i)});
      m.rings.push_back(std::move(line));
    }
    if (!m.rings.empty())
      out.push_back(std::move(m));
  }
  return out;
}

core::Result<std::vector<std::string>> realColumns(const std::string& path,
                                                   const std::string& layer) {
  registerGdal();
  GdalQuiet quiet;
  auto ds = openGpkg(path);
  if (!ds)
    return core::Unexpected(ds.error());
  OGRLayer* l = (*ds)->GetLayerByName(layer.c_str());
  if (l == nullptr)
    return fail(ErrorCode::BadInput, path + ": no layer " + layer);
  std::vector<std::string> out;
  OGRFeatureDefn* d = l->GetLayerDefn();
  for (int i = 0; i < d->GetFieldCount(); ++i) {
    if (d->GetFieldDefn(i)->GetType() == OFTReal)
      out.push_back(d->GetFieldDefn(i)->GetNameRef());
  }
  return out;
}

}  // namespace twin::gis
