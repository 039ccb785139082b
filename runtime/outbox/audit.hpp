// Audit-trail and privacy helpers: what the trail records about an effect (channel, recipient,
// content hash) and how `forget` redacts a person from stored JSON while keeping a hashed
// suppression entry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::runtime::outbox {

std::string sha256_hex(std::string_view data);

// JSON with object keys sorted (by bytes), no insignificant whitespace, numbers and strings as
// Boost.JSON serializes them. Text that is not JSON is returned unchanged.
std::string canonical_json(std::string_view json);
// sha256_hex(canonical_json(body)): the same content hashes the same whatever its key order.
std::string content_hash(std::string_view body);

struct AuditFields {
  std::string channel;    // email sms linkedin owner manager webhook slack ... or the action
  std::string recipient;  // the effect's `to` (or `owner`), empty when it has none
  std::string content_hash;
};
// From an effect: channel = its `channel` field, else its action; recipient = `to`, else
// `owner`; hash of effect_jsonl(effect).
AuditFields audit_fields(const engine::Effect& effect);

// Lower-cased, trimmed e-mail address: the form suppression entries are hashed in.
std::string normalize_email(std::string_view email);
// sha256_hex("leadflow-suppression:" tenant ":" normalize_email(email)).
std::string suppression_hash(std::string_view tenant, std::string_view email);

inline constexpr std::string_view redacted = "[redacted]";

// `forget`: returns the JSON with every string value that contains one of `needles`
// (case-insensitive) replaced by "[redacted]", and every value under a personal key (email, to,
// first_name, last_name, name, phone, ...) replaced by "[redacted]" too. Keys and structure
// stay, so counts and times survive. Text that is not JSON is redacted by substring.
std::string redact_json(std::string_view json, const std::vector<std::string>& needles);
bool is_personal_key(std::string_view key);

}  // namespace leadflow::runtime::outbox
