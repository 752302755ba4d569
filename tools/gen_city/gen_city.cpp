// SPDX-License-Identifier: Apache-2.0
// gen-city: writes a synthetic city of N buildings as a GeoPackage, for the limit and scale tests
// of the city loader (issue: robustness). The city is a grid of street blocks, 16 buildings to a
// block, with a street network between the blocks (a primary road every tenth line, the rest
// residential) and one land-use area per block. Columns are named like the OSM keys the vector
// reader maps without configuration (building, height, building:levels, highway, lanes,
// maxspeed, landuse), so the file is a city source as it is:
//   city: {sources: [city.gpkg], crs: EPSG:25832}
// Footprint sizes, heights and the use mix follow a small fixed table with seeded jitter, so the
// same arguments write the same file.
//   gen-city [--buildings N] [--seed S] [--origin E,N] -o FILE.gpkg
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/rng.hpp"

namespace {

constexpr int kPerSide = 4;                                 // buildings per block side
constexpr double kBlockM = 100.0;                           // block pitch, street to street
constexpr double kStreetM = 16.0;                           // street corridor width
constexpr double kPlotM = (kBlockM - kStreetM) / kPerSide;  // 21 m plots

struct Use {
  const char* building;
  const char* landuse;
  double share;      // of all buildings
  double minHeight;  // m
  double maxHeight;
};
// a mid-size German town's mix, roughly: homes dominate, some shops, offices, industry, schools
constexpr Use kUses[] = {
    {"residential", "residential", 0.45, 6.0, 12.0},
    {"apartments", "residential", 0.25, 12.0, 24.0},
    {"retail", "retail", 0.08, 5.0, 10.0},
    {"office", "commercial", 0.07, 10.0, 40.0},
    {"industrial", "industrial", 0.08, 8.0, 18.0},
    {"school", "education", 0.02, 8.0, 14.0},
    {"garage", "residential", 0.05, 2.5, 3.5},
};

int usage(const char* self) {
  std::fprintf(stderr,
               "usage: %s [--buildings N] [--seed S] [--origin E,N] -o FILE.gpkg\n"
               "  N: 1..20000000 buildings (default 1000000); the city is written in EPSG:25832\n"
               "  with its south-west corner at E,N (default 350000,5650000)\n",
               self);
  return 2;
}

OGRPolygon rectangle(double x0, double y0, double x1, double y1) {
  OGRLinearRing ring;
  ring.addPoint(x0, y0);
  ring.addPoint(x1, y0);
  ring.addPoint(x1, y1);
  ring.addPoint(x0, y1);
  ring.addPoint(x0, y0);
  OGRPolygon p;
  p.addRing(&ring);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  long long buildings = 1'000'000;
  std::uint64_t seed = 1;
  double originE = 350000.0, originN = 5650000.0;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--buildings") {
      const char* v = value();
      char* end = nullptr;
      buildings = v != nullptr ? std::strtoll(v, &end, 10) : -1;
      if (v == nullptr || *end != '\0' || buildings < 1 || buildings > 20'000'000)
        return usage(argv[0]);
    } else if (a == "--seed") {
      const char* v = value();
      if (v == nullptr)
        return usage(argv[0]);
      seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--origin") {
      const char* v = value();
      if (v == nullptr || std::sscanf(v, "%lf,%lf", &originE, &originN) != 2 ||
          !std::isfinite(originE) || !std::isfinite(originN))
        return usage(argv[0]);
    } else if (a == "-o" || a == "--out") {
      const char* v = value();
      if (v == nullptr)
        return usage(argv[0]);
      out = v;
    } else if (a == "-h" || a == "--help") {
      usage(argv[0]);
      return 0;
    } else {
      std::fprintf(stderr, "gen-city: unknown option '%s'\n", a.c_str());
      return usage(argv[0]);
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "gen-city: -o FILE.gpkg is needed\n");
    return usage(argv[0]);
  }

  GDALAllRegister();
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (drv == nullptr) {
    std::fprintf(stderr, "gen-city: GDAL has no GPKG driver\n");
    return 1;
  }
  // written beside the target and renamed when complete: a failed run leaves no half city
  const std::string temp = out + ".partial.gpkg";
  std::filesystem::remove(temp);
  std::unique_ptr<GDALDataset> ds(drv->Create(temp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) {
    std::fprintf(stderr, "gen-city: cannot create %s: %s\n", temp.c_str(), CPLGetLastErrorMsg());
    return 1;
  }
  OGRSpatialReference srs;
  srs.importFromEPSG(25832);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRLayer* bl = ds->CreateLayer("buildings", &srs, wkbPolygon, nullptr);
  OGRLayer* rl = ds->CreateLayer("roads", &srs, wkbLineString, nullptr);
  OGRLayer* ll = ds->CreateLayer("landuse", &srs, wkbPolygon, nullptr);
  if (bl == nullptr || rl == nullptr || ll == nullptr) {
    std::fprintf(stderr, "gen-city: cannot create the layers: %s\n", CPLGetLastErrorMsg());
    return 1;
  }
  auto field = [](OGRLayer* l, const char* name, OGRFieldType t) {
    OGRFieldDefn f(name, t);
    return l->CreateField(&f) == OGRERR_NONE;
  };
  bool ok = field(bl, "building", OFTString) && field(bl, "height", OFTReal) &&
            field(bl, "building:levels", OFTInteger) && field(rl, "highway", OFTString) &&
            field(rl, "lanes", OFTInteger) && field(rl, "maxspeed", OFTInteger) &&
            field(rl, "oneway", OFTString) && field(ll, "landuse", OFTString);
  if (!ok) {
    std::fprintf(stderr, "gen-city: cannot create the columns: %s\n", CPLGetLastErrorMsg());
    return 1;
  }

  const auto blocks = (buildings + kPerSide * kPerSide - 1) / (kPerSide * kPerSide);
  const auto side = static_cast<long long>(std::ceil(std::sqrt(static_cast<double>(blocks))));
  twin::core::RngStream rng = twin::core::makeRngStream(seed, "gen-city");
  ds->StartTransaction();
  long long written = 0, roads = 0;
  for (long long by = 0; by < side && written < buildings; ++by) {
    for (long long bx = 0; bx < side && written < buildings; ++bx) {
      const double x0 = originE + static_cast<double>(bx) * kBlockM + kStreetM / 2;
      const double y0 = originN + static_cast<double>(by) * kBlockM + kStreetM / 2;
      // the block's use: one class per block, as towns zone them
      double u = rng.uniform(), acc = 0.0;
      const Use* use = &kUses[0];
      for (const Use& c : kUses) {
        acc += c.share;
        if (u < acc) {
          use = &c;
          break;
        }
      }
      {
        OGRFeature f(ll->GetLayerDefn());
        f.SetField("landuse", use->landuse);
        const double w = kBlockM - kStreetM;
        f.SetGeometry(&(static_cast<const OGRGeometry&>(rectangle(x0, y0, x0 + w, y0 + w))));
        ok = ok && ll->CreateFeature(&f) == OGRERR_NONE;
      }
      for (int j = 0; j < kPerSide * kPerSide && written < buildings; ++j, ++written) {
        const double px = x0 + (j % kPerSide) * kPlotM;
        const double py = y0 + (j / kPerSide) * kPlotM;
        const double w = 10.0 + 8.0 * rng.uniform();  // 10..18 m footprints
        const double d = 9.0 + 8.0 * rng.uniform();
        const double mx = (kPlotM - w) / 2, my = (kPlotM - d) / 2;
        const double h = use->minHeight + (use->maxHeight - use->minHeight) * rng.uniform();
        OGRFeature f(bl->GetLayerDefn());
        f.SetField("building", use->building);
        f.SetField("height", std::round(h * 10) / 10);
        f.SetField("building:levels", std::max(1, static_cast<int>(h / 3.0)));
        f.SetGeometry(&(static_cast<const OGRGeometry&>(
            rectangle(px + mx, py + my, px + mx + w, py + my + d))));
        ok = ok && bl->CreateFeature(&f) == OGRERR_NONE;
      }
      if (!ok) {
        std::fprintf(stderr, "gen-city: cannot write a feature: %s\n", CPLGetLastErrorMsg());
        return 1;
      }
    }
    if (by % 64 == 63) {  // commit in chunks: GeoPackage's journal stays small
      ds->CommitTransaction();
      ds->StartTransaction();
    }
  }
  // streets: every grid line between blocks, one segment per block edge, so that junctions are
  // nodes of the graph; a primary road on every tenth line
  const long long blockRows = ((written + 15) / 16 + side - 1) / side;
  auto street = [&](double xa, double ya, double xb, double yb, bool primary) {
    OGRLineString ls;
    ls.addPoint(xa, ya);
    ls.addPoint(xb, yb);
    OGRFeature f(rl->GetLayerDefn());
    f.SetField("highway", primary ? "primary" : "residential");
    f.SetField("lanes", primary ? 2 : 1);
    f.SetField("maxspeed", primary ? 50 : 30);
    f.SetField("oneway", "no");
    f.SetGeometry(&ls);
    ok = ok && rl->CreateFeature(&f) == OGRERR_NONE;
    ++roads;
  };
  for (long long line = 0; line <= blockRows; ++line) {
    const double y = originN + static_cast<double>(line) * kBlockM;
    for (long long k = 0; k < side; ++k) {
      const double x = originE + static_cast<double>(k) * kBlockM;
      street(x, y, x + kBlockM, y, line % 10 == 0);
    }
  }
  for (long long line = 0; line <= side; ++line) {
    const double x = originE + static_cast<double>(line) * kBlockM;
    for (long long k = 0; k < blockRows; ++k) {
      const double y = originN + static_cast<double>(k) * kBlockM;
      street(x, y, x, y + kBlockM, line % 10 == 0);
    }
  }
  if (!ok || ds->CommitTransaction() != OGRERR_NONE) {
    std::fprintf(stderr, "gen-city: cannot write %s: %s\n", temp.c_str(), CPLGetLastErrorMsg());
    return 1;
  }
  ds.reset();
  std::error_code ec;
  std::filesystem::rename(temp, out, ec);
  if (ec) {
    std::fprintf(stderr, "gen-city: cannot rename %s to %s: %s\n", temp.c_str(), out.c_str(),
                 ec.message().c_str());
    return 1;
  }
  std::printf("%s: %lld buildings in %lld blocks, %lld road segments, %.1f x %.1f km\n",
              out.c_str(), written, (written + 15) / 16, roads,
              static_cast<double>(side) * kBlockM / 1000,
              static_cast<double>(blockRows) * kBlockM / 1000);
  return 0;
}
