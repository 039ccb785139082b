// HTTP(S) POST connectors: the signed Standard Webhooks connector and Slack's incoming webhook.
// https uses Beast's ssl_stream with the system's CA store and host-name verification.
//
// Results: 2xx Delivered; 410 Gone; 408, 425, 429 and 5xx Retry (with Retry-After); other
// statuses Failed; timeouts and connection errors Retry; a refused URL Failed.
#pragma once

#include <functional>
#include <string>

#include "runtime/outbox/connector.hpp"

namespace leadflow::runtime::outbox {

class WebhookConnector : public Connector {
 public:
  // `clock` gives the `webhook-timestamp` (Unix seconds); tests inject a fixed one.
  WebhookConnector(boost::asio::any_io_executor executor, WebhookConfig config,
                   std::function<TimePoint()> clock = {});
  ~WebhookConnector() override;

  std::string_view type() const override { return "webhook"; }
  const WebhookConfig& config() const { return config_; }
  // Secrets that did not decode are left out; false when none decoded.
  bool has_keys() const { return !keys_.empty(); }

 protected:
  void start(boost::asio::any_io_executor ex, OutboxItem item, Handler handler) override;

 private:
  WebhookConfig config_;
  std::vector<std::vector<unsigned char>> keys_;
  std::function<TimePoint()> clock_;
};

class SlackConnector : public Connector {
 public:
  SlackConnector(boost::asio::any_io_executor executor, SlackConfig config);
  ~SlackConnector() override;

  std::string_view type() const override { return "slack"; }
  const SlackConfig& config() const { return config_; }

 protected:
  void start(boost::asio::any_io_executor ex, OutboxItem item, Handler handler) override;

 private:
  SlackConfig config_;
};

// `{"text": ...}` for Slack from an effect body: notify -> its message (with the recipient),
// sla -> "SLA <name> <level> for lead <id> (owner ...)", anything else -> "<action> for lead <id>".
std::string slack_payload(std::string_view effect_body);

// How a response status maps to a result (the table at the top of this file).
DeliveryResult classify_http_status(int status, std::optional<Seconds> retry_after);

}  // namespace leadflow::runtime::outbox
