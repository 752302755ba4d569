// SPDX-License-Identifier: Apache-2.0
#include "core/units.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

namespace twin::core {
namespace {

using Dims = std::array<std::int8_t, 7>;
// index of each SI base unit in Dims
constexpr std::size_t kM = 0, kKg = 1, kS = 2, kA = 3, kK = 4, kMol = 5, kCd = 6;

struct NamedUnit {
  std::string_view symbol;
  Dims dims;
  double scale;
  double offset;
};

constexpr Dims dims(int m, int kg, int s, int a = 0, int k = 0, int mol = 0, int cd = 0) {
  return Dims{static_cast<std::int8_t>(m), static_cast<std::int8_t>(kg),
              static_cast<std::int8_t>(s), static_cast<std::int8_t>(a),
              static_cast<std::int8_t>(k), static_cast<std::int8_t>(mol),
              static_cast<std::int8_t>(cd)};
}

// the units we know by name; prefixed forms (kW, MWh, km) are built from these
const std::vector<NamedUnit>& namedUnits() {
  static const std::vector<NamedUnit> kUnits{
      {"1", dims(0, 0, 0), 1.0, 0.0},
      {"%", dims(0, 0, 0), 0.01, 0.0},
      {"ppm", dims(0, 0, 0), 1e-6, 0.0},
      // a count of people: person-derived results (suppressed below outputs.min_group)
      {"person", dims(0, 0, 0), 1.0, 0.0},
      {"rad", dims(0, 0, 0), 1.0, 0.0},
      {"deg", dims(0, 0, 0), std::numbers::pi / 180.0, 0.0},
      {"m", dims(1, 0, 0), 1.0, 0.0},
      {"g", dims(0, 1, 0), 1e-3, 0.0},
      {"t", dims(0, 1, 0), 1e3, 0.0},
      {"s", dims(0, 0, 1), 1.0, 0.0},
      {"min", dims(0, 0, 1), 60.0, 0.0},
      {"h", dims(0, 0, 1), 3600.0, 0.0},
      {"d", dims(0, 0, 1), 86400.0, 0.0},
      {"A", dims(0, 0, 0, 1), 1.0, 0.0},
      {"K", dims(0, 0, 0, 0, 1), 1.0, 0.0},
      {"degC", dims(0, 0, 0, 0, 1), 1.0, 273.15},
      {"mol", dims(0, 0, 0, 0, 0, 1), 1.0, 0.0},
      {"cd", dims(0, 0, 0, 0, 0, 0, 1), 1.0, 0.0},
      {"Hz", dims(0, 0, -1), 1.0, 0.0},
      {"N", dims(1, 1, -2), 1.0, 0.0},
      {"Pa", dims(-1, 1, -2), 1.0, 0.0},
      {"bar", dims(-1, 1, -2), 1e5, 0.0},
      {"J", dims(2, 1, -2), 1.0, 0.0},
      {"Wh", dims(2, 1, -2), 3600.0, 0.0},
      {"W", dims(2, 1, -3), 1.0, 0.0},
      {"VA", dims(2, 1, -3), 1.0, 0.0},
      {"var", dims(2, 1, -3), 1.0, 0.0},
      {"V", dims(2, 1, -3, -1), 1.0, 0.0},
      {"Ohm", dims(2, 1, -3, -2), 1.0, 0.0},
      {"l", dims(3, 0, 0), 1e-3, 0.0},
      {"L", dims(3, 0, 0), 1e-3, 0.0},
  };
  return kUnits;
}

struct Prefix {
  std::string_view symbol;
  double factor;
};
constexpr std::array<Prefix, 10> kPrefixes{{{"n", 1e-9},
                                            {"u", 1e-6},
                                            {"\xC2\xB5", 1e-6},  // micro sign
                                            {"m", 1e-3},
                                            {"c", 1e-2},
                                            {"k", 1e3},
                                            {"M", 1e6},
                                            {"G", 1e9},
                                            {"T", 1e12},
                                            {"P", 1e15}}};

const NamedUnit* findNamed(std::string_view symbol) {
  for (const NamedUnit& u : namedUnits()) {
    if (u.symbol == symbol)
      return &u;
  }
  return nullptr;
}

constexpr int kMaxExponent = 4;  // per term
constexpr int kMaxTerms = 8;     // per unit expression: dims stay far inside int8

// one factor such as "km", "m2", "s^-1", "kWh": prefix + unit + exponent
Result<Unit> parseTerm(std::string_view term, std::string_view whole) {
  auto bad = [&](const std::string& why) {
    return fail(ErrorCode::BadInput, "'" + std::string(whole) + "' is not a unit: " + why);
  };
  int exponent = 1;
  std::string_view body = term;
  // superscripts ² and ³ (UTF-8 C2 B2 / C2 B3)
  if (body.size() >= 2 && body[body.size() - 2] == '\xC2' &&
      (body.back() == '\xB2' || body.back() == '\xB3')) {
    exponent = body.back() == '\xB2' ? 2 : 3;
    body.remove_suffix(2);
  } else {
    std::size_t pos = body.size();
    while (pos > 0 && ((body[pos - 1] >= '0' && body[pos - 1] <= '9')))
      --pos;
    if (pos > 0 && body[pos - 1] == '-')
      --pos;
    if (pos > 0 && body[pos - 1] == '^') {
      --pos;
    }
    if (pos < body.size() && pos > 0) {
      std::string_view expText = body.substr(pos);
      if (expText.front() == '^')
        expText.remove_prefix(1);
      int e = 0;
      auto [ptr, ec] = std::from_chars(expText.data(), expText.data() + expText.size(), e);
      if (ec != std::errc() || ptr != expText.data() + expText.size() || e == 0) {
        return bad("bad exponent in '" + std::string(term) + "'");
      }
      // m4 is the largest a quantity needs; "GW095" must not become (1e9)^95 = inf (fuzzing)
      if (e < -kMaxExponent || e > kMaxExponent) {
        return bad("exponent " + std::to_string(e) + " in '" + std::string(term) +
                   "' is outside -4..4");
      }
      exponent = e;
      body = body.substr(0, pos);
    }
  }
  if (body.empty()) {
    if (term == "1")
      return Unit{};
    return bad("empty unit term");
  }
  const NamedUnit* named = findNamed(body);
  double prefix = 1.0;
  if (named == nullptr) {
    for (const Prefix& p : kPrefixes) {
      if (body.size() > p.symbol.size() && body.substr(0, p.symbol.size()) == p.symbol) {
        const NamedUnit* rest = findNamed(body.substr(p.symbol.size()));
        if (rest != nullptr && rest->offset == 0.0 && rest->symbol != "1" && rest->symbol != "%" &&
            rest->symbol != "ppm") {
          named = rest;
          prefix = p.factor;
          break;
        }
      }
    }
  }
  if (named == nullptr) {
    return bad("unknown unit '" + std::string(body) + "'");
  }
  Unit u;
  for (std::size_t i = 0; i < u.dims.size(); ++i) {
    u.dims[i] = static_cast<std::int8_t>(named->dims[i] * exponent);
  }
  u.scale = std::pow(named->scale * prefix, exponent);
  u.offset = exponent == 1 && prefix == 1.0 ? named->offset : 0.0;
  return u;
}

}  // namespace

Result<Unit> parseUnit(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  if (s.empty() || s == "1" || s == "-")
    return Unit{};
  Unit total;
  int terms = 0;
  bool denominator = false;
  std::size_t pos = 0;
  bool affine = false;
  while (pos <= s.size()) {
    std::size_t end = pos;
    while (end < s.size() && s[end] != '/' && s[end] != '*' && s[end] != '.' &&
           !(s[end] == '\xC2' && end + 1 < s.size() && s[end + 1] == '\xB7')) {
      ++end;
    }
    std::string_view term = s.substr(pos, end - pos);
    auto u = parseTerm(term, text);
    if (!u)
      return Unexpected(u.error());
    ++terms;
    affine = affine || u->offset != 0.0;
    if (terms > kMaxTerms) {
      return fail(ErrorCode::BadInput, "'" + std::string(text) + "' has more than " +
                                           std::to_string(kMaxTerms) + " unit terms");
    }
    for (std::size_t i = 0; i < total.dims.size(); ++i) {
      total.dims[i] = static_cast<std::int8_t>(total.dims[i] + (denominator ? -1 : 1) * u->dims[i]);
    }
    total.scale = denominator ? total.scale / u->scale : total.scale * u->scale;
    if (!std::isfinite(total.scale) || total.scale == 0.0) {
      return fail(ErrorCode::BadInput,
                  "'" + std::string(text) + "' is too large or too small a unit to compute");
    }
    total.offset = u->offset;
    if (end >= s.size())
      break;
    if (s[end] == '/') {
      denominator = true;
      pos = end + 1;
    } else if (s[end] == '\xC2') {
      pos = end + 2;
    } else {
      pos = end + 1;
    }
  }
  // an offset (degC) only makes sense for a lone absolute temperature
  if (terms > 1)
    total.offset = 0.0;
  (void)affine;
  return total;
}

Result<Quantity> parseQuantity(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  if (!s.empty() && s.front() == '+')
    s.remove_prefix(1);
  double value = 0.0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr == s.data()) {
    return fail(ErrorCode::BadInput, "'" + std::string(text) +
                                         "' is not a quantity; expected a number with an "
                                         "optional unit, e.g. 2.5MW, 40km/h, 15min, 3%");
  }
  if (!std::isfinite(value)) {
    return fail(ErrorCode::BadInput, "'" + std::string(text) + "' is not a finite number");
  }
  std::string_view unitText = s.substr(static_cast<std::size_t>(ptr - s.data()));
  auto unit = parseUnit(unitText);
  if (!unit)
    return Unexpected(unit.error());
  return Quantity{value, *unit};
}

std::string dimensionName(const Unit& unit) {
  struct Named {
    Dims d;
    std::string_view name;
  };
  static const std::array<Named, 14> kNames{{
      {dims(0, 0, 0), "dimensionless"},
      {dims(1, 0, 0), "length"},
      {dims(2, 0, 0), "area"},
      {dims(3, 0, 0), "volume"},
      {dims(0, 1, 0), "mass"},
      {dims(0, 0, 1), "time"},
      {dims(0, 0, -1), "frequency"},
      {dims(1, 0, -1), "speed"},
      {dims(1, 0, -2), "acceleration"},
      {dims(2, 1, -2), "energy"},
      {dims(2, 1, -3), "power"},
      {dims(0, 1, -3), "irradiance (power per area)"},
      {dims(0, 0, 0, 0, 1), "temperature"},
      {dims(-1, 1, -2), "pressure"},
  }};
  for (const Named& n : kNames) {
    if (n.d == unit.dims)
      return std::string(n.name);
  }
  static constexpr std::array<std::string_view, 7> kBase{"m", "kg", "s", "A", "K", "mol", "cd"};
  std::string out;
  for (std::size_t i = 0; i < unit.dims.size(); ++i) {
    if (unit.dims[i] == 0)
      continue;
    if (!out.empty())
      out += '*';
    out += kBase[i];
    if (unit.dims[i] != 1)
      out += "^" + std::to_string(unit.dims[i]);
  }
  (void)kM;
  (void)kKg;
  (void)kS;
  (void)kA;
  (void)kK;
  (void)kMol;
  (void)kCd;
  return out;
}

Result<UnitConversion> unitConversion(std::string_view from, std::string_view to) {
  auto f = parseUnit(from);
  if (!f)
    return Unexpected(f.error());
  auto t = parseUnit(to);
  if (!t)
    return Unexpected(t.error());
  if (!f->sameDimension(*t)) {
    return fail(ErrorCode::BadInput, "unit mismatch: '" + std::string(from) + "' (" +
                                         dimensionName(*f) + ") cannot be converted to '" +
                                         std::string(to) + "' (" + dimensionName(*t) + ")");
  }
  UnitConversion c;
  c.factor = f->scale / t->scale;
  c.offset = (f->offset - t->offset) / t->scale;
  return c;
}

Result<std::uint64_t> parseByteSize(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::BadInput, "'" + std::string(text) + "' is not an amount of memory: " +
                                         std::string(why) + "; expected e.g. 512MiB, 4GiB, 2GB");
  };
  std::size_t pos = 0;
  while (pos < s.size() && ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '.'))
    ++pos;
  if (pos == 0)
    return bad("no number");
  double value = 0.0;
  const std::string number(s.substr(0, pos));
  char* end = nullptr;
  value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(value))
    return bad("not a number");
  std::string_view unit = s.substr(pos);
  while (!unit.empty() && unit.front() == ' ')
    unit.remove_prefix(1);
  struct Suffix {
    std::string_view name;
    double factor;
  };
  static constexpr std::array<Suffix, 9> kSuffixes{{{"B", 1.0},
                                                    {"kB", 1e3},
                                                    {"MB", 1e6},
                                                    {"GB", 1e9},
                                                    {"TB", 1e12},
                                                    {"KiB", 1024.0},
                                                    {"MiB", 1048576.0},
                                                    {"GiB", 1073741824.0},
                                                    {"TiB", 1099511627776.0}}};
  if (unit.empty())
    return bad("missing unit");
  for (const Suffix& x : kSuffixes) {
    if (x.name == unit) {
      const double bytes = value * x.factor;
      if (bytes > 4.6e18)  // 2^62
        return bad("too large");
      return static_cast<std::uint64_t>(std::llround(bytes));
    }
  }
  return bad("unknown unit '" + std::string(unit) +
             "' (use B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)");
}

std::string formatBytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kNames{"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  std::size_t k = 0;
  while (v >= 1024.0 && k + 1 < kNames.size()) {
    v /= 1024.0;
    ++k;
  }
  char buf[32];
  if (k == 0 || v >= 100.0)
    std::snprintf(buf, sizeof buf, "%.0f %s", v, kNames[k]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kNames[k]);
  return buf;
}

}  // namespace twin::core
