// SPDX-License-Identifier: Apache-2.0
// Who is inside a building at a given hour: the share of its residents at home and of its jobs at
// work. Day and night shares follow the population distribution of FEMA's HAZUS-MH 2.1
// (Earthquake Model Technical Manual, Table 13.2, as documented for HEC-FIA's population
// distribution): at 2 a.m. 2 % of commercial and 10 % of industrial workers are at work, at
// 2 p.m. 98 % and 80 %, schools 80 % by day; residents at home are all residents by night and, by
// day, those neither employed nor in education (Destatis 2023: 45.9 M employed and 13.8 M pupils
// and students of 84.4 M inhabitants, so 29 % at home). Between the two snapshots the shares
// change linearly (06:00-09:00 and 16:00-22:00): our interpolation, not HAZUS's.
#pragma once

namespace twin::industry {

struct Presence {
  double residents = 0.0;  // share of a building's residents inside
  double jobs = 0.0;       // share of its jobs (workers) inside
};

// `localHour` in [0, 24); `useClass` is TWIN_USE_*.
Presence presenceAt(double localHour, int useClass);

}  // namespace twin::industry
