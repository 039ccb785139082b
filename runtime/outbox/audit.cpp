// Content hashes for the audit trail and the redaction `forget` applies to stored JSON.
#include "runtime/outbox/audit.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>
#include <openssl/evp.h>

#include "runtime/timeline.hpp"

namespace leadflow::runtime::outbox {

namespace json = boost::json;

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

namespace {

void canonical(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      const json::object& o = v.get_object();
      std::vector<const json::key_value_pair*> items;
      items.reserve(o.size());
      for (const auto& kv : o) items.push_back(&kv);
      std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      bool first = true;
      for (const auto* kv : items) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::string(kv->key()));
        out += ':';
        canonical(kv->value(), out);
      }
      out += '}';
      break;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        canonical(e, out);
      }
      out += ']';
      break;
    }
    default:
      out += json::serialize(v);
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_any(std::string_view text, const std::vector<std::string>& lowered_needles) {
  if (lowered_needles.empty()) return false;
  const std::string l = lower(text);
  return std::any_of(lowered_needles.begin(), lowered_needles.end(),
                     [&](const std::string& n) { return !n.empty() && l.find(n) != std::string::npos; });
}

void redact(json::value& v, const std::vector<std::string>& needles) {
  if (v.is_object()) {
    for (auto& kv : v.get_object()) {
      if (is_personal_key(kv.key()) && !kv.value().is_null()) {
        kv.value() = json::string(redacted);
      } else {
        redact(kv.value(), needles);
      }
    }
  } else if (v.is_array()) {
    for (json::value& e : v.get_array()) redact(e, needles);
  } else if (v.is_string() && contains_any(v.get_string(), needles)) {
    v = json::string(redacted);
  }
}

}  // namespace

std::string canonical_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return std::string(text);
  std::string out;
  out.reserve(text.size());
  canonical(v, out);
  return out;
}

std::string content_hash(std::string_view body) { return sha256_hex(canonical_json(body)); }

AuditFields audit_fields(const engine::Effect& effect) {
  AuditFields a;
  const engine::Value* channel = nullptr;
  const engine::Value* to = nullptr;
  const engine::Value* owner = nullptr;
  for (const auto& [key, value] : effect.fields) {
    if (key == "channel") channel = &value;
    if (key == "to") to = &value;
    if (key == "owner") owner = &value;
  }
  a.channel = channel != nullptr && channel->kind() == engine::ValueKind::String ? std::string(channel->as_string())
                                                                               : effect.action;
  const engine::Value* who = to != nullptr && !to->is_null() ? to : owner;
  if (who != nullptr && !who->is_null()) {
    a.recipient = who->kind() == engine::ValueKind::String ? std::string(who->as_string()) : engine::to_trace(*who);
  }
  a.content_hash = content_hash(effect_jsonl(effect));
  return a;
}

std::string normalize_email(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
  return lower(email);
}

std::string suppression_hash(std::string_view tenant, std::string_view email) {
  std::string material = "leadflow-suppression:";
  material.append(tenant).append(":").append(normalize_email(email));
  return sha256_hex(material);
}

bool is_personal_key(std::string_view key) {
  static constexpr std::string_view keys[] = {
      "email",     "to",        "recipient", "first_name", "last_name", "name",    "full_name",
      "phone",     "mobile",    "linkedin",  "linkedin_url", "address", "ip",      "message"};
  const std::string l = lower(key);
  return std::any_of(std::begin(keys), std::end(keys), [&](std::string_view k) { return l == k; });
}

std::string redact_json(std::string_view text, const std::vector<std::string>& needles) {
  std::vector<std::string> lowered;
  for (const std::string& n : needles) {
    if (!n.empty()) lowered.push_back(lower(n));
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    // Not JSON: cut every occurrence (case-insensitive) out of the text itself.
    std::string out(text);
    for (const std::string& n : lowered) {
      std::string l = lower(out);
      for (std::size_t at = l.find(n); at != std::string::npos; at = l.find(n, at + redacted.size())) {
        out.replace(at, n.size(), redacted);
        l.replace(at, n.size(), redacted);
      }
    }
    return out;
  }
  redact(v, lowered);
  return json::serialize(v);
}

}  // namespace leadflow::runtime::outbox
