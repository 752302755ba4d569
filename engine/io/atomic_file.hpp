// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace twin::io {

// Writes `content` to `path` through a temporary file in the same folder, flushed and synced,
// then renamed over `path`: readers see the old file or the whole new one, never a part.
core::Status writeFileAtomic(const std::string& path, std::string_view content);

// A file written piece by piece and published under its final name only by commit().
// Destroyed without commit(), it removes the temporary file.
class AtomicFile {
 public:
  static core::Result<AtomicFile> create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  // Appends bytes; a write error is remembered and reported by commit().
  void write(std::string_view bytes);
  core::Status commit();

 private:
  AtomicFile(std::string path, std::string tempPath, std::FILE* file);
  std::string path_;
  std::string tempPath_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
};

// The output folder of one run. Everything is written into a sibling staging folder
// ("<dir>.tmp-<pid>"); commit() swaps it in with renames, so a failed or killed run never
// leaves a finished-looking folder and never damages the results of an earlier run.
class OutputFolder {
 public:
  // Refuses a `dir` that exists and is neither empty nor a citytwin run folder (no run.json).
  static core::Result<OutputFolder> begin(const std::string& dir);
  OutputFolder(OutputFolder&& other) noexcept;
  OutputFolder& operator=(OutputFolder&&) = delete;
  OutputFolder(const OutputFolder&) = delete;
  ~OutputFolder();

  // Where to write files now (the staging folder).
  const std::string& stagingPath() const { return staging_; }
  const std::string& finalPath() const { return final_; }
  core::Status commit();

 private:
  OutputFolder(std::string finalDir, std::string staging);
  std::string final_;
  std::string staging_;
  bool done_ = false;
};

}  // namespace twin::io
