// SPDX-License-Identifier: Apache-2.0
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace twin::io {
namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;

namespace {
std::string errnoText() {
  return std::strerror(errno);
}
}  // namespace

AtomicFile::AtomicFile(std::string path, std::string tempPath, std::FILE* file)
    : path_(std::move(path)), tempPath_(std::move(tempPath)), file_(file) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      tempPath_(std::move(other.tempPath_)),
      file_(other.file_),
      failed_(other.failed_) {
  other.file_ = nullptr;
  other.tempPath_.clear();
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr)
    std::fclose(file_);
  if (!tempPath_.empty()) {
    std::error_code ec;
    fs::remove(tempPath_, ec);
  }
}

core::Result<AtomicFile> AtomicFile::create(const std::string& path) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) {
    return fail(ErrorCode::Io, "cannot write " + path + ": " + errnoText());
  }
  return AtomicFile(path, temp, f);
}

void AtomicFile::write(std::string_view bytes) {
  if (failed_ || file_ == nullptr)
    return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    failed_ = true;
}

core::Status AtomicFile::commit() {
  if (file_ == nullptr)
    return fail(ErrorCode::Internal, "file already committed: " + path_);
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int savedErrno = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (failed_ || !flushed || !closed) {
    errno = savedErrno != 0 ? savedErrno : errno;
    return fail(ErrorCode::Io, "cannot write " + path_ + ": " +
                                   (errno != 0 ? errnoText() : std::string("write failed")));
  }
  if (std::rename(tempPath_.c_str(), path_.c_str()) != 0) {
    return fail(ErrorCode::Io, "cannot rename " + tempPath_ + " to " + path_ + ": " + errnoText());
  }
  tempPath_.clear();
  return {};
}

core::Status writeFileAtomic(const std::string& path, std::string_view content) {
  auto f = AtomicFile::create(path);
  if (!f)
    return core::Unexpected(f.error());
  f->write(content);
  return f->commit();
}

OutputFolder::OutputFolder(std::string finalDir, std::string staging)
    : final_(std::move(finalDir)), staging_(std::move(staging)) {}

OutputFolder::OutputFolder(OutputFolder&& other) noexcept
    : final_(std::move(other.final_)), staging_(std::move(other.staging_)), done_(other.done_) {
  other.done_ = true;
}

OutputFolder::~OutputFolder() {
  if (!done_ && !staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

core::Result<OutputFolder> OutputFolder::begin(const std::string& dir) {
  std::error_code ec;
  fs::path finalDir = fs::path(dir).lexically_normal();
  if (finalDir.filename().empty())
    finalDir = finalDir.parent_path();
  if (fs::exists(finalDir, ec)) {
    if (!fs::is_directory(finalDir, ec)) {
      return fail(ErrorCode::BadInput,
                  "output folder " + finalDir.string() + " exists and is not a folder");
    }
    const bool empty = fs::is_empty(finalDir, ec);
    if (!empty && !fs::exists(finalDir / "run.json", ec)) {
      return fail(ErrorCode::BadInput,
                  "refusing to replace " + finalDir.string() +
                      ": it is not empty and holds no run.json (not a citytwin output folder)");
    }
  }
  const fs::path parent = finalDir.has_parent_path() ? finalDir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) {
    return fail(ErrorCode::Io, "cannot create " + parent.string() + ": " + ec.message());
  }
  // staging folders left by runs that were killed: remove those whose process is gone
  const std::string prefix = finalDir.filename().string() + ".tmp-";
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0)
      continue;
    const std::string pidText = name.substr(prefix.size());
    char* end = nullptr;
    const long pid = std::strtol(pidText.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || pid <= 0)
      continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code rmEc;
      fs::remove_all(e.path(), rmEc);
    }
  }
  const fs::path staging = parent / (prefix + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) {
    return fail(ErrorCode::Io, "cannot create " + staging.string() + ": " + ec.message());
  }
  return OutputFolder(finalDir.string(), staging.string());
}

core::Status OutputFolder::commit() {
  std::error_code ec;
  const std::string old = final_ + ".old-" + std::to_string(::getpid());
  const bool hadOld = fs::exists(final_, ec);
  if (hadOld) {
    fs::rename(final_, old, ec);
    if (ec)
      return fail(ErrorCode::Io, "cannot move the previous " + final_ + " aside: " + ec.message());
  }
  fs::rename(staging_, final_, ec);
  if (ec) {
    std::error_code back;
    if (hadOld)
      fs::rename(old, final_, back);
    return fail(ErrorCode::Io, "cannot publish " + final_ + ": " + ec.message());
  }
  done_ = true;
  if (hadOld)
    fs::remove_all(old, ec);
  return {};
}

}  // namespace twin::io
