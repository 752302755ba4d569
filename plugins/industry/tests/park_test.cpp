// SPDX-License-Identifier: Apache-2.0
// industry.park: the shipped park file and its errors, the dispatch's energy balances, the
// electrification lever's direction, and the trucks and shift trips in time and place.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "park.hpp"
#include "park_trips.hpp"

namespace twin::industry {
namespace {

const std::string kPark = std::string(TWIN_SOURCE_DIR) + "/assets/parks/chempark.yaml";

TEST(Park, ShippedFileHoldsThePublicFigures) {
  std::string error;
  auto p = readPark(kPark, error);
  ASSERT_TRUE(p) << error;
  ASSERT_EQ(p->plants.size(), 1u);
  EXPECT_DOUBLE_EQ(p->plants[0].electricLoadW, 228e6);  // 2 TWh a year
  EXPECT_DOUBLE_EQ(p->plants[0].workforce, 9400);
  EXPECT_DOUBLE_EQ(p->plants[0].trucksPerDay, 650);
  EXPECT_DOUBLE_EQ(p->chpElectricW, 586e6);  // BNetzA / OPSD BNA0199
  EXPECT_DOUBLE_EQ(p->chpThermalW, 480e6);
  EXPECT_DOUBLE_EQ(p->shiftShare, 0.24);  // BAVC
  EXPECT_EQ(p->crews, 5);
  ASSERT_EQ(p->shiftStartsS.size(), 3u);
  EXPECT_DOUBLE_EQ(p->shiftStartsS[1], 14 * 3600.0);
  ASSERT_EQ(p->gates.size(), 2u);
  EXPECT_EQ(p->gates[0].side, "west");
  EXPECT_TRUE(p->site.empty());  // the city's largest industrial area
}

TEST(Park, BadFilesNameFileLineAndColumn) {
  const std::string path = ::testing::TempDir() + "/bad_park.yaml";
  std::string base;
  {
    std::ifstream in(kPark);
    base.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto check = [&](const std::string& from, const std::string& to, const std::string& want) {
    std::string text = base;
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(path) << text;
    std::string error;
    EXPECT_FALSE(readPark(path, error)) << from;
    EXPECT_NE(error.find(want), std::string::npos) << error;
    EXPECT_EQ(error.rfind(path + ":", 0), 0u) << error;
  };
  check("electric_load: 228MW", "electric_load: 228MWh", "expected a power >= 0 such as 228MW");
  check("electric_load: 228MW", "electric_lode: 228MW", "unknown key 'electric_lode' in a plant");
  check("share: 0.24", "share: 1.5", "shifts.share: 1.5 is outside 0 .. 1");
  check("trucks: 1.0, commuters: 0.5}", "trucks: 0.5, commuters: 0.5}",
        "the trucks shares and the commuters shares must each sum to 1");
  check("starts: [\"06:00\"", "starts: [\"6 am\"", "shifts.starts: expected a clock time HH:MM");
  check("name: CHEMPARK", "name: [CHEMPARK", "");  // malformed YAML: still file:line:col
  // the line and column of the bad value
  std::string text = base;
  text.replace(text.find("trucks_per_day: 650"), 19, "trucks_per_day: -3");
  std::ofstream(path) << text;
  std::string error;
  EXPECT_FALSE(readPark(path, error));
  int line = 0;
  {
    std::ifstream in(path);
    std::string l;
    for (int n = 1; std::getline(in, l); ++n)
      if (l.find("trucks_per_day: -3") != std::string::npos)
        line = n;
  }
  EXPECT_NE(error.find(":" + std::to_string(line) + ":21: trucks_per_day"), std::string::npos)
      << error;
  EXPECT_FALSE(readPark("/nonexistent/park.yaml", error));
  EXPECT_NE(error.find("cannot open the park file"), std::string::npos);
}

TEST(Park, DispatchBalancesEnergyAndFollowsTheLevers) {
  std::string error;
  const ParkDef p = *readPark(kPark, error);
  const double el = 228e6, steam = 336e6;
  const Dispatch base = dispatch(p, {}, el, steam);
  // heat-led CHP: all steam below its 480 MW, electricity at its 586/480 ratio
  EXPECT_DOUBLE_EQ(base.chpHeatW, steam);
  EXPECT_NEAR(base.chpElectricW, steam * 586.0 / 480.0, 1e-3);
  EXPECT_EQ(base.boilerHeatW, 0.0);
  // gas in = electricity + heat + losses; losses = 25 % of the CHP's fuel
  EXPECT_NEAR(base.gasW(), base.chpElectricW + base.chpHeatW + base.boilerHeatW + base.lossesW(),
              1e-6);
  EXPECT_NEAR(base.lossesW(), 0.25 * base.chpFuelW, 1e-3);
  // the park sells what the CHP makes beyond its use
  EXPECT_NEAR(base.gridImportW, el - base.chpElectricW, 1e-6);
  EXPECT_LT(base.gridImportW, 0.0);
  // half the steam electrified: more electricity bought, less gas burnt
  const Dispatch half = dispatch(p, {0.5, 0.0}, el, steam);
  EXPECT_NEAR(half.eBoilerHeatW, 168e6, 1e-3);
  EXPECT_NEAR(half.parkElectricW, el + 168e6 / 0.99, 1e-3);
  EXPECT_GT(half.gridImportW, base.gridImportW + 168e6);
  EXPECT_LT(half.gasW(), 0.51 * base.gasW());
  // heat pumps need a COP-th of the heat as electricity
  const Dispatch hp = dispatch(p, {0.0, 0.5}, el, steam);
  EXPECT_NEAR(hp.parkElectricW - el, 168e6 / 2.0, 1e-3);
  // an electrolyser of 50 MW: 50 MW more from the grid, 33 MW of hydrogen (66 %, IEA 2019)
  Levers ely;
  ely.electrolyserW = 50e6;
  const Dispatch h2 = dispatch(p, ely, el, steam);
  EXPECT_NEAR(h2.parkElectricW - base.parkElectricW, 50e6, 1e-3);
  EXPECT_NEAR(h2.hydrogenW, 33e6, 1e-3);
  EXPECT_NEAR(h2.gridImportW - base.gridImportW, 50e6, 1e-3);
  EXPECT_EQ(base.electrolyserW, 0.0);  // none in the park file
  // waste heat: none published for the park (0), a day plant's only in working hours
  ParkDef q = p;
  q.plants[0].wasteHeatW = 20e6;
  q.plants.push_back(q.plants[0]);
  q.plants[1].pattern = "day";
  double e = 0, st = 0, wh = 0;
  demandAt(q, 3.0, false, e, st, &wh);
  EXPECT_DOUBLE_EQ(wh, 20e6);
  demandAt(q, 10.0, false, e, st, &wh);
  EXPECT_DOUBLE_EQ(wh, 40e6);
  demandAt(q, 10.0, true, e, st, &wh);  // weekend
  EXPECT_DOUBLE_EQ(wh, 20e6);
  // beyond the CHP's 480 MW the boilers take over, beyond both the steam is unserved
  const Dispatch big = dispatch(p, {}, el, 900e6);
  EXPECT_DOUBLE_EQ(big.chpHeatW, 480e6);
  EXPECT_DOUBLE_EQ(big.boilerHeatW, 362e6);
  EXPECT_NEAR(big.unservedHeatW, 58e6, 1e-3);
  EXPECT_NEAR(big.boilerFuelW, 362e6 / 0.92, 1e-3);
}

TEST(Park, TrucksAndShiftsArriveAtTheRightHoursAndGates) {
  std::string error;
  const ParkDef p = *readPark(kPark, error);
  TripPlaces places;
  places.gates = {{-100.0, 0.0}, {0.0, 100.0}};  // west (trucks), north
  places.outside = {-5000.0, 0.0};
  places.homes = {{1000, 1000, 3}, {2000, -500, 1}};
  // a Wednesday (2026-06-17) from local midnight: local clock seconds since 1970
  const double localStart = 1781654400.0;
  ParkTrips trips(p, places, 42, localStart);
  std::map<int, int> trucksIn, carsIn, carsOut;
  int truckOut = 0, toOtherGate = 0;
  double lastId = -1;
  for (double t = 0; t < 86400.0; t += 60.0) {
    std::vector<double> trucks, cars;
    trips.step(t, t + 60.0, 1.0, trucks, cars);
    for (const sdk::TripRecord& r : sdk::readTrips(trucks)) {
      EXPECT_GT(r.id, lastId);
      lastId = std::max(lastId, r.id);
      EXPECT_GE(r.departS, t);
      EXPECT_LT(r.departS, t + 60.0);
      EXPECT_EQ(r.vehicleClass, sdk::kTripTruck);
      if (r.toX == -100.0 && r.toY == 0.0)
        ++trucksIn[static_cast<int>(r.departS / 3600.0)];
      else if (r.fromX == -100.0 && r.toX == -5000.0)
        ++truckOut;
      else
        ++toOtherGate;
    }
    for (const sdk::TripRecord& r : sdk::readTrips(cars)) {
      EXPECT_GE(r.departS, t);
      EXPECT_LT(r.departS, t + 60.0);
      const bool in = r.toX == -100.0 || r.toX == 0.0;
      (in ? carsIn : carsOut)[static_cast<int>(std::floor(r.departS / 900.0))]++;
    }
  }
  // 650 trucks, all through the truck gate, about 27 an hour around the clock
  int in = 0;
  for (const auto& [h, n] : trucksIn) {
    EXPECT_NEAR(n, 650.0 / 24.0, 1.0) << "hour " << h;
    in += n;
  }
  EXPECT_EQ(in, 650);
  EXPECT_EQ(truckOut, 650);
  EXPECT_EQ(toOtherGate, 0);
  // an incoming crew (9,400 x 24 % / 5 crews x 65 % by car = 293) leaves home 45 to 15 minutes
  // before 14:00 and the outgoing one leaves the gate in the 30 minutes after
  EXPECT_EQ(carsIn[13 * 4 + 1] + carsIn[13 * 4 + 2], 293);  // 13:15-13:45
  EXPECT_EQ(carsOut[14 * 4] + carsOut[14 * 4 + 1], 293);    // 14:00-14:30
  // day workers (9,400 x 76 % x 65 % = 4,644) arrive 07:00-09:00 on a weekday
  int day = 0;
  for (int q = 7 * 4; q < 9 * 4; ++q)
    day += carsIn[q];
  EXPECT_EQ(day, 4644);
  EXPECT_EQ(trips.trucksSoFar(), 1300.0);
}

}  // namespace
}  // namespace twin::industry
