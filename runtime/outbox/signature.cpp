// Standard Webhooks signatures over OpenSSL's HMAC-SHA256; base64 by hand (RFC 4648).
#include "runtime/outbox/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace leadflow::runtime::outbox {

namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < size; i += 3) {
    const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == size) {
    const unsigned v = data[i] << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == size) {
    const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    const int s = sextet(c);
    if (s < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(s);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

Bytes hmac_sha256(const Bytes& key, std::string_view message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  // An empty key is still a key: HMAC() wants a non-null pointer for it.
  static const unsigned char empty = 0;
  HMAC(EVP_sha256(), key.empty() ? &empty : key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  out.resize(len);
  return out;
}

std::optional<Bytes> decode_webhook_secret(std::string_view secret) {
  constexpr std::string_view prefix = "whsec_";
  if (secret.substr(0, prefix.size()) == prefix) secret.remove_prefix(prefix.size());
  auto key = base64_decode(secret);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

namespace {
std::string signed_content(std::string_view id, std::string_view timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + timestamp.size() + body.size() + 2);
  content.append(id).append(".").append(timestamp).append(".").append(body);
  return content;
}
}  // namespace

std::string webhook_signature(const Bytes& key, std::string_view id, std::int64_t timestamp, std::string_view body) {
  const Bytes mac = hmac_sha256(key, signed_content(id, std::to_string(timestamp), body));
  return "v1," + base64_encode(mac.data(), mac.size());
}

std::string webhook_signature(const std::vector<Bytes>& keys, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
  std::string out;
  for (const Bytes& key : keys) {
    if (!out.empty()) out += ' ';
    out += webhook_signature(key, id, timestamp, body);
  }
  return out;
}

bool verify_webhook_signature(const std::vector<Bytes>& keys, std::string_view id, std::string_view timestamp,
                              std::string_view body, std::string_view header) {
  const std::string content = signed_content(id, timestamp, body);
  for (const Bytes& key : keys) {
    const Bytes mac = hmac_sha256(key, content);
    const std::string expected = base64_encode(mac.data(), mac.size());
    std::size_t i = 0;
    while (i < header.size()) {
      while (i < header.size() && header[i] == ' ') ++i;
      std::size_t j = header.find(' ', i);
      if (j == std::string_view::npos) j = header.size();
      std::string_view part = header.substr(i, j - i);
      i = j;
      if (part.substr(0, 3) != "v1,") continue;
      part.remove_prefix(3);
      if (part.size() == expected.size() && CRYPTO_memcmp(part.data(), expected.data(), expected.size()) == 0)
        return true;
    }
  }
  return false;
}

}  // namespace leadflow::runtime::outbox
