// The JSONL effect writer: batches of effects handed to a formatting thread, or formatted in place.
#include "runtime/jsonl_effect_writer.hpp"

#include <ostream>

#include "runtime/timeline.hpp"

namespace leadflow::runtime {

namespace {

// Large enough that handing a batch over (one lock, one wake-up) costs nothing per effect.
constexpr std::size_t batch_effects = 2048;
// At most this many batches wait for the writer: a bounded queue of effects, a few MiB.
constexpr std::size_t max_waiting_batches = 8;
// Output is written in chunks of about this size.
constexpr std::size_t chunk_bytes = 1u << 20;

}  // namespace

JsonlEffectWriter::JsonlEffectWriter(std::ostream& out, bool background) : out_(out) {
  buffer_.reserve(chunk_bytes + 4096);
  if (background) {
    batch_.reserve(batch_effects);
    thread_ = std::thread([this] { background_loop(); });
  }
}

JsonlEffectWriter::~JsonlEffectWriter() { finish(); }

void JsonlEffectWriter::add(engine::Effect&& effect) {
  if (!thread_.joinable()) {
    append_effect_jsonl(buffer_, effect);
    buffer_ += '\n';
    if (buffer_.size() >= chunk_bytes) {
      out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      buffer_.clear();
    }
    return;
  }
  batch_.push_back(std::move(effect));
  if (batch_.size() >= batch_effects) hand_over();
}

void JsonlEffectWriter::hand_over() {
  Batch next;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return full_.size() < max_waiting_batches; });
    full_.push_back(std::move(batch_));
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  changed_.notify_all();
  batch_ = std::move(next);
  batch_.reserve(batch_effects);
}

void JsonlEffectWriter::write_batch(Batch& batch) {
  for (const engine::Effect& effect : batch) {
    append_effect_jsonl(buffer_, effect);
    buffer_ += '\n';
    if (buffer_.size() >= chunk_bytes) {
      out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      buffer_.clear();
    }
  }
  batch.clear();  // the effects' strings are freed here, off the simulation's thread
}

void JsonlEffectWriter::background_loop() {
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !full_.empty() || done_; });
      if (full_.empty()) break;  // done and nothing left
      batch = std::move(full_.front());
      full_.pop_front();
    }
    changed_.notify_all();  // room in the queue
    write_batch(batch);
    {
      std::lock_guard lock(mutex_);
      spare_.push_back(std::move(batch));
    }
  }
}

void JsonlEffectWriter::finish() {
  if (thread_.joinable()) {
    if (!batch_.empty()) hand_over();
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
