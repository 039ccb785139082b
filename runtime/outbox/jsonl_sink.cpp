// The JSONL file sink: append, fsync per batch, skip keys already in the file.
#include "runtime/outbox/jsonl_sink.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace leadflow::runtime::outbox {

namespace json = boost::json;

std::string jsonl_line(const OutboxItem& item) {
  std::string out = "{\"key\":";
  out += json::serialize(json::string(item.idempotency_key));
  out += ",\"tenant\":";
  out += json::serialize(json::string(item.tenant));
  out += ",\"lead\":";
  out += json::serialize(json::string(item.lead));
  out += ",\"kind\":";
  out += json::serialize(json::string(item.kind));
  out += ",\"effect\":";
  out += item.body;
  out += '}';
  return out;
}

JsonlSink::JsonlSink(boost::asio::any_io_executor executor, JsonlConfig config)
    : Connector(std::move(executor)), config_(std::move(config)) {}

JsonlSink::~JsonlSink() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

bool write_all(int fd, const std::string& data, std::string& error) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

// Opens for appending and, the first time, learns the keys already written. A last line without
// its newline was torn by a crash: it is ended here so the next line starts clean, and its key
// (unreadable) is not learned, so that item is written again.
bool JsonlSink::open() {
  if (fd_ >= 0) return true;
  fd_ = ::open(config_.path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) return false;
  if (loaded_) return true;
  std::string content;
  char buf[65536];
  ::lseek(fd_, 0, SEEK_SET);
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t start = 0;
  while (start < content.size()) {
    const std::size_t end = content.find('\n', start);
    if (end == std::string::npos) break;  // torn tail
    boost::system::error_code ec;
    json::value v = json::parse(std::string_view(content).substr(start, end - start), ec);
    if (!ec && v.is_object()) {
      if (const json::value* k = v.as_object().if_contains("key"); k != nullptr && k->is_string())
        keys_.insert(std::string(k->as_string()));
    }
    start = end + 1;
  }
  if (!content.empty() && content.back() != '\n') {
    std::string error;
    if (!write_all(fd_, "\n", error)) return false;
  }
  loaded_ = true;
  return true;
}

std::vector<DeliveryResult> JsonlSink::write(const std::vector<OutboxItem>& items) {
  std::vector<DeliveryResult> results(items.size(), DeliveryResult::delivered());
  if (!open()) {
    const std::string why = "cannot open " + config_.path + ": " + std::strerror(errno);
    for (auto& r : results) r = DeliveryResult::retry(why);
    return results;
  }
  std::string buffer;
  std::vector<std::string> fresh;
  std::set<std::string, std::less<>> in_batch;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const OutboxItem& item = items[i];
    if (keys_.count(item.idempotency_key) || in_batch.count(item.idempotency_key)) {
      results[i].reason = "already in the file";
      continue;
    }
    boost::system::error_code ec;
    json::parse(item.body, ec);
    if (ec) {
      results[i] = DeliveryResult::failed("effect body is not JSON: " + ec.message());
      continue;
    }
    if (config_.envelope) {
      buffer += jsonl_line(item);
    } else {
      buffer += item.body;
    }
    buffer += '\n';
    in_batch.insert(item.idempotency_key);
    fresh.push_back(item.idempotency_key);
  }
  if (buffer.empty()) return results;
  std::string error;
  bool ok = write_all(fd_, buffer, error);
  if (ok && ::fsync(fd_) != 0) {
    ok = false;
    error = std::string("fsync: ") + std::strerror(errno);
  }
  if (!ok) {
    // Part of the batch may be on disk; reopening re-learns whatever made it there.
    ::close(fd_);
    fd_ = -1;
    loaded_ = false;
    keys_.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (in_batch.count(items[i].idempotency_key)) results[i] = DeliveryResult::retry("write " + config_.path + ": " + error);
    }
    return results;
  }
  for (std::string& k : fresh) keys_.insert(std::move(k));
  return results;
}

void JsonlSink::start(boost::asio::any_io_executor ex, OutboxItem item, Handler handler) {
  std::vector<OutboxItem> one;
  one.push_back(std::move(item));
  DeliveryResult r = write(one).front();
  boost::asio::post(ex, [h = std::move(handler), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
}

void JsonlSink::start_batch(boost::asio::any_io_executor ex, std::vector<OutboxItem> items, BatchHandler handler) {
  std::vector<DeliveryResult> r = write(items);
  boost::asio::post(ex, [h = std::move(handler), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
}

}  // namespace leadflow::runtime::outbox
