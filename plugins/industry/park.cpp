// SPDX-License-Identifier: Apache-2.0
#include "park.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

#include "release_model.hpp"  // parseClock

namespace twin::industry {

namespace {

// an error at a node: "file:line:col: what"
struct ParkError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& what) const {
    const YAML::Mark m = n.Mark();
    throw ParkError(file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) +
                    ": " + what);
  }
  // only these keys (a typo is an error, not a silent default)
  void keys(const YAML::Node& map, const std::string& where,
            const std::set<std::string>& allowed) const {
    if (!map.IsMap())
      fail(map, where + ": expected a map");
    for (const auto& kv : map) {
      const std::string k = kv.first.as<std::string>();
      if (!allowed.contains(k)) {
        std::string list;
        for (const std::string& a : allowed)
          list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, "unknown key '" + k + "' in " + where + "; expected one of " + list);
      }
    }
  }
  YAML::Node need(const YAML::Node& map, const std::string& key, const std::string& where) const {
    const YAML::Node n = map[key];
    if (!n)
      fail(map, where + ": '" + key + "' is missing");
    return n;
  }
  std::string text(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar())
      fail(n, what + ": expected text");
    return n.as<std::string>();
  }
  double number(const YAML::Node& n, const std::string& what, double lo, double hi) const {
    if (!n.IsScalar())
      fail(n, what + ": expected a number");
    const std::string s = n.as<std::string>();
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
      fail(n, what + ": expected a number, found '" + s + "'");
    if (v < lo || v > hi)
      fail(n, what + ": " + s + " is outside " + fmt(lo) + " .. " + fmt(hi));
    return v;
  }
  // a power with its unit: W, kW, MW, GW
  double power(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar())
      fail(n, what + ": expected a power such as 228MW");
    const std::string s = n.as<std::string>();
    double w = 0;
    if (!parsePower(s, w))
      fail(n,
           what + ": expected a power >= 0 such as 228MW (units W, kW, MW, GW), found '" + s + "'");
    return w;
  }
  double clock(const YAML::Node& n, const std::string& what) const {
    double s = 0;
    if (!n.IsScalar() || !parseClock(n.as<std::string>(), s))
      fail(n, what + ": expected a clock time HH:MM");
    return s;
  }

 private:
  static std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
  }
  std::string file_;
};

ParkDef parse(const YAML::Node& root, const Reader& r) {
  ParkDef p;
  r.keys(root, "the park",
         {"name", "site", "plants", "shifts", "day_work", "commute_car_share", "gates",
          "rail_share", "utilities"});
  p.name = r.text(r.need(root, "name", "the park"), "name");
  const YAML::Node site = r.need(root, "site", "the park");
  if (site.IsScalar()) {
    if (site.as<std::string>() != "largest_industrial_area")
      r.fail(site, "site: expected largest_industrial_area or a list of [x, y] points");
  } else if (site.IsSequence()) {
    for (const auto& pt : site) {
      if (!pt.IsSequence() || pt.size() != 2)
        r.fail(pt, "site: expected [x, y] in local metres");
      p.site.push_back(
          {r.number(pt[0], "site x", -1e7, 1e7), r.number(pt[1], "site y", -1e7, 1e7)});
    }
    if (p.site.size() < 3)
      r.fail(site, "site: a polygon needs at least 3 points");
  } else {
    r.fail(site, "site: expected largest_industrial_area or a list of [x, y] points");
  }
  const YAML::Node plants = r.need(root, "plants", "the park");
  if (!plants.IsSequence() || plants.size() == 0)
    r.fail(plants, "plants: expected a list of at least one plant");
  for (const auto& pn : plants) {
    r.keys(pn, "a plant",
           {"name", "product_group", "electric_load", "steam_demand", "pattern", "workforce",
            "trucks_per_day", "truck_profile", "waste_heat", "waste_heat_temperature"});
    PlantDef d;
    d.name = r.text(r.need(pn, "name", "a plant"), "name");
    if (pn["product_group"])
      d.productGroup = r.text(pn["product_group"], "product_group");
    d.electricLoadW = r.power(r.need(pn, "electric_load", "plant " + d.name), "electric_load");
    d.steamDemandW = r.power(r.need(pn, "steam_demand", "plant " + d.name), "steam_demand");
    if (pn["pattern"]) {
      d.pattern = r.text(pn["pattern"], "pattern");
      if (d.pattern != "continuous" && d.pattern != "day")
        r.fail(pn["pattern"], "pattern: expected continuous or day");
    }
    d.workforce = pn["workforce"] ? r.number(pn["workforce"], "workforce", 0, 1e6) : 0.0;
    d.trucksPerDay =
        pn["trucks_per_day"] ? r.number(pn["trucks_per_day"], "trucks_per_day", 0, 1e6) : 0.0;
    d.truckProfile.fill(1.0 / 24.0);
    if (const YAML::Node tp = pn["truck_profile"]) {
      if (tp.IsScalar() && tp.as<std::string>() == "flat") {
        // already
      } else if (tp.IsSequence() && tp.size() == 24) {
        double sum = 0;
        for (std::size_t h = 0; h < 24; ++h)
          sum += d.truckProfile[h] = r.number(tp[h], "truck_profile", 0, 1e9);
        if (!(sum > 0))
          r.fail(tp, "truck_profile: the 24 hourly weights sum to 0");
        for (double& w : d.truckProfile)
          w /= sum;
      } else {
        r.fail(tp, "truck_profile: expected flat or 24 hourly weights");
      }
    }
    if (pn["waste_heat"])
      d.wasteHeatW = r.power(pn["waste_heat"], "waste_heat");
    if (pn["waste_heat_temperature"])
      d.wasteHeatTemperatureC =
          r.number(pn["waste_heat_temperature"], "waste_heat_temperature (degC)", 0, 1000);
    p.plants.push_back(std::move(d));
  }
  if (const YAML::Node s = root["shifts"]) {
    r.keys(s, "shifts", {"share", "crews", "starts"});
    p.shiftShare = r.number(r.need(s, "share", "shifts"), "shifts.share", 0, 1);
    p.crews = static_cast<int>(r.number(r.need(s, "crews", "shifts"), "shifts.crews", 1, 10));
    const YAML::Node st = r.need(s, "starts", "shifts");
    if (!st.IsSequence() || st.size() == 0)
      r.fail(st, "shifts.starts: expected a list of clock times");
    for (const auto& t : st)
      p.shiftStartsS.push_back(r.clock(t, "shifts.starts"));
  }
  if (const YAML::Node d = root["day_work"]) {
    r.keys(d, "day_work", {"arrive", "leave"});
    for (const char* k : {"arrive", "leave"}) {
      const YAML::Node w = r.need(d, k, "day_work");
      if (!w.IsSequence() || w.size() != 2)
        r.fail(w, std::string("day_work.") + k + ": expected [from, to] clock times");
      double* out = std::string(k) == "arrive" ? p.dayArriveS : p.dayLeaveS;
      out[0] = r.clock(w[0], std::string("day_work.") + k);
      out[1] = r.clock(w[1], std::string("day_work.") + k);
      if (out[1] < out[0])
        r.fail(w, std::string("day_work.") + k + ": the window ends before it starts");
    }
  }
  p.commuteCarShare = root["commute_car_share"]
                          ? r.number(root["commute_car_share"], "commute_car_share", 0, 1)
                          : 0.0;
  p.railShare = root["rail_share"] ? r.number(root["rail_share"], "rail_share", 0, 1) : 0.0;
  if (const YAML::Node g = root["gates"]) {
    if (!g.IsSequence())
      r.fail(g, "gates: expected a list");
    double trucks = 0, commuters = 0;
    for (const auto& gn : g) {
      r.keys(gn, "a gate", {"name", "side", "trucks", "commuters"});
      GateDef gd;
      gd.name = r.text(r.need(gn, "name", "a gate"), "name");
      gd.side = r.text(r.need(gn, "side", "gate " + gd.name), "side");
      if (gd.side != "north" && gd.side != "east" && gd.side != "south" && gd.side != "west")
        r.fail(gn["side"], "side: expected north, east, south or west");
      gd.trucks = gn["trucks"] ? r.number(gn["trucks"], "trucks", 0, 1) : 0.0;
      gd.commuters = gn["commuters"] ? r.number(gn["commuters"], "commuters", 0, 1) : 0.0;
      trucks += gd.trucks;
      commuters += gd.commuters;
      p.gates.push_back(std::move(gd));
    }
    if (std::abs(trucks - 1.0) > 1e-9 || std::abs(commuters - 1.0) > 1e-9)
      r.fail(g, "gates: the trucks shares and the commuters shares must each sum to 1");
  }
  const YAML::Node u = r.need(root, "utilities", "the park");
  r.keys(u, "utilities", {"chp", "boilers", "e_boiler", "heat_pump", "electrolyser"});
  if (const YAML::Node c = u["chp"]) {
    r.keys(c, "utilities.chp", {"electric_capacity", "thermal_capacity", "total_efficiency"});
    p.chpElectricW = r.power(r.need(c, "electric_capacity", "chp"), "electric_capacity");
    p.chpThermalW = r.power(r.need(c, "thermal_capacity", "chp"), "thermal_capacity");
    p.chpTotalEfficiency =
        r.number(r.need(c, "total_efficiency", "chp"), "total_efficiency", 0.05, 1.0);
    if (p.chpThermalW <= 0)
      r.fail(c, "chp: thermal_capacity must be greater than 0");
  }
  if (const YAML::Node b = u["boilers"]) {
    r.keys(b, "utilities.boilers", {"capacity", "efficiency"});
    p.boilerW = r.power(r.need(b, "capacity", "boilers"), "capacity");
    p.boilerEfficiency = r.number(r.need(b, "efficiency", "boilers"), "efficiency", 0.05, 1.0);
  }
  if (const YAML::Node e = u["e_boiler"]) {
    r.keys(e, "utilities.e_boiler", {"efficiency"});
    p.eBoilerEfficiency = r.number(r.need(e, "efficiency", "e_boiler"), "efficiency", 0.05, 1.0);
  }
  if (const YAML::Node el = u["electrolyser"]) {
    r.keys(el, "utilities.electrolyser", {"capacity", "efficiency"});
    p.electrolyserW = r.power(r.need(el, "capacity", "electrolyser"), "capacity");
    p.electrolyserEfficiency =
        r.number(r.need(el, "efficiency", "electrolyser"), "efficiency", 0.05, 1.0);
  }
  if (const YAML::Node h = u["heat_pump"]) {
    r.keys(h, "utilities.heat_pump", {"cop"});
    p.heatPumpCop = r.number(r.need(h, "cop", "heat_pump"), "cop", 1.0, 10.0);
  }
  return p;
}

}  // namespace

bool parsePower(const std::string& text, double& watts) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  const std::string unit(p, text.data() + text.size());
  const double scale = unit == "W"    ? 1.0
                       : unit == "kW" ? 1e3
                       : unit == "MW" ? 1e6
                       : unit == "GW" ? 1e9
                                      : -1.0;
  if (ec != std::errc() || scale < 0 || !std::isfinite(v) || v < 0)
    return false;
  watts = v * scale;
  return true;
}

std::optional<ParkDef> readPark(const std::string& path, std::string& error) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return parse(root, Reader(path));
  } catch (const ParkError& e) {
    error = e.what();
  } catch (const YAML::BadFile&) {
    error = path + ": cannot open the park file";
  } catch (const YAML::Exception& e) {
    error = path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
            ": " + e.msg;
  }
  return std::nullopt;
}

void demandAt(const ParkDef& park, double localHour, bool weekend, double& electricW,
              double& steamW, double* wasteHeatW) {
  electricW = 0;
  steamW = 0;
  if (wasteHeatW != nullptr)
    *wasteHeatW = 0;
  const double s = localHour * 3600.0;
  for (const PlantDef& p : park.plants) {
    const bool on =
        p.pattern == "continuous" || (!weekend && s >= park.dayArriveS[0] && s < park.dayLeaveS[1]);
    if (on) {
      electricW += p.electricLoadW;
      steamW += p.steamDemandW;
      if (wasteHeatW != nullptr)
        *wasteHeatW += p.wasteHeatW;
    }
  }
}

Dispatch dispatch(const ParkDef& park, const Levers& lv, double electricW, double steamW) {
  Dispatch d;
  d.steamW = steamW;
  d.eBoilerHeatW = steamW * lv.electrifySteamShare;
  d.heatPumpHeatW = steamW * lv.heatPumpShare;
  const double rest = std::max(0.0, steamW - d.eBoilerHeatW - d.heatPumpHeatW);
  // the CHP follows the heat at its rated power-to-heat ratio
  d.chpHeatW = std::min(rest, park.chpThermalW);
  d.chpElectricW = park.chpThermalW > 0 ? d.chpHeatW * park.chpElectricW / park.chpThermalW : 0;
  d.chpFuelW = (d.chpHeatW + d.chpElectricW) / park.chpTotalEfficiency;
  d.boilerHeatW = std::min(rest - d.chpHeatW, park.boilerW);
  d.boilerFuelW = d.boilerHeatW / park.boilerEfficiency;
  d.unservedHeatW = rest - d.chpHeatW - d.boilerHeatW;
  // the electrolyser runs at the lever's power (or the file's capacity) around the clock
  d.electrolyserW = lv.electrolyserW >= 0 ? lv.electrolyserW : park.electrolyserW;
  d.hydrogenW = d.electrolyserW * park.electrolyserEfficiency;
  d.parkElectricW = electricW + d.eBoilerHeatW / park.eBoilerEfficiency +
                    d.heatPumpHeatW / park.heatPumpCop + d.electrolyserW;
  d.gridImportW = d.parkElectricW - d.chpElectricW;
  return d;
}

}  // namespace twin::industry
