// SPDX-License-Identifier: Apache-2.0
#include "rooftop_pv.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "solar/pv.hpp"
#include "solar/spa.hpp"

namespace twin::energy {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

bool insideRing(std::span<const double> ring, double x, double y) {
  bool in = false;
  const std::size_t n = ring.size() / 2;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const double xi = ring[2 * i], yi = ring[2 * i + 1], xj = ring[2 * j], yj = ring[2 * j + 1];
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
      in = !in;
  }
  return in;
}

int dayOfYear(int y, int m, int d) {
  static constexpr int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return kCum[m - 1] + d + (leap && m > 2 ? 1 : 0);
}

}  // namespace

std::vector<std::array<double, 2>> roofSamplePoints(std::span<const std::span<const double>> rings,
                                                    double spacing) {
  std::vector<std::array<double, 2>> out;
  for (std::span<const double> r : rings) {
    if (r.size() < 6)
      continue;
    double x0 = r[0], x1 = r[0], y0 = r[1], y1 = r[1], mx = 0, my = 0;
    for (std::size_t i = 0; i + 1 < r.size(); i += 2) {
      x0 = std::min(x0, r[i]);
      x1 = std::max(x1, r[i]);
      y0 = std::min(y0, r[i + 1]);
      y1 = std::max(y1, r[i + 1]);
      mx += r[i];
      my += r[i + 1];
    }
    const std::size_t before = out.size();
    for (double x = x0 + spacing / 2; x < x1; x += spacing) {
      for (double y = y0 + spacing / 2; y < y1; y += spacing) {
        if (insideRing(r, x, y))
          out.push_back({x, y});
      }
    }
    if (out.size() == before) {
      const double n = static_cast<double>(r.size() / 2);
      out.push_back({mx / n, my / n});
    }
  }
  return out;
}

Civil civilFromUnix(double unixS) {
  const auto whole = static_cast<std::int64_t>(std::floor(unixS));
  std::int64_t days = whole / 86400;
  std::int64_t secs = whole % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // days since 1970-01-01 -> civil (Hinnant, "chrono-compatible low-level date algorithms")
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return {static_cast<int>(y),
          static_cast<int>(m),
          static_cast<int>(d),
          static_cast<int>(secs / 3600),
          static_cast<int>(secs % 3600 / 60),
          static_cast<double>(secs % 60) + (unixS - std::floor(unixS))};
}

RooftopPv::RooftopPv(const sdk::Config& c)
    : rays_(c.rays()),
      startUnixS_(c.startUnixS()),
      periodH_(static_cast<double>(c.periodTicks()) * static_cast<double>(c.tickNs()) / 3.6e12),
      tiltDeg_(c.number("tilt")),
      azimuthDeg_(c.number("azimuth")),
      losses_(c.number("system_losses")),
      co2GPerKWh_(c.number("grid_co2")),
      binRad_(c.number("sun_bin") * kDeg) {
  const TwinCityInfo* city = c.city();
  if (city == nullptr || city->buildings == nullptr)
    throw std::invalid_argument("energy.pv needs a city (city.sources in the scenario)");
  if (!rays_.available())
    throw std::invalid_argument("energy.pv needs the host's ray casts (citytwin 1.2 or newer)");
  if (city->struct_size < offsetof(TwinCityInfo, centre_lon_deg) + sizeof(double) ||
      (city->centre_lat_deg == 0.0 && city->centre_lon_deg == 0.0))
    throw std::invalid_argument("energy.pv needs the city's position (latitude, longitude)");
  latDeg_ = city->centre_lat_deg;
  lonDeg_ = city->centre_lon_deg;
  const double eff = c.number("module_efficiency"), cover = c.number("roof_coverage"),
               pitched = c.number("pitched_share"), minArea = c.number("min_roof_area"),
               spacing = c.number("sample_spacing");
  auto unit = [](double v) { return std::isfinite(v) && v > 0 && v <= 1; };
  if (!unit(eff) || !unit(cover) || !unit(pitched))
    throw std::invalid_argument(
        "module_efficiency, roof_coverage and pitched_share must lie in (0, 1]");
  if (!(spacing >= 0.5) || !(binRad_ > 0) || !(losses_ >= 0 && losses_ < 1) ||
      !std::isfinite(tiltDeg_) || tiltDeg_ < 0 || tiltDeg_ > 90 || !std::isfinite(azimuthDeg_) ||
      !(minArea >= 0) || !(co2GPerKWh_ >= 0))
    throw std::invalid_argument(
        "sample_spacing >= 0.5 m, sun_bin > 0, 0 <= system_losses < 1, tilt 0..90 deg and "
        "min_roof_area >= 0 and grid_co2 >= 0 are required");
  buildingCount_ = city->building_count;
  sampleStart_.push_back(0);
  for (std::size_t i = 0; i < city->building_count; ++i) {
    const TwinBuilding& b = city->buildings[i];
    if (b.ancillary != 0 || b.footprint_m2 < minArea || b.height_m <= 0)
      continue;
    const auto rings = sdk::buildingOutline(city, i);
    if (rings.empty())
      throw std::invalid_argument("energy.pv needs the buildings' outlines (citytwin 1.2)");
    const double usable = b.footprint_m2 * cover * (b.roof_shape == 0 ? 1.0 : pitched);
    roofBuilding_.push_back(static_cast<std::uint32_t>(i));
    kWp_.push_back(usable * eff);  // 1 kW/m2 at STC
    for (const auto& p : roofSamplePoints(rings, spacing))
      samples_.push_back({p[0], p[1], b.ground_z + b.height_m + 0.3});
    sampleStart_.push_back(static_cast<std::uint32_t>(samples_.size()));
  }
  energyKWh_.assign(kWp_.size(), 0.0);
  unshadedKWh_.assign(kWp_.size(), 0.0);
}

const std::vector<float>& RooftopPv::shading(int azBin, int elBin, double binRad) {
  auto it = cache_.find({azBin, elBin});
  if (it != cache_.end())
    return it->second;
  const double az = (azBin + 0.5) * binRad, el = (elBin + 0.5) * binRad;
  const double dx = std::sin(az) * std::cos(el), dy = std::cos(az) * std::cos(el),
               dz = std::sin(el);
  std::vector<TwinRay> rays(samples_.size());
  for (std::size_t i = 0; i < samples_.size(); ++i)
    rays[i] = {samples_[i][0], samples_[i][1], samples_[i][2], dx, dy, dz, 3000.0};
  std::vector<std::uint8_t> blocked(rays.size());
  rays_.anyHit(rays, blocked);
  std::vector<float> share(kWp_.size(), 0.0f);
  for (std::size_t r = 0; r < kWp_.size(); ++r) {
    std::uint32_t n = 0;
    for (std::uint32_t k = sampleStart_[r]; k < sampleStart_[r + 1]; ++k)
      n += blocked[k];
    const std::uint32_t total = sampleStart_[r + 1] - sampleStart_[r];
    share[r] = total > 0 ? static_cast<float>(n) / static_cast<float>(total) : 0.0f;
  }
  return cache_.emplace(std::make_pair(azBin, elBin), std::move(share)).first->second;
}

TwinStatus RooftopPv::step(sdk::Step& s) {
  const double beam = std::max(0.0, s.inputOr(kBeam, 0.0));
  const double diffuse = std::max(0.0, s.inputOr(kDiffuse, 0.0));
  const double ta = s.inputOr(kTemperature, 15.0);
  const Civil t = civilFromUnix(static_cast<double>(startUnixS_) + s.timeS());
  solar::SpaInput in;
  in.year = t.year;
  in.month = t.month;
  in.day = t.day;
  in.hour = t.hour;
  in.minute = t.minute;
  in.second = t.second;
  in.latitudeDeg = latDeg_;
  in.longitudeDeg = lonDeg_;
  in.temperatureC = ta;
  const solar::SpaResult sun = solar::spa(in, false);
  power_ = 0.0;
  shadedShare_ = 0.0;
  std::vector<double> perBuilding(buildingCount_, 0.0);
  const double elevation = 90.0 - sun.zenith;
  if (elevation > 0.0 && beam + diffuse > 0.0) {
    const double extra = solar::extraterrestrialNormal(dayOfYear(t.year, t.month, t.day));
    const solar::PlaneIrradiance poa =
        solar::hayDavies(beam, diffuse, sun.zenith, sun.azimuth, tiltDeg_, azimuthDeg_, extra);
    const auto azBin = static_cast<int>(std::floor(sun.azimuth * kDeg / binRad_));
    const auto elBin = static_cast<int>(std::floor(elevation * kDeg / binRad_));
    const std::vector<float>& shaded = shading(azBin, elBin, binRad_);
    double samplesShaded = 0.0;
    for (std::size_t r = 0; r < kWp_.size(); ++r) {
      solar::PvSystem pv;
      pv.kWp = kWp_[r];
      pv.systemLosses = losses_;
      // the city shades the direct beam; the sky's diffuse light and ground reflection stay
      const double lit =
          poa.beam * (1.0 - static_cast<double>(shaded[r])) + poa.diffuse + poa.ground;
      const double p = solar::pvAcPower(pv, lit, ta);
      const double open = solar::pvAcPower(pv, poa.poa, ta);
      power_ += p;
      perBuilding[roofBuilding_[r]] += p;
      energyKWh_[r] += p * periodH_;
      unshadedKWh_[r] += open * periodH_;
      energy_ += p * periodH_;
      unshaded_ += open * periodH_;
      samplesShaded += static_cast<double>(shaded[r]) *
                       static_cast<double>(sampleStart_[r + 1] - sampleStart_[r]);
    }
    shadedShare_ =
        samples_.empty() ? 0.0 : 100.0 * samplesShaded / static_cast<double>(samples_.size());
  }
  peak_ = std::max(peak_, power_);
  s.output(kPower, power_);
  s.output(kShadedShare, shadedShare_);
  s.output(kBuildingPower, perBuilding);
  return TWIN_OK;
}

void RooftopPv::publish(sdk::Publisher& out) const {
  using P = sdk::Publisher;
  std::vector<double> perBuilding(buildingCount_, std::nan(""));
  for (std::size_t r = 0; r < roofBuilding_.size(); ++r)
    perBuilding[roofBuilding_[r]] = energyKWh_[r];
  out.entityValues(
      P::layer("energy", TWIN_LAYER_BUILDING_VALUES, "PV energy so far", "kWh", TWIN_SCALE_MAGMA),
      perBuilding);
  // the share of each roof's energy the city's shade took (energy-weighted over the run)
  std::vector<double> shading(buildingCount_, std::nan(""));
  for (std::size_t r = 0; r < roofBuilding_.size(); ++r)
    if (unshadedKWh_[r] > 0)
      shading[roofBuilding_[r]] = 100.0 * (1.0 - energyKWh_[r] / unshadedKWh_[r]);
  out.entityValues(P::layer("shading", TWIN_LAYER_BUILDING_VALUES, "PV lost to shade so far", "%",
                            TWIN_SCALE_VIRIDIS, 0.0, 50.0),
                   shading);
}

std::vector<std::uint8_t> RooftopPv::saveState() const {
  sdk::StateWriter w;
  w.put(energy_).put(unshaded_).put(peak_).put(power_).put(shadedShare_);
  for (double e : energyKWh_)
    w.put(e);
  for (double e : unshadedKWh_)
    w.put(e);
  return w.take();
}

void RooftopPv::loadState(std::span<const std::uint8_t> s) {
  sdk::StateReader r(s);
  energy_ = r.get<double>();
  unshaded_ = r.get<double>();
  peak_ = r.get<double>();
  power_ = r.get<double>();
  shadedShare_ = r.get<double>();
  for (double& e : energyKWh_)
    e = r.get<double>();
  for (double& e : unshadedKWh_)
    e = r.get<double>();
  r.expectEnd();
}

std::vector<double> RooftopPv::kpis() const {
  double installed = 0.0;
  for (double k : kWp_)
    installed += k;
  return {static_cast<double>(kWp_.size()),
          installed,
          energy_,
          peak_,
          unshaded_ > 0 ? 100.0 * (1.0 - energy_ / unshaded_) : 0.0,
          installed > 0 ? energy_ / installed : 0.0,
          energy_ * co2GPerKWh_ / 1e6};
}

}  // namespace twin::energy
