// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the CLI's --set overrides (key.path=value, one per input line, at most four) on
// a valid scenario, then the whole validation: applied or refused with a reason.
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "io/scenario.hpp"
#include "plugin/loader.hpp"

namespace {
const twin::plugin::Registry& registry() {
  static const twin::plugin::Registry* r = [] {
    auto* reg = new twin::plugin::Registry();
    if (!reg->load({TWIN_FUZZ_PLUGIN_DIR}))
      std::abort();
    return reg;
  }();
  return *r;
}
}  // namespace

extern "C" int TWIN_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> sets;
  std::size_t at = 0;
  while (at <= text.size() && sets.size() < 4) {
    const std::size_t nl = text.find('\n', at);
    sets.emplace_back(text.substr(at, nl == std::string_view::npos ? text.size() - at : nl - at));
    if (nl == std::string_view::npos)
      break;
    at = nl + 1;
  }
  std::vector<twin::io::Diagnostic> problems;
  auto doc = twin::io::loadScenarioDocument(TWIN_FUZZ_BASE_SCENARIO, sets, problems);
  if (!doc) {
    if (problems.empty() && doc.error().message.empty())
      std::abort();
    return 0;
  }
  auto sc = twin::io::validateScenario(*doc, registry(), problems);
  if (!sc && problems.empty())
    std::abort();
  return 0;
}
