// Standard Webhooks signing (https://www.standardwebhooks.com, spec "Signature scheme"):
// `webhook-signature: v1,<base64 HMAC-SHA256(key, id "." timestamp "." body)>`, one per key,
// space-separated, so a receiver can rotate secrets without dropping deliveries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadflow::runtime::outbox {

using Bytes = std::vector<unsigned char>;

std::string base64_encode(const unsigned char* data, std::size_t size);
inline std::string base64_encode(std::string_view s) {
  return base64_encode(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}
// Standard alphabet, padding optional; nullopt on any other character.
std::optional<Bytes> base64_decode(std::string_view text);

Bytes hmac_sha256(const Bytes& key, std::string_view message);

// `whsec_<base64>` (the prefix is optional, as in the reference libraries) -> the key bytes.
std::optional<Bytes> decode_webhook_secret(std::string_view secret);

// `v1,<sig>` for one key; for several, the signatures joined by single spaces.
std::string webhook_signature(const Bytes& key, std::string_view id, std::int64_t timestamp, std::string_view body);
std::string webhook_signature(const std::vector<Bytes>& keys, std::string_view id, std::int64_t timestamp,
                              std::string_view body);

// Receiver side, for tests and for users who want to check a delivery: true when one of the
// space-separated `v1,` signatures matches one of the keys (constant-time compare).
bool verify_webhook_signature(const std::vector<Bytes>& keys, std::string_view id, std::string_view timestamp,
                              std::string_view body, std::string_view signature_header);

}  // namespace leadflow::runtime::outbox
