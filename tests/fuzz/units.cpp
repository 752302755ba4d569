// SPDX-License-Identifier: Apache-2.0
// Fuzz target: unit and quantity strings ("15min", "3.5 kW/m2", "degC"), durations and ISO
// date-times as a scenario writes them. Every input gives a value or an error, never a crash;
// a conversion that succeeds round-trips finite values.
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "core/time.hpp"
#include "core/units.hpp"
#include "fuzz_support.hpp"

extern "C" int TWIN_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)twin::core::parseUnit(text);
  (void)twin::core::parseDurationNs(text);
  (void)twin::core::parseIsoDateTime(text);
  (void)twin::core::parseByteSize(text);
  if (auto q = twin::core::parseQuantity(text); q) {
    // the same text twice: the same answer (no hidden state)
    auto again = twin::core::parseQuantity(text);
    if (!again)
      std::abort();
  }
  // a pair "from|to": conversions between whatever the halves are
  const std::size_t bar = text.find('|');
  if (bar != std::string_view::npos) {
    auto c = twin::core::unitConversion(text.substr(0, bar), text.substr(bar + 1));
    if (c && !std::isfinite(c->factor))
      std::abort();
  }
  return 0;
}
