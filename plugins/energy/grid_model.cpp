// SPDX-License-Identifier: Apache-2.0
#include "grid_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "rooftop_pv.hpp"  // civilFromUnix
#include "tmy_weather.hpp"

namespace twin::energy {
namespace {

constexpr double kDay = 86400.0;
constexpr std::uint64_t kPvIds = 1ULL << 40, kCarIds = 1ULL << 41, kFleetIds = 1ULL << 42,
                        kSessionIds = 1ULL << 43;
constexpr std::size_t kMaxCarsPerBuilding = 256;

// Non-residential buildings: annual electricity and heat per m2 of gross floor area, and the
// profiles that shape them. Assumptions of the order of the German reference values for
// non-residential buildings (BMWi/BMUB "Vergleichswerte für den Energieverbrauch von
// Nichtwohngebäuden", 2015); calibrate against metered data where the city has it.
struct UseIntensity {
  double electricityKWhPerM2, heatKWhPerM2;
  const char* loadProfile;  // BDEW electricity profile
  const char* heatType;     // SigLinDe type
};
const UseIntensity& intensity(std::int32_t useClass) {
  static const UseIntensity kTable[] = {
      {0, 0, "h0", "MFH"},     // residential: not used (TABULA and residents)
      {80, 90, "g4", "GHA"},   // commercial: shops
      {50, 100, "g1", "GKO"},  // office
      {60, 80, "g0", "GMK"},   // industrial (workshops, light industry in the city)
      {30, 100, "g1", "GHD"},  // public
      {20, 90, "g1", "GHD"},   // education
      {90, 150, "g3", "GBH"},  // health: continuous operation
      {20, 60, "g0", "GHD"},   // other
  };
  const auto k = static_cast<std::size_t>(std::clamp(useClass, 0, 7));
  return kTable[k];
}

double tanPhi(double pf) {
  return std::sqrt(1.0 - pf * pf) / pf;
}

// seconds of [a0, a1) inside [b0, b1)
double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace

DailyProfile DailyProfile::load(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open the daily profile");
  DailyProfile p;
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty() || line[0] == '#' || (lineNo == 1 && line.rfind("time", 0) == 0))
      continue;
    const std::string where = path + ":" + std::to_string(lineNo) + ": ";
    int hh = -1, mm = -1, used = 0;
    double v = 0;
    if (std::sscanf(line.c_str(), "%d:%d,%lf%n", &hh, &mm, &v, &used) != 3 ||
        static_cast<std::size_t>(used) != line.size() || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
        !std::isfinite(v) || v < 0)
      throw std::runtime_error(where + "expected 'HH:MM,value' with a value >= 0, got '" + line +
                               "'");
    const double s = hh * 3600.0 + mm * 60.0;
    if (p.startS.empty() ? s != 0.0 : s <= p.startS.back())
      throw std::runtime_error(where + "rows must start at 00:00 and go forward in time");
    p.startS.push_back(s);
    p.values.push_back(v);
  }
  if (p.values.empty())
    throw std::runtime_error(path + ": no rows 'HH:MM,value'");
  return p;
}

double DailyProfile::at(double secondsOfDay) const {
  const auto it = std::upper_bound(startS.begin(), startS.end(), secondsOfDay);
  return values[static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, it - startS.begin() - 1))];
}

ChargingSession chargingSession(std::uint64_t seed, std::string_view instance, std::uint64_t id,
                                std::int64_t day, double kmPerYear, double kWhPerKm,
                                double chargerKW, Charging mode) {
  // one stream per car and day (days from -1 up: offset so the id stays non-negative)
  sdk::EntityRandom r(seed, instance,
                      kSessionIds ^ (id * 4096ULL + static_cast<std::uint64_t>(day + 8)));
  const double meanKm = kmPerYear / 365.0;
  const double km = std::min(400.0, -meanKm * std::log(1.0 - r.uniform()));
  const double kWh = km * kWhPerKm;
  ChargingSession s;
  s.durationS = chargerKW > 0 ? kWh / chargerKW * 3600.0 : 0.0;
  // arrival at home
  double arrivalH;
  if (r.uniform() < 0.75) {
    // Box-Muller
    const double u1 = std::max(1e-12, r.uniform()), u2 = r.uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
    arrivalH = std::clamp(17.5 + 1.25 * z, 12.0, 23.5);
  } else {
    arrivalH = 10.0 + 11.0 * r.uniform();
  }
  double startH = arrivalH;
  if (mode == Charging::Smart) {
    const double latest = 24.0 + 6.5 - s.durationS / 3600.0;  // ends by 06:30 next morning
    const double earliest = std::max(arrivalH, 22.0);
    startH = latest > earliest ? earliest + (latest - earliest) * r.uniform() : earliest;
  }
  s.startS = static_cast<double>(day) * kDay + startH * 3600.0;
  return s;
}

GridModel::GridModel(const sdk::Config& c)
    : city_(c.city()),
      host_(c.host()),
      instance_(c.instanceName()),
      seed_(c.seed()),
      startUnixS_(c.startUnixS()),
      utcOffsetS_(c.utcOffsetS()),
      periodS_(static_cast<double>(c.periodTicks()) * static_cast<double>(c.tickNs()) * 1e-9),
      slp_(c.text("load_profile_set") == "bdew2025"
               ? StandardLoadProfiles::load2025(c.text("load_profiles_2025"))
           : c.text("load_profile_set") == "bdew1999"
               ? StandardLoadProfiles::load(c.text("load_profiles"))
               : throw std::runtime_error("load_profile_set '" + c.text("load_profile_set") +
                                          "': expected bdew1999 or bdew2025")),
      heat_(HeatProfiles::load(c.text("heat_profiles"))),
      climate_(weather::readTry2010(c.text("climate"))),
      types_(GridTypes::load(c.text("grid_types"))),
      threads_(c.threads()) {
  if (city_ == nullptr || city_->building_count == 0)
    throw std::runtime_error("energy.grid needs a scenario city with buildings");
  const Tabula tabula = Tabula::load(c.text("typology"));
  auto share = [&](const char* name) {
    const double v = c.number(name);
    if (!(v >= 0.0 && v <= 1.0))
      throw std::runtime_error(std::string(name) + " must be between 0 and 1");
    return v;
  };
  const double hpShare = share("heat_pump_share"), dhShare = share("district_heat_share"),
               oilShare = share("oil_share"), pvShare = share("pv_share"),
               evShare = share("ev_share"), designPvShare = share("design_pv_share");
  if (hpShare + dhShare > 1.0 + 1e-12)
    throw std::runtime_error("heat_pump_share + district_heat_share must not exceed 1");
  boilerEff_ = c.number("boiler_efficiency");
  kmPerYear_ = c.number("car_km_per_year");
  kWhPerKm_ = c.number("ev_consumption");
  chargerKW_ = c.number("charger_power");
  band_ = c.number("voltage_band");
  gridCo2_ = c.number("grid_co2");
  if (const std::string profile = c.text("grid_co2_profile"); !profile.empty())
    gridCo2Profile_ = DailyProfile::load(profile);
  gasCo2_ = c.number("gas_co2");
  oilCo2_ = c.number("oil_co2");
  dhLossW_ = c.number("dh_loss_per_metre");
  dhPumpShare_ = c.number("dh_pump_share");
  const double carsPerResident = c.number("cars_per_resident");
  const double householdKWh = c.number("household_consumption");
  for (auto [name, v] : {std::pair{"boiler_efficiency", boilerEff_},
                         {"car_km_per_year", kmPerYear_},
                         {"ev_consumption", kWhPerKm_},
                         {"charger_power", chargerKW_},
                         {"voltage_band", band_},
                         {"cars_per_resident", carsPerResident},
                         {"household_consumption", householdKWh}})
    if (!(v > 0.0) || !std::isfinite(v))
      throw std::runtime_error(std::string(name) + " must be a positive number");
  for (auto [name, v] : {std::pair{"grid_co2", gridCo2_},
                         {"gas_co2", gasCo2_},
                         {"oil_co2", oilCo2_},
                         {"dh_loss_per_metre", dhLossW_},
                         {"dh_pump_share", dhPumpShare_}})
    if (!(v >= 0.0) || !std::isfinite(v))
      throw std::runtime_error(std::string(name) + " must not be negative");
  const std::string mode = c.text("charging");
  if (mode == "uncontrolled")
    charging_ = Charging::Uncontrolled;
  else if (mode == "smart")
    charging_ = Charging::Smart;
  else
    throw std::runtime_error("charging '" + mode + "': expected uncontrolled or smart");
  const std::string source = c.text("ev_source");
  if (source != "residents" && source != "traffic")
    throw std::runtime_error("ev_source '" + source + "': expected residents or traffic");
  evFromTraffic_ = source == "traffic";
  evShare_ = evShare;
  DemandParams dp;
  dp.householdKWhPerResident = householdKWh;
  dp.refurbishment = parseRefurbishment(c.text("refurbishment"));
  dp.defaultYear = static_cast<int>(c.integer("default_year"));

  const double localStart = static_cast<double>(startUnixS_ + utcOffsetS_);
  midnight0_ = std::floor(localStart / kDay) * kDay - utcOffsetS_;
  const Civil startDate = civilFromUnix(localStart);

  // profiles' peaks per kWh/a over the run's year (design loads of the grid)
  const bool set2025 = slp_.monthly();
  h0_ = slp_.index(set2025 ? "h25" : "h0");
  std::vector<double> peakPerKWh(slp_.names().size(), 0.0);
  for (std::size_t p = 0; p < peakPerKWh.size(); ++p) {
    const std::vector<double> y = slp_.year(static_cast<int>(p), startDate.year, 1.0);
    peakPerKWh[p] = *std::max_element(y.begin(), y.end());
  }

  auto groupOf = [&](const std::string& type, int cls) {
    for (std::size_t g = 0; g < groups_.size(); ++g)
      if (groups_[g].type == type && groups_[g].buildingClass == cls)
        return static_cast<std::int16_t>(g);
    groups_.push_back({type, cls});
    return static_cast<std::int16_t>(groups_.size() - 1);
  };

  const std::size_t n = city_->building_count;
  demand_.resize(n);
  heating_.assign(n, Heating::None);
  hasPv_.assign(n, 0);
  std::vector<double> designKW(n, 0.0);
  std::vector<std::uint32_t> heated;
  for (std::size_t i = 0; i < n; ++i) {
    const TwinBuilding& b = city_->buildings[i];
    if (b.ancillary != 0 || !(b.floor_area_m2 > 0))
      continue;
    BuildingDemand& d = demand_[i];
    if (b.use_class == TWIN_USE_RESIDENTIAL) {
      const int year = b.construction_year > 0 ? b.construction_year : dp.defaultYear;
      const std::string size = residentialSizeClass(b.floors, b.floor_area_m2);
      const TabulaType& t = tabula.find(size, year);
      const double area = b.floor_area_m2 * dp.netAreaShare;
      d.spaceHeatKWh = t.qh[static_cast<std::size_t>(dp.refurbishment)] * area;
      d.hotWaterKWh = t.qw * area;
      d.electricityKWh = std::max(0.0, b.residents) * dp.householdKWhPerResident;
      d.loadProfile = static_cast<std::int16_t>(h0_);
      d.heatGroup = groupOf(size == "SFH" || size == "TH" ? "EFH" : "MFH", std::min(t.band, 11));
    } else {
      const UseIntensity& u = intensity(b.use_class);
      d.electricityKWh = u.electricityKWhPerM2 * b.floor_area_m2;
      d.spaceHeatKWh = u.heatKWhPerM2 * b.floor_area_m2;
      // the 2025 set has one profile for all trade and commerce (G25)
      d.loadProfile = static_cast<std::int16_t>(slp_.index(set2025 ? "g25" : u.loadProfile));
      d.heatGroup = groupOf(u.heatType, 0);
    }
    if (d.loadProfile < 0)
      throw std::runtime_error("the load profile file lacks a profile energy.grid needs");
    designKW[i] = d.electricityKWh * peakPerKWh[static_cast<std::size_t>(d.loadProfile)];
    // heating system and PV: the building's own random numbers
    sdk::EntityRandom r(seed_, instance_, i);
    const double u = r.uniform(), u2 = r.uniform();
    if (d.spaceHeatKWh + d.hotWaterKWh > 0) {
      // district heat is assigned below (nearest the source first); of the others, heat pumps
      // take hpShare of all buildings
      const double hpOfRest = dhShare < 1.0 ? hpShare / (1.0 - dhShare) : 0.0;
      if (u < hpOfRest)
        heating_[i] = Heating::HeatPump;
      else
        heating_[i] = u2 < oilShare ? Heating::Oil : Heating::Gas;
      heated.push_back(static_cast<std::uint32_t>(i));
    }
    const double uPv = sdk::EntityRandom(seed_, instance_, kPvIds + i).uniform();
    hasPv_[i] = uPv < pvShare ? 1 : 0;
    // the grid was planned for the PV of its day (design_pv_share): the AC peak of a roof at
    // energy.pv's default module density (0.6 x 0.21 kWp/m2, half of a pitched roof) x 0.8
    if (uPv < designPvShare && b.footprint_m2 >= 20.0) {
      const double kWp = b.footprint_m2 * 0.6 * 0.21 * (b.roof_shape == 0 ? 1.0 : 0.5);
      designKW[i] = std::max(designKW[i], 0.8 * kWp);
    }
    // cars of the residents, each electric by its own number
    if (!evFromTraffic_ && b.use_class == TWIN_USE_RESIDENTIAL && b.residents > 0) {
      const double expected = b.residents * carsPerResident;
      const auto cars = std::min(
          kMaxCarsPerBuilding,
          static_cast<std::size_t>(
              std::floor(expected + sdk::EntityRandom(seed_, instance_, kFleetIds + i).uniform())));
      for (std::size_t k = 0; k < cars; ++k) {
        const std::uint64_t id = kCarIds + i * kMaxCarsPerBuilding + k;
        if (sdk::EntityRandom(seed_, instance_, id).uniform() < evShare)
          evs_.push_back({static_cast<std::uint32_t>(i), id});
      }
    }
  }

  // heat profile normalisation over the climate year (the run's weekdays)
  std::vector<double> climateDays(365, 0.0);
  for (std::size_t h = 0; h < climate_.hours.size() && h < 365 * 24; ++h)
    climateDays[h / 24] += climate_.hours[h].temperatureC / 24.0;
  groupNorm_.assign(groups_.size(), 0.0);
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const SigmoidParams p = heat_.sigmoid(groups_[g].type, groups_[g].buildingClass, false);
    int m = 1, dd = 1;
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (std::size_t k = 0; k < 365; ++k) {
      auto at = [&](std::size_t back) { return climateDays[(k + 365 - back) % 365]; };
      const double alloc = (at(0) + 0.5 * at(1) + 0.25 * at(2) + 0.125 * at(3)) / 1.875;
      const int wd = bdewDayType(startDate.year, m, dd) == DayType::Sunday
                         ? 7
                         : dayOfWeek(startDate.year, m, dd);
      groupNorm_[g] +=
          HeatProfiles::dailyFactor(p, alloc, false) * heat_.weekdayFactor(groups_[g].type, wd);
      if (++dd > kDays[m - 1]) {
        dd = 1;
        m = m % 12 + 1;
      }
    }
  }

  // the grid, from the buildings' electricity alone (the levers do not resize it)
  grid_ = buildSyntheticGrid(*city_, designKW, types_, design_);
  case_ = grid_.toCase(types_, design_);
  splitIslands();
  vm_.resize(case_.buses.size());
  va_.assign(case_.buses.size(), 0.0);
  for (std::size_t k = 0; k < case_.buses.size(); ++k)
    vm_[k] = case_.buses[k].vm;
  // district heat: from the industrial park's centre (the city centre without one)
  double sx = 0.5 * (city_->min_x + city_->max_x), sy = 0.5 * (city_->min_y + city_->max_y);
  if (const sdk::LandUseRing park = sdk::largestLandUse(city_, TWIN_LAND_INDUSTRIAL);
      park.xy.size() >= 2) {
    // the vertex mean of its outer ring
    double ax = 0, ay = 0;
    for (std::size_t k = 0; k + 1 < park.xy.size(); k += 2) {
      ax += park.xy[k];
      ay += park.xy[k + 1];
    }
    const double m = static_cast<double>(park.xy.size() / 2);
    sx = ax / m;
    sy = ay / m;
  }
  // district heat networks are compact: the heated buildings nearest the source are on it
  std::vector<std::uint32_t> dhBuildings = heated;
  const auto dhCount =
      static_cast<std::size_t>(std::llround(dhShare * static_cast<double>(heated.size())));
  auto dist2 = [&](std::uint32_t i) {
    const TwinBuilding& b = city_->buildings[i];
    return (b.x - sx) * (b.x - sx) + (b.y - sy) * (b.y - sy);
  };
  std::stable_sort(dhBuildings.begin(), dhBuildings.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return dist2(a) < dist2(b); });
  dhBuildings.resize(std::min(dhCount, dhBuildings.size()));
  for (std::uint32_t i : dhBuildings)
    heating_[i] = Heating::District;
  dhTrenchM_ = streetTreeLengthM(*city_, sx, sy, dhBuildings);

  if (evFromTraffic_) {
    std::vector<std::array<double, 2>> xy;
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 0; i < n; ++i)
      if (demand_[i].loadProfile >= 0) {
        xy.push_back({city_->buildings[i].x, city_->buildings[i].y});
        ids.push_back(static_cast<std::uint32_t>(i));
      }
    buildingIndex_ = std::make_unique<PointIndex>(xy, ids);
  }
  electricityKWh_.assign(n, 0.0);
  heatKWh_.assign(n, 0.0);
  vMin_.assign(n, std::numeric_limits<double>::quiet_NaN());
  branchLoading_.assign(grid_.branches.size(), 0.0);
  branchMax_.assign(grid_.branches.size(), 0.0);
  busMin_.assign(case_.buses.size(), std::numeric_limits<double>::quiet_NaN());
  busMax_ = busMin_;
  busViolated_.assign(case_.buses.size(), 0);
  branchViolated_.assign(grid_.branches.size(), 0);
}

GridModel::~GridModel() = default;

void GridModel::splitIslands() {
  // connected parts by union-find over the branches, numbered by their first bus
  const std::size_t n = case_.buses.size();
  std::vector<std::uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](std::uint32_t a) {
    while (parent[a] != a)
      a = parent[a] = parent[parent[a]];
    return a;
  };
  for (const physics::PfBranch& b : case_.branches) {
    const std::uint32_t ra = find(static_cast<std::uint32_t>(b.from - 1));
    const std::uint32_t rb = find(static_cast<std::uint32_t>(b.to - 1));
    if (ra != rb)
      parent[std::max(ra, rb)] = std::min(ra, rb);
  }
  std::vector<std::int32_t> islandOf(n, -1), local(n, -1);
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::uint32_t root = find(k);
    if (islandOf[root] < 0) {
      islandOf[root] = static_cast<std::int32_t>(islands_.size());
      islands_.emplace_back();
      islands_.back().pc.baseMVA = case_.baseMVA;
      islands_.back().pc.name = case_.name;
    }
    Island& is = islands_[static_cast<std::size_t>(islandOf[root])];
    islandOf[k] = islandOf[root];
    local[k] = static_cast<std::int32_t>(is.buses.size());
    is.buses.push_back(k);
    physics::PfBus b = case_.buses[k];
    b.id = local[k] + 1;
    is.pc.buses.push_back(b);
  }
  for (std::size_t k = 0; k < case_.branches.size(); ++k) {
    physics::PfBranch b = case_.branches[k];
    const auto from = static_cast<std::size_t>(b.from - 1), to = static_cast<std::size_t>(b.to - 1);
    Island& is = islands_[static_cast<std::size_t>(islandOf[from])];
    b.from = local[from] + 1;
    b.to = local[to] + 1;
    is.branches.push_back(static_cast<std::uint32_t>(k));
    is.pc.branches.push_back(b);
  }
  for (const physics::PfGen& g : case_.gens) {
    const auto bus = static_cast<std::size_t>(g.bus - 1);
    physics::PfGen lg = g;
    lg.bus = local[bus] + 1;
    islands_[static_cast<std::size_t>(islandOf[bus])].pc.gens.push_back(lg);
  }
  for (Island& is : islands_) {
    auto pf = physics::PowerFlow::create(is.pc);
    if (!pf)
      throw std::runtime_error("the synthetic grid cannot be solved: " + pf.error().message);
    is.pf = std::move(*pf);
  }
}

double GridModel::climateAt(double unixS) const {
  return weather::sampleWeather(climate_, unixS, 3600).temperatureC;  // TRY: CET
}

double GridModel::climateDailyMean(std::int64_t day) const {
  const double midnight = midnight0_ + static_cast<double>(day) * kDay;
  double sum = 0;
  for (int h = 0; h < 24; ++h)
    sum += climateAt(midnight + (h + 0.5) * 3600.0);
  return sum / 24.0;
}

// BDEW allocation temperature of `day`: the climate's daily means shifted by the anomaly the
// weather model showed on that day (today: so far); days before the run keep the climate's
double GridModel::allocationTemperature(std::int64_t day) const {
  double t[4];
  for (std::int64_t k = 0; k < 4; ++k) {
    const std::int64_t d = day - k;
    double anomaly = 0.0;
    if (d == currentDay_ && anomalyCount_ > 0)
      anomaly = anomalySum_ / anomalyCount_;
    else if (d >= 0 && static_cast<std::size_t>(d) < dayAnomaly_.size())
      anomaly = dayAnomaly_[static_cast<std::size_t>(d)];
    t[k] = climateDailyMean(d) + anomaly;
  }
  return (t[0] + 0.5 * t[1] + 0.25 * t[2] + 0.125 * t[3]) / 1.875;
}

TwinStatus GridModel::step(sdk::Step& s) {
  const double t = s.unixSeconds();
  const double dt = s.dtS();
  const double dtH = dt / 3600.0;
  const auto day = static_cast<std::int64_t>(std::floor((t - midnight0_) / kDay));
  while (currentDay_ < day) {
    dayAnomaly_.push_back(anomalyCount_ > 0 ? anomalySum_ / anomalyCount_ : 0.0);
    anomalySum_ = anomalyCount_ = 0;
    ++currentDay_;
  }
  const double ambient = s.input(kTemperature).empty() ? climateAt(t) : s.input(kTemperature)[0];
  if (!std::isfinite(ambient))
    throw std::runtime_error("ambient_temperature is not a number");
  anomalySum_ += ambient - climateAt(t);
  anomalyCount_ += 1;

  const double local = t + utcOffsetS_;
  const Civil cd = civilFromUnix(local);
  const int quarter = std::clamp((cd.hour * 60 + cd.minute) / 15, 0, 95);
  const DayType dayType = bdewDayType(cd.year, cd.month, cd.day);
  const int weekday = dayType == DayType::Sunday ? 7 : dayOfWeek(cd.year, cd.month, cd.day);
  std::vector<double> slpF(slp_.names().size());  // kW per kWh/a now (dynamised where due)
  for (std::size_t p = 0; p < slpF.size(); ++p)
    slpF[p] = slp_.at(static_cast<int>(p), cd.year, cd.month, cd.day, quarter) / 1000.0;

  // heat per kWh/a of each group now (kW): space heat by the sigmoid and hot water by the
  // warmest class's hourly shape
  const double alloc = allocationTemperature(day);
  const double todayMean =
      climateDailyMean(day) + (anomalyCount_ > 0 ? anomalySum_ / anomalyCount_ : 0.0);
  std::vector<double> spaceF(groups_.size()), waterF(groups_.size());
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const HeatGroup& hg = groups_[g];
    const SigmoidParams p = heat_.sigmoid(hg.type, hg.buildingClass, false);
    const double dayShare = HeatProfiles::dailyFactor(p, alloc, false) *
                            heat_.weekdayFactor(hg.type, weekday) / groupNorm_[g];
    const auto shares = heat_.hourShares(hg.type, hg.buildingClass, weekday, todayMean);
    const auto warm = heat_.hourShares(hg.type, hg.buildingClass, weekday, 30.0);
    const auto hour = static_cast<std::size_t>(std::clamp(cd.hour, 0, 23));
    spaceF[g] = dayShare * shares[hour];
    waterF[g] = warm[hour] / 365.0;
  }
  const double copSpace = airSourceCop(ambient, radiatorSinkC(ambient));
  const double copWater = airSourceCop(ambient, kHotWaterSinkC);

  // EV charging: the mean power over the step's interval (t - dt, t] (the arrivals of that
  // interval reach this step); sessions of yesterday and today (they may reach into now)
  const std::size_t n = city_->building_count;
  std::vector<double> evKW(n, 0.0);
  const double sinceMidnight = t - midnight0_;
  double evTotal = 0.0;
  if (evFromTraffic_ && !buildingIndex_->empty()) {
    // new arrivals (each record once: ids above the last taken) become charging sessions
    const double startOffset = static_cast<double>(startUnixS_) - midnight0_;
    for (const sdk::ArrivalRecord& a : sdk::readArrivals(s.input(kEvArrivals))) {
      if (a.id <= lastArrivalId_)
        continue;
      lastArrivalId_ = a.id;
      if (a.vehicleClass != sdk::kTripCar || !(a.distanceM > 0))
        continue;
      const auto vehicle = static_cast<std::uint64_t>(a.vehicle);
      sdk::EntityRandom r(seed_, instance_, kCarIds ^ (vehicle * 2 + 1));
      if (a.electric == 0.0 && !(r.uniform() < evShare_))
        continue;
      TrafficSession ts;
      ts.building = buildingIndex_->nearest(a.x, a.y);
      ts.durationS = a.distanceM / 1000.0 * kWhPerKm_ / chargerKW_ * 3600.0;
      ts.startS = startOffset + a.arrivalS;
      // smart: evening arrivals (home) wait for the night window, ending by 06:30
      const double dayStart = std::floor(ts.startS / kDay) * kDay;
      if (charging_ == Charging::Smart && ts.startS - dayStart >= 16.0 * 3600.0) {
        const double earliest = std::max(ts.startS, dayStart + 22.0 * 3600.0);
        const double latest = dayStart + (24.0 + 6.5) * 3600.0 - ts.durationS;
        if (latest > earliest)
          ts.startS = earliest + (latest - earliest) * r.uniform();
        else
          ts.startS = earliest;
      }
      sessions_.push_back(ts);
      evSessions_ += 1;
    }
  }
  for (const TrafficSession& ts : sessions_) {
    const double o =
        overlap(sinceMidnight - dt, sinceMidnight, ts.startS, ts.startS + ts.durationS);
    if (o > 0) {
      evKW[ts.building] += chargerKW_ * o / dt;
      evTotal += chargerKW_ * o / dt;
    }
  }
  std::erase_if(sessions_, [&](const TrafficSession& ts) {
    return ts.startS + ts.durationS <= sinceMidnight;
  });
  // the residents' sessions of yesterday and today depend on the day alone: drawn once a day
  if (sessionDay_ != day) {
    sessionDay_ = day;
    daySessions_.clear();
    daySessions_.reserve(2 * evs_.size());
    for (const HomeEv& ev : evs_)
      for (std::int64_t d = day - 1; d <= day; ++d)
        daySessions_.push_back(chargingSession(seed_, instance_, ev.id, d, kmPerYear_, kWhPerKm_,
                                               chargerKW_, charging_));
  }
  for (std::size_t e = 0; e < evs_.size(); ++e) {
    const HomeEv& ev = evs_[e];
    for (std::size_t k = 0; k < 2; ++k) {
      const ChargingSession& cs = daySessions_[2 * e + k];
      const double o =
          overlap(sinceMidnight - dt, sinceMidnight, cs.startS, cs.startS + cs.durationS);
      if (o > 0) {
        evKW[ev.building] += chargerKW_ * o / dt;
        evTotal += chargerKW_ * o / dt;
      }
    }
  }

  const std::span<const double> pvIn = s.input(kBuildingPv);
  if (!pvIn.empty() && pvIn.size() != n)
    throw std::runtime_error("building_pv has " + std::to_string(pvIn.size()) +
                             " values; the city has " + std::to_string(n) + " buildings");
  const std::span<const double> extraIn = s.input(kBuildingLoad);
  if (!extraIn.empty() && extraIn.size() != n)
    throw std::runtime_error("building_load has " + std::to_string(extraIn.size()) +
                             " values; the city has " + std::to_string(n) + " buildings");
  for (physics::PfBus& b : case_.buses)
    b.pdMW = b.qdMVAr = 0.0;
  const double tp = tanPhi(design_.powerFactor);
  double load = 0, pv = 0, pvSelf = 0, heat = 0, hp = 0, gas = 0, oil = 0, dh = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const BuildingDemand& d = demand_[i];
    if (d.loadProfile < 0) {
      if (!extraIn.empty() && extraIn[i] != 0.0)
        throw std::runtime_error("building_load puts " + std::to_string(extraIn[i]) +
                                 " kW on building " + std::to_string(i) +
                                 ", which the grid does not connect (ancillary or no floor area)");
      continue;
    }
    double el = d.electricityKWh * slpF[static_cast<std::size_t>(d.loadProfile)] + evKW[i];
    if (!extraIn.empty()) {
      if (!std::isfinite(extraIn[i]))
        throw std::runtime_error("building_load of building " + std::to_string(i) +
                                 " is not finite");
      el += extraIn[i];
    }
    double q = 0.0;
    if (d.heatGroup >= 0) {
      const auto g = static_cast<std::size_t>(d.heatGroup);
      const double space = d.spaceHeatKWh * spaceF[g], water = d.hotWaterKWh * waterF[g];
      q = space + water;
      switch (heating_[i]) {
        case Heating::HeatPump: {
          const double e = space / copSpace + water / copWater;
          el += e;
          hp += e;
          break;
        }
        case Heating::Gas:
          gas += q / boilerEff_;
          break;
        case Heating::Oil:
          oil += q / boilerEff_;
          break;
        case Heating::District:
          dh += q;
          break;
        case Heating::None:
          break;
      }
    }
    const double pvB = (!pvIn.empty() && hasPv_[i]) ? std::max(0.0, pvIn[i]) : 0.0;
    load += el;
    heat += q;
    pv += pvB;
    pvSelf += std::min(pvB, el);
    electricityKWh_[i] += el * dtH;
    heatKWh_[i] += q * dtH;
    const std::int32_t bus = grid_.buildingBus[i];
    if (bus >= 0) {
      case_.buses[static_cast<std::size_t>(bus)].pdMW += (el - pvB) / 1000.0;
      case_.buses[static_cast<std::size_t>(bus)].qdMVAr += el * tp / 1000.0;
    }
  }
  // district heat: network losses, waste heat first, gas boilers for the rest, pumps
  const double dhLossKW = dh > 0 ? dhTrenchM_ * dhLossW_ / 1000.0 : 0.0;
  const double need = dh + dhLossKW;
  const std::span<const double> wasteIn = s.input(kWasteHeat);
  const double wasteKW = wasteIn.empty() ? 0.0 : std::max(0.0, wasteIn[0]) * 1000.0;
  const double waste = std::min(wasteKW, need);
  const double dhGas = (need - waste) / boilerEff_;
  gas += dhGas;
  const double pumpKW = dhPumpShare_ * dh;
  load += pumpKW;

  // AC power flow of every substation's area from its last solution, the areas in parallel
  threads_.parallelFor(islands_.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      Island& is = islands_[i];
      std::vector<double> vm(is.buses.size()), va(is.buses.size());
      for (std::size_t k = 0; k < is.buses.size(); ++k) {
        const physics::PfBus& g = case_.buses[is.buses[k]];
        is.pc.buses[k].pdMW = g.pdMW;
        is.pc.buses[k].qdMVAr = g.qdMVAr;
        vm[k] = vm_[is.buses[k]];
        va[k] = va_[is.buses[k]];
      }
      is.result = is.pf->solveFrom(is.pc, vm, va);
    }
  });
  // gathered in area order: the same sums whatever the threads
  double importMW = 0.0, lossMW = 0.0;
  int iterations = 0;
  bool converged = true;
  std::vector<double> loadingNow(grid_.branches.size(), std::nan(""));
  for (const Island& is : islands_) {
    const physics::PfResult& r = is.result;
    iterations = std::max(iterations, r.iterations);
    if (!r.converged) {
      converged = false;
      continue;  // this area keeps its last solution
    }
    for (std::size_t k = 0; k < is.buses.size(); ++k) {
      vm_[is.buses[k]] = r.vm[k];
      va_[is.buses[k]] = r.vaDeg[k];
    }
    for (double p : r.pgMW)
      importMW += p;
    lossMW += r.lossMW;
    for (std::size_t k = 0; k < is.branches.size(); ++k)
      loadingNow[is.branches[k]] = 100.0 * r.branches[k].loading;
  }
  iterations_ += iterations;
  solves_ += 1;
  if (!converged) {
    notConverged_ += 1;
    sdk::log(host_, TWIN_LOG_WARNING,
             "power flow did not converge at t = " + std::to_string(s.timeS()) +
                 " s; the areas concerned keep their last solution");
  }
  importMW += pumpKW / 1000.0;  // the pumps sit at the heat source: not in the LV model
  double trafoMax = 0, cableMax = 0;
  double violations = 0;
  for (std::size_t k = 0; k < grid_.branches.size(); ++k) {
    const double loading = std::isnan(loadingNow[k]) ? branchLoading_[k] : loadingNow[k];
    branchLoading_[k] = loading;
    branchMax_[k] = std::max(branchMax_[k], loading);
    if (grid_.branches[k].kind == BranchKind::LvTransformer)
      trafoMax = std::max(trafoMax, loading);
    else
      cableMax = std::max(cableMax, loading);
    if (loading > 100.0) {
      violations += 1;
      branchViolated_[k] = 1;
    }
  }
  double vMin = 1e300, vMax = -1e300;
  for (std::size_t k = 0; k < vm_.size(); ++k) {
    vMin = std::min(vMin, vm_[k]);
    vMax = std::max(vMax, vm_[k]);
    busMin_[k] = std::isnan(busMin_[k]) ? vm_[k] : std::min(busMin_[k], vm_[k]);
    busMax_[k] = std::isnan(busMax_[k]) ? vm_[k] : std::max(busMax_[k], vm_[k]);
    if (std::abs(vm_[k] - 1.0) > band_) {
      violations += 1;
      busViolated_[k] = 1;
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (const std::int32_t bus = grid_.buildingBus[i]; bus >= 0) {
      const double v = vm_[static_cast<std::size_t>(bus)];
      vMin_[i] = std::isnan(vMin_[i]) ? v : std::min(vMin_[i], v);
    }

  // CO2: the net grid import at the mix factor, gas and oil burnt (t/h)
  const double gridCo2 = gridCo2Profile_.values.empty()
                             ? gridCo2_
                             : gridCo2Profile_.at(sinceMidnight - kDay * static_cast<double>(day));
  const double co2 =
      (std::max(0.0, importMW) * 1000.0 * gridCo2 + gas * gasCo2_ + oil * oilCo2_) / 1e6;

  load_ = load / 1000.0;
  pv_ = pv / 1000.0;
  import_ = importMW;
  heatNow_ = (heat + dhLossKW) / 1000.0;
  hpNow_ = hp / 1000.0;
  evNow_ = evTotal / 1000.0;
  trafoMax_ = trafoMax;
  vMinNow_ = vMin;
  vMaxNow_ = vMax;
  violationsNow_ = violations;
  lossesKW_ = lossMW * 1000.0;
  co2Now_ = co2;

  eElectricity_ += load_ * dtH;
  peakLoad_ = std::max(peakLoad_, load_);
  peakImport_ = std::max(peakImport_, import_);
  eHeat_ += heat / 1000.0 * dtH;
  eHp_ += hpNow_ * dtH;
  eGas_ += gas / 1000.0 * dtH;
  eOil_ += oil / 1000.0 * dtH;
  eEv_ += evNow_ * dtH;
  ePv_ += pv_ * dtH;
  ePvSelf_ += pvSelf / 1000.0 * dtH;
  eLosses_ += lossMW * dtH;
  maxTrafo_ = std::max(maxTrafo_, trafoMax);
  maxCable_ = std::max(maxCable_, cableMax);
  minV_ = std::min(minV_, vMin);
  maxV_ = std::max(maxV_, vMax);
  if (violations > 0)
    violationS_ += dt;
  eDh_ += dh / 1000.0 * dtH;
  eWaste_ += waste / 1000.0 * dtH;
  eDhLoss_ += dhLossKW / 1000.0 * dtH;
  co2T_ += co2 * dtH;

  s.output(kLoad, load_);
  s.output(kPvFeed, pv_);
  s.output(kGridImport, import_);
  s.output(kHeatDemand, heatNow_);
  s.output(kHeatPumpLoad, hpNow_);
  s.output(kEvCharging, evNow_);
  s.output(kTransformerLoadingMax, trafoMax_);
  s.output(kVoltageMin, vMinNow_);
  s.output(kVoltageMax, vMaxNow_);
  s.output(kViolations, violationsNow_);
  s.output(kLosses, lossesKW_);
  s.output(kCo2, co2Now_);
  return TWIN_OK;
}

void GridModel::publish(sdk::Publisher& out) const {
  auto d = sdk::Publisher::layer("electricity", TWIN_LAYER_BUILDING_VALUES,
                                 "Electricity over the run", "kWh", TWIN_SCALE_VIRIDIS);
  out.entityValues(d, electricityKWh_);
  d = sdk::Publisher::layer("heat", TWIN_LAYER_BUILDING_VALUES, "Heat over the run", "kWh",
                            TWIN_SCALE_MAGMA);
  out.entityValues(d, heatKWh_);
  d = sdk::Publisher::layer("voltage_min", TWIN_LAYER_BUILDING_VALUES,
                            "Voltage at the building, min", "1", TWIN_SCALE_DIVERGING);
  d.value_min = 1.0 - 2.0 * band_;
  d.value_max = 1.0 + 2.0 * band_;
  out.entityValues(d, vMin_);
  // the grid itself (ABI 1.5): cables with their highest loading, transformers with theirs,
  // buses with their lowest and highest voltage over the run
  std::vector<double> xy, values, txy, tvalues;
  std::vector<std::size_t> counts;
  for (std::size_t k = 0; k < grid_.branches.size(); ++k) {
    const GridBranch& b = grid_.branches[k];
    if (b.kind == BranchKind::LvTransformer) {
      txy.insert(txy.end(), {b.xy[0], b.xy[1]});
      tvalues.push_back(branchMax_[k]);
    } else {
      xy.insert(xy.end(), b.xy.begin(), b.xy.end());
      counts.push_back(b.xy.size() / 2);
      values.push_back(branchMax_[k]);
    }
  }
  auto lines = sdk::Publisher::layer("lines", TWIN_LAYER_GROUND_LINES, "Cable loading, max", "%",
                                     TWIN_SCALE_LOADING);
  lines.value_min = 0.0;
  lines.value_max = 120.0;
  out.lines(lines, xy, counts, values);
  auto trafos = sdk::Publisher::layer("transformers", TWIN_LAYER_POINTS, "Transformer loading, max",
                                      "%", TWIN_SCALE_LOADING);
  trafos.value_min = 0.0;
  trafos.value_max = 120.0;
  out.points(trafos, txy, tvalues);
  std::vector<double> bxy;
  bxy.reserve(2 * grid_.buses.size());
  for (const GridBus& b : grid_.buses)
    bxy.insert(bxy.end(), {b.x, b.y});
  auto buses = sdk::Publisher::layer("buses", TWIN_LAYER_POINTS, "Bus voltage, min", "1",
                                     TWIN_SCALE_DIVERGING);
  buses.value_min = 1.0 - 2.0 * band_;
  buses.value_max = 1.0 + 2.0 * band_;
  out.points(buses, bxy, busMin_);
  auto busesHigh = sdk::Publisher::layer("buses_high", TWIN_LAYER_POINTS, "Bus voltage, max", "1",
                                         TWIN_SCALE_DIVERGING);
  busesHigh.value_min = 1.0 - 2.0 * band_;
  busesHigh.value_max = 1.0 + 2.0 * band_;
  out.points(busesHigh, bxy, busMax_);
}

std::vector<std::uint8_t> GridModel::saveState() const {
  sdk::StateWriter w;
  w.putVector(dayAnomaly_);
  w.put(anomalySum_).put(anomalyCount_).put(currentDay_);
  w.putVector(vm_).putVector(va_).putVector(electricityKWh_).putVector(heatKWh_).putVector(vMin_);
  w.putVector(branchLoading_).putVector(busViolated_).putVector(branchViolated_);
  w.putVector(branchMax_).putVector(busMin_).putVector(busMax_);
  for (double v :
       {load_,         pv_,       import_,     heatNow_,       hpNow_,        evNow_,
        trafoMax_,     vMinNow_,  vMaxNow_,    violationsNow_, lossesKW_,     co2Now_,
        eElectricity_, peakLoad_, peakImport_, eHeat_,         eHp_,          eGas_,
        eOil_,         eEv_,      ePv_,        ePvSelf_,       eLosses_,      maxTrafo_,
        maxCable_,     minV_,     maxV_,       violationS_,    eDh_,          eWaste_,
        eDhLoss_,      co2T_,     iterations_, solves_,        notConverged_, lastArrivalId_,
        evSessions_})
    w.put(v);
  w.put(static_cast<std::uint64_t>(sessions_.size()));
  for (const TrafficSession& ts : sessions_)
    w.put(ts.building).put(ts.startS).put(ts.durationS);
  return w.take();
}

void GridModel::loadState(std::span<const std::uint8_t> s) {
  sdk::StateReader r(s);
  r.getVector(dayAnomaly_);
  anomalySum_ = r.get<double>();
  anomalyCount_ = r.get<double>();
  currentDay_ = r.get<std::int64_t>();
  r.getVector(vm_);
  r.getVector(va_);
  r.getVector(electricityKWh_);
  r.getVector(heatKWh_);
  r.getVector(vMin_);
  r.getVector(branchLoading_);
  r.getVector(busViolated_);
  r.getVector(branchViolated_);
  r.getVector(branchMax_);
  r.getVector(busMin_);
  r.getVector(busMax_);
  if (vm_.size() != case_.buses.size() || electricityKWh_.size() != city_->building_count ||
      branchLoading_.size() != grid_.branches.size())
    throw std::runtime_error("energy.grid state is for another city or grid");
  for (double* v :
       {&load_,         &pv_,       &import_,     &heatNow_,       &hpNow_,        &evNow_,
        &trafoMax_,     &vMinNow_,  &vMaxNow_,    &violationsNow_, &lossesKW_,     &co2Now_,
        &eElectricity_, &peakLoad_, &peakImport_, &eHeat_,         &eHp_,          &eGas_,
        &eOil_,         &eEv_,      &ePv_,        &ePvSelf_,       &eLosses_,      &maxTrafo_,
        &maxCable_,     &minV_,     &maxV_,       &violationS_,    &eDh_,          &eWaste_,
        &eDhLoss_,      &co2T_,     &iterations_, &solves_,        &notConverged_, &lastArrivalId_,
        &evSessions_})
    *v = r.get<double>();
  const auto sessions = r.get<std::uint64_t>();
  sessions_.clear();
  for (std::uint64_t k = 0; k < sessions; ++k) {
    TrafficSession ts;
    ts.building = r.get<std::uint32_t>();
    ts.startS = r.get<double>();
    ts.durationS = r.get<double>();
    if (ts.building >= city_->building_count)
      throw std::runtime_error("energy.grid state: a charging session at an unknown building");
    sessions_.push_back(ts);
  }
  r.expectEnd();
}

std::vector<double> GridModel::kpis() const {
  std::size_t buildings = 0;
  for (const BuildingDemand& d : demand_)
    buildings += d.loadProfile >= 0 ? 1 : 0;
  double busesOut = 0, overloaded = 0;
  for (std::uint8_t v : busViolated_)
    busesOut += v;
  for (std::uint8_t v : branchViolated_)
    overloaded += v;
  const bool ran = solves_ > 0;
  return {static_cast<double>(buildings),
          static_cast<double>(grid_.lvTransformers),
          static_cast<double>(grid_.substations.size()),
          grid_.lvCableKm,
          grid_.mvCableKm,
          eElectricity_,
          peakLoad_,
          ran ? peakImport_ : 0.0,
          eHeat_,
          eHp_,
          eGas_,
          eOil_,
          evFromTraffic_ ? evSessions_ : static_cast<double>(evs_.size()),
          eEv_,
          ePv_,
          ePv_ > 0 ? 100.0 * ePvSelf_ / ePv_ : 0.0,
          eElectricity_ > 0 ? 100.0 * ePvSelf_ / eElectricity_ : 0.0,
          eLosses_,
          maxTrafo_,
          maxCable_,
          ran ? minV_ : 1.0,
          ran ? maxV_ : 1.0,
          violationS_ / 3600.0,
          busesOut,
          overloaded,
          eDh_,
          eWaste_,
          eDhLoss_,
          co2T_,
          ran ? iterations_ / solves_ : 0.0,
          notConverged_};
}

}  // namespace twin::energy
