// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the city model's attribute mapping, fed through small files GDAL opens. The first
// byte picks the format of the rest: 'o' an OpenStreetMap XML file (GDAL's OSM driver with our
// osmconf.ini, and libosmium for turn restrictions), 'j' a GeoJSON file (the vector reader's
// column mapping), 'g' a CityGML file (libcitygml); anything else goes to the tag rules alone
// (heights, speeds, years, use classes from tag text). Every input gives a city or one error,
// never a crash; a city that builds has finite, non-negative building figures.
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "gis/city_builder.hpp"
#include "gis/city_model.hpp"

namespace {

void rules(std::string_view text) {
  using namespace twin::gis::rules;
  (void)parseLength(text);
  (void)parseMaxspeed(text);
  (void)parseYear(text);
  (void)roadClass(text);
  // the text split at '|' into the tags a use class is decided from
  std::string_view tags[6];
  for (auto& t : tags) {
    const std::size_t bar = text.find('|');
    t = text.substr(0, bar);
    text = bar == std::string_view::npos ? std::string_view() : text.substr(bar + 1);
  }
  bool ancillary = false, known = false;
  const auto use =
      useFromTags(tags[0], tags[1], tags[2], tags[3], tags[4], tags[5], ancillary, known);
  if (defaultLevels(use) < 1)
    std::abort();
}

}  // namespace

extern "C" int TWIN_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::string_view body = all.substr(1);
  const char* ext = nullptr;
  switch (all[0]) {
    case 'o':
      ext = ".osm";
      break;
    case 'j':
      ext = ".geojson";
      break;
    case 'g':
      ext = ".gml";
      break;
    default:
      rules(all);
      return 0;
  }
  const std::string path = twin::fuzz::scratchDir() + "/city" + ext;
  twin::fuzz::writeFile(path, body);
  twin::gis::CityDef def;
  def.sources.emplace_back(path);
  def.crs = "EPSG:25832";
  def.osmConfig = TWIN_FUZZ_OSM_CONFIG;
  auto city = twin::gis::buildCity(def);
  if (!city) {
    if (city.error().message.empty())
      std::abort();  // a refusal must say why
    return 0;
  }
  for (const twin::gis::Building& b : city->buildings) {
    if (!std::isfinite(b.heightM) || b.heightM < 0 || !std::isfinite(b.footprintM2) ||
        b.footprintM2 < 0 || !std::isfinite(b.floorAreaM2) || !(b.residents >= 0) ||
        !(b.jobs >= 0) || b.floors < 1)
      std::abort();
  }
  return 0;
}
