// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace twin::core {

// A physical unit as exponents of the SI base units (m, kg, s, A, K, mol, cd) and the affine
// map to them: si = value * scale + offset. `offset` is non-zero only for degC on its own.
struct Unit {
  std::array<std::int8_t, 7> dims{};
  double scale = 1.0;
  double offset = 0.0;

  bool sameDimension(const Unit& other) const { return dims == other.dims; }
  bool isDimensionless() const { return dims == std::array<std::int8_t, 7>{}; }
  double toSi(double value) const { return value * scale + offset; }
  double fromSi(double si) const { return (si - offset) / scale; }
};

// Parses a unit expression: "W", "kW", "W/m2", "km/h", "m/s^2", "kWh", "t/h", "degC", "%",
// "1" or "" (dimensionless). Prefixes n u m c k M G T; exponents as "m2", "m^2" or "m²";
// after a '/', terms joined by '.' or '*' stay in the denominator ("J/kg.K").
Result<Unit> parseUnit(std::string_view text);

// A number with its unit, as written in a scenario: "2.5MW", "40km/h", "15min", "3%", "180000".
struct Quantity {
  double value = 0.0;  // as written, in `unit`
  Unit unit;
  double si() const { return unit.toSi(value); }
};

// Parses a number followed by an optional unit (a space between them is allowed).
Result<Quantity> parseQuantity(std::string_view text);

// Human name of a unit's dimension for messages: "power", "time", "speed" or "m^2*kg*s^-3".
std::string dimensionName(const Unit& unit);

// Multiplier and offset that convert a value in `from` to `to` (to = from*factor + offset);
// an error when the dimensions differ.
struct UnitConversion {
  double factor = 1.0;
  double offset = 0.0;
  bool isIdentity() const { return factor == 1.0 && offset == 0.0; }
  double apply(double v) const { return v * factor + offset; }
};
Result<UnitConversion> unitConversion(std::string_view from, std::string_view to);

// An amount of memory or disk as a user writes it: "4GiB", "512 MiB", "1.5GB", "2000000B".
// Binary prefixes KiB MiB GiB TiB (1024^n) and decimal ones kB MB GB TB (1000^n); a bare number
// is refused (bytes or gibibytes would be a guess). At most 2^62 bytes.
Result<std::uint64_t> parseByteSize(std::string_view text);
// "1.6 GiB", "512 MiB", "12 KiB", "900 B": binary units with up to one decimal.
std::string formatBytes(std::uint64_t bytes);

}  // namespace twin::core
