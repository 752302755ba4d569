// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace twin::io {

// Where a value was written: file (as the user named it), 1-based line and column.
struct Location {
  std::string file;
  int line = 0;
  int col = 0;
  std::string str() const;  // "file:line:col"
};

// One problem found in a scenario, at a location.
struct Diagnostic {
  Location where;
  std::string message;
  std::string str() const { return where.str() + ": " + message; }
};

// A YAML document as a tree that remembers where every value and key came from, so that
// merged variants and --set overrides still report the right file:line:col.
struct Node {
  enum class Kind { Null, Scalar, Sequence, Map };
  struct Entry;

  Kind kind = Kind::Null;
  std::string scalar;   // Scalar: text as written
  bool quoted = false;  // Scalar: written in quotes (never a number or bool)
  std::vector<Node> items;
  std::vector<Entry> entries;  // Map: in file order
  Location where;

  bool isMap() const { return kind == Kind::Map; }
  bool isSeq() const { return kind == Kind::Sequence; }
  bool isScalar() const { return kind == Kind::Scalar; }
  bool isNull() const { return kind == Kind::Null; }
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  const Entry* findEntry(std::string_view key) const;
  // Kind as a noun for messages: "a map", "a list", "a value", "nothing".
  std::string_view kindName() const;
};

struct Node::Entry {
  std::string key;
  Location keyWhere;
  Node value;
};

// Parses YAML text. Syntax errors and duplicate keys come back as diagnostics with the
// location yaml-cpp reports. `file` is used in locations only.
core::Result<Node> parseYaml(std::string_view text, const std::string& file,
                             std::vector<Diagnostic>& problems);
// Reads and parses a file; a missing or unreadable file is an error naming it.
// Scenario files are read whole: at most this many bytes (docs/robustness.md, limits).
inline constexpr std::uint64_t kMaxYamlFileBytes = 16ull << 20;
core::Result<Node> loadYamlFile(const std::string& path, std::vector<Diagnostic>& problems);

// Deep merge: maps merge key by key (overlay wins), everything else is replaced; a null in
// the overlay removes the key from the base; "key+: [...]" appends its items to the base's
// list "key" (a variant adds connections or series without repeating its base's).
void mergeInto(Node& base, const Node& overlay);
// After merging: "key+" keys left in a file without a base (or beside "key" in one map) become
// "key", their items appended to it.
void resolveAppendKeys(Node& node);

// The leaves of a tree as (dotted path, text) pairs in document order: "models.weather.period"
// -> "15min", list items as "interventions[0].at"; an empty map or list is one leaf "{}" or
// "[]". What a report shows as "what changed" between a baseline and its variants.
std::vector<std::pair<std::string, std::string>> flattenTree(const Node& node);

// Canonical text of a tree (keys in order, scalars quoted): the input of the scenario hash.
std::string canonicalText(const Node& node);

}  // namespace twin::io
