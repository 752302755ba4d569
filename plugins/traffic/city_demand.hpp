// SPDX-License-Identifier: Apache-2.0
// The daily car demand of a city from its buildings, as a trip-based model with tours:
//  1. trip generation: the residents of each building make trips per purpose at the rates of
//     MiD 2017 (Mobilität in Deutschland: 3.1 trips per person and day, split by purpose as the
//     survey's trips per day), of which the car-driver share drive;
//  2. destination choice: a gravity model (Wilson 1967) over 400 m zones with the purpose's
//     attraction (jobs, jobs of shops, of schools, ...) and an exponential deterrence
//     exp(-ln 2 d / m) on the straight-line distance d, m the purpose's median trip length in
//     MiD 2017 (a destination at the median length is half as attractive as one next door);
//     then a building of the zone by its attraction;
//  3. time of day as MITO does it (Moeckel et al. 2020): home-based trips are tours: the trip out
//     arrives at a time drawn from the purpose's arrival distribution (departing its free-flow
//     travel time earlier), the trip home leaves after an activity duration drawn from the
//     purpose's duration distribution (both from MiD, assets/traffic/time_of_day_mid.csv);
//     business trips start at a workplace and end at another;
//  4. routes: fastest paths on the empty network, one Dijkstra (1959) tree per origin road for
//     all trips that start there.
// Every tour draws from its own random stream (seed, building, purpose, tour), so the demand is
// the same for any thread count, and a building's trips do not change when others do.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "demand.hpp"
#include "network.hpp"
#include "routing.hpp"
#include "sim.hpp"
#include "twin/plugin.h"

namespace twin::traffic {

// The columns of a time-of-day table (assets/traffic/time_of_day_mid.csv).
enum class TimeColumn : std::uint8_t {
  ArrivalHbw,
  DurationHbw,
  ArrivalHbe,
  DurationHbe,
  ArrivalHbs,
  DurationHbs,
  ArrivalHbo,
  DurationHbo,
  ArrivalNhbw,
  Count
};

// Shares of the day per bin, one distribution per column, each summing to 1.
struct TimeOfDay {
  std::vector<double> binStartS;  // bin k spans [binStartS[k], binStartS[k + 1])
  std::array<std::vector<double>, static_cast<std::size_t>(TimeColumn::Count)> cumulative;
  // a time (s) drawn from a column: the bin by u1, a uniform point of it by u2
  double sample(TimeColumn c, double u1, double u2) const;
  // the share of column c in [fromS, toS) (whole bins)
  double share(TimeColumn c, double fromS, double toS) const;
};

// Reads a time-of-day table; throws std::runtime_error naming file and line on a bad file
// (missing column, a share that is not a finite number >= 0, bins that do not follow on).
TimeOfDay readTimeOfDay(const std::string& path);

enum class Purpose : std::uint8_t {
  Work,
  Business,
  Education,
  Shopping,
  Errands,
  Leisure,
  Escort,
  Count
};
inline constexpr std::size_t kPurposes = static_cast<std::size_t>(Purpose::Count);

struct PurposeFigures {
  const char* name;
  double tripsPerDayM;  // MiD 2017: trips per day in Germany by purpose, millions (all modes)
  double medianKm;      // MiD 2017: median trip length
  TimeColumn arrival;
  TimeColumn duration;  // for tours; business trips have none (arrival only)
  bool tour;            // home-based: out and back; business: one trip between workplaces
};

// MiD 2017 (infas, DLR, IVT, infas 360 for the BMVI), as plugins/traffic/README.md quotes it.
inline constexpr std::array<PurposeFigures, kPurposes> kMid2017{{
    {"work", 43, 8.1, TimeColumn::ArrivalHbw, TimeColumn::DurationHbw, true},
    {"business", 28, 5.7, TimeColumn::ArrivalNhbw, TimeColumn::ArrivalNhbw, false},
    {"education", 18, 2.9, TimeColumn::ArrivalHbe, TimeColumn::DurationHbe, true},
    {"shopping", 41, 2.0, TimeColumn::ArrivalHbs, TimeColumn::DurationHbs, true},
    {"errands", 37, 3.6, TimeColumn::ArrivalHbo, TimeColumn::DurationHbo, true},
    {"leisure", 72, 3.9, TimeColumn::ArrivalHbo, TimeColumn::DurationHbo, true},
    {"escort", 21, 2.9, TimeColumn::ArrivalHbo, TimeColumn::DurationHbo, true},
}};
// MiD 2017: trips per person and day, all modes (85 % of people leave home on a given day)
inline constexpr double kMidTripsPerPersonDay = 3.1;
// MiD 2017: the share of trips made as a car's driver, all purposes
inline constexpr double kMidCarDriverShare = 0.43;

// IT.NRW's commuter count (Pendlerrechnung) for the city of Aachen, 2019, as the Aachener
// Zeitung reported it (October 2020): 90,178 people commuted into the city to work, 36,576 out
// of it, and 28.8 % of the employed residents worked outside the city.
inline constexpr double kAachenOutCommuterShare = 0.288;
inline constexpr double kAachenInPerOutCommuter = 90178.0 / 36576.0;

// Through traffic: Stadt Trier, Mobilitätskonzept Trier 2025, Textband, table 9 (analysis year
// 2010; a city of 110,000 at a border, as Aachen): a weekday's 37,000 car trips through the
// city against 140,000 that start or end in it (and 147,000 within it).
inline constexpr double kTrierThroughPerCrossing = 37000.0 / 140000.0;

// Where the network meets the world beyond it: a dead end of a road at least of tertiary class
// within `fringeM` of the edge of the network's extent (a road the extract cut off), with an edge
// in and an edge out, both on the main component. Weighted by the lanes of the edge in.
struct Gate {
  std::uint32_t node = kNone;
  std::uint32_t in = kNone, out = kNone;  // the edge into the network and the one out of it
  double weight = 0;
};
std::vector<Gate> fringeGates(const Network& net, double fringeM = 250.0);

struct CityDemandOptions {
  double scale = 1.0;                          // share of the trips that are simulated
  double carDriverShare = kMidCarDriverShare;  // of all trips
  // commuting across the network's fringe (through its gates): the share of the residents' work
  // tours to workplaces beyond the network, and the tours of people who live beyond it and work
  // inside, per such tour out (0 and 0: every work tour stays inside)
  double outCommuterShare = 0.0;
  double inPerOutCommuter = 0.0;
  // through traffic: trips from one gate to another per trip that crosses the fringe once (the
  // commuters' trips away, home, in and out again); 0: none
  double throughPerCrossing = 0.0;
  double dayS = 86400.0;  // trips that would start later are left out
  // local time of day at the scenario's start (s after midnight): trips that depart earlier are
  // left out (the run starts with empty roads), the others depart that much sooner
  double startS = 0.0;
  double zoneM = 400.0;  // zone size of the gravity model
};

struct CityDemandStats {
  double residents = 0, jobs = 0;
  std::array<std::size_t, kPurposes> trips{};  // trips in the demand, by purpose
  std::size_t sameRoad = 0;                    // left out: origin and destination on the same road
  std::size_t afterDay = 0;                    // left out: the trip home would start after the day
  std::size_t beforeStart = 0;                 // left out: it departs before the scenario starts
  std::size_t unroutable = 0;            // left out: no route (cannot happen on one connected part)
  std::size_t buildingsWithoutRoad = 0;  // buildings with people or jobs and no road near
  std::size_t gates = 0;                 // fringe gates of the network
  std::size_t outCommuteTours = 0;       // residents' work tours beyond the network
  std::size_t inCommuteTours = 0;        // work tours from beyond the network into it
  std::size_t throughTrips = 0;          // trips from a gate through the network to another
};

// The city's daily car trips, routed, sorted by departure (s since the scenario's start; vtype
// 0 for all). Trip ids:
// "<purpose>-<building>-<tour>-out|back" (business: "-trip"; work tours beyond the network:
// "work-<building>-<tour>-away|home"), "commute-<gate node>-<tour>-in|out" for the tours of
// people who come in to work, "through-<gate node>-<trip>-to-<gate node>" for through traffic.
Demand cityDemand(const TwinCityInfo& city, const Network& net, const Router& router,
                  const TimeOfDay& timeOfDay, const CityDemandOptions& options, std::uint64_t seed,
                  const ParallelFor& parallel, CityDemandStats* stats);

}  // namespace twin::traffic
