// SPDX-License-Identifier: Apache-2.0
#include "render/video.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace twin::render {
namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;

std::string findExecutable(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path p = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p))
      return fs::absolute(p).string();
  }
  return {};
}

core::Result<std::unique_ptr<VideoEncoder>> VideoEncoder::open(const std::string& path, int width,
                                                               int height, int fps) {
  const std::string ffmpeg = findExecutable("ffmpeg");
  if (ffmpeg.empty()) {
    return fail(ErrorCode::BadInput,
                "--video needs ffmpeg, which is not on PATH; install it with "
                "'apt-get install ffmpeg' (tools/install-deps does)");
  }
  if (fps < 1 || fps > 240)
    return fail(ErrorCode::BadInput, "--fps must be 1..240");
  std::unique_ptr<VideoEncoder> v(new VideoEncoder);
  v->path_ = path;
  v->width_ = width;
  v->height_ = height;
  std::error_code ec;
  if (fs::path(path).has_parent_path())
    fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string ext = fs::path(path).extension().string();
  v->temp_ = path + ".tmp-" + std::to_string(::getpid()) + (ext.empty() ? ".mp4" : ext);
  v->log_ = v->temp_ + ".log";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return fail(ErrorCode::Io, std::string("cannot start ffmpeg: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, v->log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  const std::string rate = std::to_string(fps);
  // H.264 needs even sizes: the scale filter rounds down; yuv420p plays everywhere
  std::vector<std::string> args = {ffmpeg,      "-hide_banner",
                                   "-loglevel", "error",
                                   "-f",        "rawvideo",
                                   "-pix_fmt",  "rgb24",
                                   "-s",        size,
                                   "-r",        rate,
                                   "-i",        "-",
                                   "-vf",       "scale=trunc(iw/2)*2:trunc(ih/2)*2",
                                   "-c:v",      "libx264",
                                   "-preset",   "medium",
                                   "-crf",      "20",
                                   "-pix_fmt",  "yuv420p",
                                   "-movflags", "+faststart",
                                   "-y",        v->temp_};
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, ffmpeg.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    return fail(ErrorCode::Io, "cannot start " + ffmpeg + ": " + std::strerror(rc));
  }
  v->pid_ = pid;
  v->pipe_ = fds[1];
  return v;
}

VideoEncoder::~VideoEncoder() {
  if (pipe_ >= 0)
    ::close(pipe_);
  if (pid_ > 0) {
    if (!done_)
      ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  if (!done_)
    fs::remove(temp_, ec);
  fs::remove(log_, ec);
}

core::Status VideoEncoder::add(const std::vector<std::uint8_t>& rgb) {
  if (rgb.size() != static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_) * 3) {
    return fail(ErrorCode::Internal, "video frame has the wrong size");
  }
  // ffmpeg closing its input early (an error) must not kill us with SIGPIPE
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  std::size_t at = 0;
  while (at < rgb.size()) {
    const ssize_t n = ::write(pipe_, rgb.data() + at, rgb.size() - at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ::sigaction(SIGPIPE, &old, nullptr);
      std::ifstream log(log_);
      std::stringstream text;
      text << log.rdbuf();
      return fail(ErrorCode::Io, "ffmpeg stopped reading frames: " + text.str());
    }
    at += static_cast<std::size_t>(n);
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  ++frames_;
  return {};
}

core::Status VideoEncoder::finish() {
  ::close(pipe_);
  pipe_ = -1;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream log(log_);
    std::stringstream text;
    text << log.rdbuf();
    return fail(ErrorCode::Io, "ffmpeg failed to encode " + path_ + ": " + text.str());
  }
  std::error_code ec;
  fs::rename(temp_, path_, ec);
  if (ec)
    return fail(ErrorCode::Io, "cannot write " + path_ + ": " + ec.message());
  done_ = true;
  return {};
}

}  // namespace twin::render
