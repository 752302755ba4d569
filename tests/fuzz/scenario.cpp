// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a scenario file through the whole validation the CLI does (YAML, keys, units,
// model types and parameters of the built plugins, connections, outputs), not yaml-cpp alone.
// Every input is accepted or refused with diagnostics; a refusal without one is a finding.
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
      std::abort();  // the fuzz build's plugins must load
    return reg;
  }();
  return *r;
}
}  // namespace

extern "C" int TWIN_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string path = twin::fuzz::scratchDir() + "/scenario.yaml";
  twin::fuzz::writeFile(path, std::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<twin::io::Diagnostic> problems;
  auto doc = twin::io::loadScenarioDocument(path, {}, problems);
  if (!doc) {
    if (problems.empty() && doc.error().message.empty())
      std::abort();
    return 0;
  }
  auto sc = twin::io::validateScenario(*doc, registry(), problems);
  if (!sc && problems.empty())
    std::abort();  // refused without saying why
  return 0;
}
