// SPDX-License-Identifier: Apache-2.0
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/twin_test.hpp"
#include "tmy_weather.hpp"

namespace twin::weather {
namespace {

using ::testing::HasSubstr;

const TryYear& essen() {
  static const TryYear year =
      readTry2010(std::string(TWIN_SOURCE_DIR) + "/assets/weather/TRY2010_05_Jahr.dat");
  return year;
}

// Unix seconds of a wall-clock time at a UTC offset in hours
double unixAt(int y, int mo, int d, int h, int mi, int offsetH) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return static_cast<double>(timegm(&tm)) - offsetH * 3600.0;
}

constexpr std::int64_t kCet = 3600;

TEST(TryReader, ReadsTheEssenYear) {
  const TryYear& y = essen();
  ASSERT_EQ(y.hours.size(), 8760u);
  EXPECT_EQ(y.station, "Essen");
  // first row, as printed in the file: 1 Jan hour 1, N 8, WR 70, WG 2.5, t 2.1, p 985.7
  EXPECT_EQ(y.hours[0].cloudOktas, 8);
  EXPECT_EQ(y.hours[0].windDirectionDeg, 70);
  EXPECT_DOUBLE_EQ(y.hours[0].windSpeedMps, 2.5);
  EXPECT_DOUBLE_EQ(y.hours[0].temperatureC, 2.1);
  EXPECT_DOUBLE_EQ(y.hours[0].pressureHpa, 985.7);
}

TEST(TmyWeather, ValuesAtALabelledHourAreTheFilesRow) {
  // 17 June hour 12 CET: N 6, WR 250, WG 4.0, t 14.7, p 1005.3, RF 62, B 150, D 441
  const WeatherSample w = sampleWeather(essen(), unixAt(2026, 6, 17, 12, 0, 1), kCet);
  EXPECT_DOUBLE_EQ(w.temperatureC, 14.7);
  EXPECT_DOUBLE_EQ(w.beamWm2, 150.0);
  EXPECT_DOUBLE_EQ(w.diffuseWm2, 441.0);
  EXPECT_DOUBLE_EQ(w.ghiWm2, 591.0);
  EXPECT_DOUBLE_EQ(w.windSpeedMps, 4.0);
  EXPECT_NEAR(w.windDirectionDeg, 250.0, 1e-9);
  EXPECT_DOUBLE_EQ(w.pressurePa, 100530.0);
  EXPECT_DOUBLE_EQ(w.relativeHumidityPct, 62.0);
  EXPECT_DOUBLE_EQ(w.cloudFraction, 0.75);
  EXPECT_EQ(w.stabilityClass, 3);  // C: 4 m/s, 591 W/m2 (EPA SRDT 175-675 row 3-5 m/s)
  // the same instant written in summer time (CEST, UTC+2) gives the same row
  const WeatherSample s = sampleWeather(essen(), unixAt(2026, 6, 17, 13, 0, 2), kCet);
  EXPECT_DOUBLE_EQ(s.temperatureC, 14.7);
}

TEST(TmyWeather, InterpolatesBetweenHours) {
  // halfway between 17 June hour 12 (t 14.7, 591 W/m2, 4.0 m/s, 250 deg) and 13 (16.3, 440, 5.0,
  // 230)
  const WeatherSample w = sampleWeather(essen(), unixAt(2026, 6, 17, 12, 30, 1), kCet);
  EXPECT_NEAR(w.temperatureC, 15.5, 1e-12);
  EXPECT_NEAR(w.ghiWm2, 515.5, 1e-12);
  EXPECT_NEAR(w.windSpeedMps, 4.5, 1e-12);
  EXPECT_NEAR(w.windDirectionDeg, 240.0, 1e-9);
  // 1 Jan 01:30 CET between t 2.1 and 1.0
  EXPECT_NEAR(sampleWeather(essen(), unixAt(2026, 1, 1, 1, 30, 1), kCet).temperatureC, 1.55, 1e-12);
}

TEST(TmyWeather, TheTypicalYearWrapsAndSkipsLeapDays) {
  // 1 Jan 00:00 CET is the previous 31 December hour 24: t 3.6
  EXPECT_DOUBLE_EQ(sampleWeather(essen(), unixAt(2026, 1, 1, 0, 0, 1), kCet).temperatureC, 3.6);
  // 29 February repeats 28 February (hour 12: t 7.0); 1 March is 1 March in every year
  EXPECT_DOUBLE_EQ(sampleWeather(essen(), unixAt(2024, 2, 29, 12, 0, 1), kCet).temperatureC, 7.0);
  EXPECT_DOUBLE_EQ(sampleWeather(essen(), unixAt(2024, 3, 1, 12, 0, 1), kCet).temperatureC,
                   sampleWeather(essen(), unixAt(2026, 3, 1, 12, 0, 1), kCet).temperatureC);
}

TEST(TmyWeather, MonthlyAndAnnualSumsMatchTheReference) {
  // reference: tests/data/weather/try2010_05_monthly_ghi.csv (sums of the same file)
  std::ifstream in(std::string(TWIN_TEST_DATA_DIR) + "/weather/try2010_05_monthly_ghi.csv");
  std::string line;
  std::getline(in, line);
  double annual = 0.0, annualTemp = 0.0;
  int months = 0;
  while (std::getline(in, line)) {
    if (line.rfind("year", 0) == 0)
      continue;  // the annual row is checked below
    std::istringstream row(line);
    std::string cell;
    std::vector<double> v;
    while (std::getline(row, cell, ','))
      v.push_back(std::stod(cell));
    const int month = static_cast<int>(v[0]);
    // hourly samples over the month in CET: hour 0 of the month .. last hour
    const double start = unixAt(2026, month, 1, 0, 0, 1);
    const double end =
        month == 12 ? unixAt(2027, 1, 1, 0, 0, 1) : unixAt(2026, month + 1, 1, 0, 0, 1);
    double ghiWh = 0.0, beamWh = 0.0, temp = 0.0;
    int n = 0;
    for (double t = start + 3600.0; t <= end; t += 3600.0, ++n) {
      const WeatherSample w = sampleWeather(essen(), t, kCet);
      ghiWh += w.ghiWm2;
      beamWh += w.beamWm2;
      temp += w.temperatureC;
    }
    EXPECT_NEAR(ghiWh / 1000.0, v[1], 0.006) << "month " << month;
    EXPECT_NEAR(beamWh / 1000.0, v[2], 0.006) << "month " << month;
    EXPECT_NEAR(temp / n, v[4], 0.006) << "month " << month;
    annual += ghiWh / 1000.0;
    annualTemp += temp;
    ++months;
  }
  EXPECT_EQ(months, 12);
  EXPECT_NEAR(annual, 960.0, 0.05);
  EXPECT_NEAR(annualTemp / 8760.0, 10.36, 0.005);
}

TEST(TmyWeather, PasquillGiffordClasses) {
  EXPECT_EQ(pasquillGiffordClass(1.5, 950.0, 2), 1);  // A: light wind, strong sun
  EXPECT_EQ(pasquillGiffordClass(2.5, 700.0, 2), 2);  // B
  EXPECT_EQ(pasquillGiffordClass(4.0, 591.0, 6), 3);  // C
  EXPECT_EQ(pasquillGiffordClass(5.5, 300.0, 3), 4);  // D
  EXPECT_EQ(pasquillGiffordClass(6.5, 950.0, 0), 3);  // strong wind, strong sun: C
  EXPECT_EQ(pasquillGiffordClass(3.0, 800.0, 8), 4);  // overcast: D by day
  EXPECT_EQ(pasquillGiffordClass(2.5, 0.0, 2), 6);    // clear night, 2-3 m/s: F
  EXPECT_EQ(pasquillGiffordClass(2.5, 0.0, 5), 5);    // cloudy night: E
  EXPECT_EQ(pasquillGiffordClass(4.0, 0.0, 1), 5);    // 3-5 m/s clear night: E
  EXPECT_EQ(pasquillGiffordClass(7.0, 0.0, 1), 4);    // windy night: D
  EXPECT_EQ(pasquillGiffordClass(1.0, 0.0, 9), 4);    // sky obscured: D
}

TEST(TryReader, BrokenFilesGetFileAndLine) {
  const std::string dir = twin::test::makeTempDir("try");
  const std::string src = std::string(TWIN_SOURCE_DIR) + "/assets/weather/TRY2010_05_Jahr.dat";
  std::ifstream in(src);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  // cut after the first 100 data rows
  std::size_t pos = text.find("***");
  for (int i = 0; i < 101; ++i)
    pos = text.find('\n', pos + 1);
  twin::test::writeFile(dir + "/short.dat", text.substr(0, pos + 1));
  try {
    readTry2010(dir + "/short.dat");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("this file has 100"));
  }
  std::string broken = text;
  const std::size_t row5 = broken.find(" 5     1   1   1   5");
  broken.replace(row5, broken.find('\n', row5) - row5, " 5     1   1   1   5  8   70  windy");
  twin::test::writeFile(dir + "/broken.dat", broken);
  try {
    readTry2010(dir + "/broken.dat");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("broken.dat:43: expected 19 numeric columns"));
  }
  twin::test::writeFile(dir + "/notatry.dat", "hello\nworld\n");
  EXPECT_THROW(readTry2010(dir + "/notatry.dat"), std::runtime_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace twin::weather
