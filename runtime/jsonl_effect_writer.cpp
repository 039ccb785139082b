// The JSONL effect writer: lines formatted here, chunks written here or on a second thread.
#include "runtime/jsonl_effect_writer.hpp"

#include <ostream>

#include "runtime/timeline.hpp"

namespace leadflow::runtime {

namespace {

// Output goes out in chunks of about this size.
constexpr std::size_t chunk_bytes = 1u << 20;
// At most this many chunks wait for the second thread.
constexpr std::size_t max_waiting_chunks = 4;

}  // namespace

JsonlEffectWriter::JsonlEffectWriter(std::ostream& out, bool background) : out_(out) {
  buffer_.reserve(chunk_bytes + 4096);
  if (background) thread_ = std::thread([this] { background_loop(); });
}

JsonlEffectWriter::~JsonlEffectWriter() { finish(); }

void JsonlEffectWriter::add(const engine::Effect& effect) {
  append_effect_jsonl(buffer_, effect);
  buffer_ += '\n';
  if (buffer_.size() >= chunk_bytes) hand_over();
}

void JsonlEffectWriter::hand_over() {
  if (!thread_.joinable()) {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    return;
  }
  std::string next;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return full_.size() < max_waiting_chunks; });
    full_.push_back(std::move(buffer_));
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  changed_.notify_all();
  next.clear();
  next.reserve(chunk_bytes + 4096);
  buffer_ = std::move(next);
}

void JsonlEffectWriter::background_loop() {
  for (;;) {
    std::string chunk;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !full_.empty() || done_; });
      if (full_.empty()) break;  // done and nothing left
      chunk = std::move(full_.front());
      full_.pop_front();
    }
    changed_.notify_all();  // room in the queue
    out_.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::lock_guard lock(mutex_);
    spare_.push_back(std::move(chunk));
  }
}

void JsonlEffectWriter::finish() {
  if (thread_.joinable()) {
    if (!buffer_.empty()) hand_over();
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  if (!buffer_.empty()) {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
}

}  // namespace leadflow::runtime
