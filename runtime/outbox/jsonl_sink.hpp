// The default connector for local use: appends each item as one JSON line to a file,
// `{"key":...,"tenant":...,"lead":...,"kind":...,"effect":<body>}`, and fsyncs once per batch.
//
// Idempotent by key within the file: on open it reads the keys already in the file, and a key
// it has written before is skipped (reported Delivered). A crash after the write but before the
// relay marks the row is therefore harmless; a line torn by a crash is ignored when re-reading
// and the item is written again on a new line. With `envelope` off the lines are the bare effects
// (no key to learn back), so only keys written by this process are skipped.
#pragma once

#include <set>
#include <string>

#include "runtime/outbox/connector.hpp"

namespace leadflow::runtime::outbox {

class JsonlSink : public Connector {
 public:
  JsonlSink(boost::asio::any_io_executor executor, JsonlConfig config);
  ~JsonlSink() override;

  std::string_view type() const override { return "jsonl"; }
  const std::string& path() const { return config_.path; }
  std::size_t known_keys() const { return keys_.size(); }

  // The whole batch, appended then fsynced; synchronous (a local file).
  std::vector<DeliveryResult> write(const std::vector<OutboxItem>& items);

 protected:
  void start(boost::asio::any_io_executor ex, OutboxItem item, Handler handler) override;
  void start_batch(boost::asio::any_io_executor ex, std::vector<OutboxItem> items, BatchHandler handler) override;

 private:
  bool open();
  JsonlConfig config_;
  int fd_ = -1;
  bool loaded_ = false;
  std::set<std::string, std::less<>> keys_;
};

// The line JsonlSink writes for an item (without the newline).
std::string jsonl_line(const OutboxItem& item);

}  // namespace leadflow::runtime::outbox
