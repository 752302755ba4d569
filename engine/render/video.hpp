// SPDX-License-Identifier: Apache-2.0
// Time-lapse video: RGB frames piped into ffmpeg (the Debian package), H.264 in MP4, written to a
// temporary file and renamed when ffmpeg succeeded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace twin::render {

// The absolute path of `name` on PATH, or "" when it is not there.
std::string findExecutable(const std::string& name);

class VideoEncoder {
 public:
  // Starts ffmpeg for `width` x `height` RGB frames at `fps`. Errors: NotFound-like BadInput
  // when ffmpeg is missing (with the package to install), Io when it cannot be started.
  static core::Result<std::unique_ptr<VideoEncoder>> open(const std::string& path, int width,
                                                          int height, int fps);
  // Stops ffmpeg and removes the temporary file unless finish() succeeded.
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  // One frame: width * height * 3 bytes, rows top-down.
  core::Status add(const std::vector<std::uint8_t>& rgb);
  // Closes the stream, waits for ffmpeg and publishes the file.
  core::Status finish();
  int frames() const { return frames_; }

 private:
  VideoEncoder() = default;
  std::string path_, temp_, log_;
  int width_ = 0, height_ = 0, frames_ = 0;
  int pipe_ = -1;
  int pid_ = -1;
  bool done_ = false;
};

}  // namespace twin::render
