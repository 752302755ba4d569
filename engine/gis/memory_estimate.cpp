// SPDX-License-Identifier: Apache-2.0
// The memory a city build will take, estimated from its sources before reading them
// (--max-memory). The costs below were measured on this engine's Release build with
// `/usr/bin/time -v citytwin inspect` (peak resident memory) on Debian 12:
//   - the engine with GDAL and PROJ loaded and a 199-building CityGML tile: 60 MiB;
//   - OpenStreetMap: Monaco (184 KB of PBF) 85 MB, Aachen (3.3 MB) 203 MB: 22 MiB for GDAL's
//     OSM driver and its node store, then 38 bytes per byte of PBF;
//   - CityGML: 1.7 bytes per byte of XML (NRW LoD2 tile, 3.4 MB of XML); 2 is used;
//   - GIS vector files: the synthetic city of tools/gen-city with 1,000,000 buildings, 125,500
//     streets and 62,500 land-use areas (1.19 M features) peaked at 1.45 GB: 1.2 KiB a feature;
//   - DEM rasters: a 4000 x 4000 Float32 grid added 101 MB: 6.3 bytes a cell; 8 is used.
// An .osm file (XML) holds the same data in about ten times the bytes of PBF.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/units.hpp"
#include "gis/city_builder.hpp"
#include "gis/detail/readers.hpp"

namespace twin::gis {
namespace {
namespace fs = std::filesystem;

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kEngineBytes = 60 * kMiB;
constexpr double kOsmFixedBytes = 22 * kMiB;
constexpr double kOsmPerPbfByte = 38.0;
constexpr double kOsmXmlPerByte = kOsmPerPbfByte / 10.0;
constexpr double kCityGmlPerXmlByte = 2.0;
constexpr double kVectorPerFeature = 1.2 * 1024.0;
constexpr double kDemPerCell = 8.0;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// the uncompressed size of a gzip file: its last four bytes (RFC 1952 ISIZE, modulo 2^32),
// never less than the compressed size
double gunzippedBytes(const std::string& path, double compressed) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(-4, std::ios::end);
  unsigned char b[4] = {0, 0, 0, 0};
  if (!in.read(reinterpret_cast<char*>(b), 4))
    return compressed;
  const double isize = static_cast<double>(
      static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
      static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24);
  return std::max(isize, compressed);
}

std::string count(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string s = buf, out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0)
      out += ',';
    out += s[i];
  }
  return out;
}

}  // namespace

core::Result<MemoryEstimate> estimateCityMemory(const CityDef& def) {
  GDALAllRegister();  // idempotent; the readers have not run yet
  MemoryEstimate e;
  double total = kEngineBytes;
  std::string parts;
  auto add = [&](double bytes, const std::string& what) {
    total += bytes;
    parts += (parts.empty() ? "" : ", ") + what + " " +
             core::formatBytes(static_cast<std::uint64_t>(bytes));
  };
  for (const CitySource& src : def.sources) {
    std::error_code ec;
    const auto size = fs::file_size(src.path, ec);
    if (ec)
      continue;  // the build names a missing or unreadable source with its own message
    const double bytes = static_cast<double>(size);
    const std::string name = fs::path(src.path).filename().string();
    const std::string lname = lower(name);
    switch (detail::kindOf(src)) {
      case detail::SourceKind::Osm:
        add(kOsmFixedBytes + bytes * (lname.ends_with(".osm") ? kOsmXmlPerByte : kOsmPerPbfByte),
            name + " (OpenStreetMap, " + core::formatBytes(size) + ")");
        break;
      case detail::SourceKind::CityGml: {
        const double xml = lname.ends_with(".gz") ? gunzippedBytes(src.path, bytes) : bytes;
        add(xml * kCityGmlPerXmlByte,
            name + " (CityGML, " + core::formatBytes(static_cast<std::uint64_t>(xml)) + " of XML)");
        break;
      }
      case detail::SourceKind::Vector: {
        std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(GDALOpenEx(
            src.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
        if (!ds)
          continue;  // the build reports it
        double features = 0.0;
        for (OGRLayer* l : ds->GetLayers()) {
          if (!src.layer.empty() && src.layer != l->GetName())
            continue;
          features += static_cast<double>(std::max<GIntBig>(l->GetFeatureCount(TRUE), 0));
        }
        add(features * kVectorPerFeature, name + " (" + count(features) + " features)");
        break;
      }
      case detail::SourceKind::Dem: {
        std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(GDALOpenEx(
            src.path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
        if (!ds)
          continue;
        const double cells =
            static_cast<double>(ds->GetRasterXSize()) * static_cast<double>(ds->GetRasterYSize());
        add(cells * kDemPerCell, name + " (" + count(cells) + " cells)");
        break;
      }
      case detail::SourceKind::Unknown:
        break;
    }
  }
  e.bytes = static_cast<std::uint64_t>(total);
  e.detail = parts.empty()
                 ? "the engine alone"
                 : parts + ", and " + core::formatBytes(static_cast<std::uint64_t>(kEngineBytes)) +
                       " for the engine";
  return e;
}

std::uint64_t machineMemoryBytes() {
  std::uint64_t total = 0;
  if (std::ifstream m("/proc/meminfo"); m) {
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (m >> key >> kib >> unit) {
      if (key == "MemTotal:") {
        total = kib * 1024;
        break;
      }
    }
  }
  // a container's limit (cgroup v2, then v1) when it is lower
  for (const char* f :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream c(f);
    std::uint64_t limit = 0;
    if (c >> limit && limit > 0 && (total == 0 || limit < total))
      total = limit;
  }
  return total;
}

std::uint64_t peakResidentBytes() {
  rusage u{};
  if (::getrusage(RUSAGE_SELF, &u) != 0)
    return 0;
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;  // Linux: kilobytes
}

}  // namespace twin::gis
