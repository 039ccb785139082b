// Email hygiene tables and the dedup index.
#include "engine/capture.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace leadflow::engine {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}


template <std::size_t N>
bool contains(const std::array<std::string_view, N>& table, std::string_view s) {
  return std::find(table.begin(), table.end(), s) != table.end();
}

constexpr std::array<std::string_view, 24> free_mail = {
    "gmail.com",      "googlemail.com", "yahoo.com",   "yahoo.co.uk",  "ymail.com",
    "outlook.com",    "hotmail.com",    "hotmail.co.uk", "live.com",   "msn.com",
    "aol.com",        "icloud.com",     "me.com",      "mac.com",      "proton.me",
    "protonmail.com", "gmx.com",        "gmx.de",      "gmx.net",      "web.de",
    "mail.ru",        "yandex.ru",      "zoho.com",    "abv.bg"};

constexpr std::array<std::string_view, 12> disposable = {
    "mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com",
    "tempmail.com",   "temp-mail.org",     "trashmail.com",    "sharklasers.com",
    "getnada.com",    "dispostable.com",   "throwawaymail.com", "maildrop.cc"};

constexpr std::array<std::string_view, 7> example_domains = {
    "example.com", "example.org", "example.net", "test.com", "localhost", "domain.com",
    "email.com"};

constexpr std::array<std::string_view, 8> keyboard_words = {
    "test", "asdf", "qwerty", "abc", "aaa", "xxx", "foo", "none"};

// A DNS name with at least two labels, each [a-z0-9-] not starting or ending with '-', and an
// alphabetic top-level label of two or more letters.
bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view rest = domain;
  std::string_view last;
  while (true) {
    const std::size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (labels < 2 || last.size() < 2) return false;
  return std::all_of(last.begin(), last.end(),
                     [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

// The domain's first label ("test" of "test.com", "asdf" of "asdf").
std::string_view first_label(std::string_view domain) { return domain.substr(0, domain.find('.')); }

bool reserved_domain(std::string_view domain) {
  if (contains(example_domains, domain)) return true;
  for (std::string_view tld : {".test", ".invalid", ".example", ".localhost"})
    if (domain.size() > tld.size() && domain.substr(domain.size() - tld.size()) == tld)
      return true;
  return false;
}

std::string domain_for(std::string_view email, std::string_view domain) {
  std::string d = ascii_lower(trim(domain));
  if (d.empty()) d = email_domain(email);
  return d;
}

}  // namespace

// ASCII only, independent of the C++ locale: addresses and domains compare the same everywhere.
std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string normalise_email(std::string_view email) { return ascii_lower(trim(email)); }

std::string email_domain(std::string_view email) {
  const std::string normal = normalise_email(email);
  const std::size_t at = normal.rfind('@');
  return at == std::string::npos ? std::string() : normal.substr(at + 1);
}

bool is_free_mail_domain(std::string_view domain) { return contains(free_mail, ascii_lower(domain)); }
bool is_disposable_domain(std::string_view domain) { return contains(disposable, ascii_lower(domain)); }

std::optional<std::string> junk_reason(std::string_view raw) {
  const std::string email = normalise_email(raw);
  if (email.empty()) return "missing email";
  if (std::any_of(email.begin(), email.end(), is_space)) return "malformed: contains spaces";
  const std::size_t at = email.find('@');
  if (at == std::string::npos) return "malformed: no @";
  if (email.find('@', at + 1) != std::string::npos) return "malformed: more than one @";
  const std::string_view local = std::string_view(email).substr(0, at);
  const std::string_view domain = std::string_view(email).substr(at + 1);
  if (local.empty()) return "malformed: empty local part";
  if (email.find("..") != std::string::npos) return "malformed: consecutive dots";
  const std::string_view label = first_label(domain);
  if ((local == label && (local.size() <= 1 || contains(keyboard_words, local))) ||
      (contains(keyboard_words, local) && contains(keyboard_words, label)))
    return "junk: test address";
  if (local.front() == '.' || local.back() == '.' || !valid_domain(domain))
    return "malformed: bad domain";
  if (reserved_domain(domain)) return "junk: example domain";
  if (contains(disposable, domain)) return "junk: disposable domain";
  return std::nullopt;
}

std::string name_key(std::string_view first, std::string_view last) {
  std::string key;
  for (std::string_view part : {trim(first), trim(last)}) {
    if (part.empty()) return {};
    if (!key.empty()) key += ' ';
    bool space = false;
    for (char c : part) {
      if (is_space(c)) {
        space = true;
        continue;
      }
      if (space) key += ' ';
      space = false;
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return key;
}

void LeadIndex::add(std::string_view lead_id, std::string_view email, std::string_view domain,
                    std::string_view first, std::string_view last) {
  std::vector<std::string>& keys = keys_[std::string(lead_id)];
  const std::string normal = normalise_email(email);
  if (!normal.empty() && by_email_.emplace(normal, std::string(lead_id)).second)
    keys.push_back("e|" + normal);
  const std::string d = domain_for(email, domain);
  const std::string name = name_key(first, last);
  if (!d.empty() && !name.empty() && !is_free_mail_domain(d)) {
    std::string key = d + "|" + name;
    if (by_name_.emplace(key, std::string(lead_id)).second) keys.push_back("n|" + key);
  }
}

void LeadIndex::remove(std::string_view lead_id) {
  auto it = keys_.find(lead_id);
  if (it == keys_.end()) return;
  for (const std::string& key : it->second) {
    auto& map = key[0] == 'e' ? by_email_ : by_name_;
    map.erase(key.substr(2));
  }
  keys_.erase(it);
}

const std::string* LeadIndex::by_email(std::string_view email) const {
  const std::string normal = normalise_email(email);
  if (normal.empty()) return nullptr;
  auto it = by_email_.find(normal);
  return it == by_email_.end() ? nullptr : &it->second;
}

const std::string* LeadIndex::by_domain_name(std::string_view domain, std::string_view first,
                                             std::string_view last) const {
  const std::string d = ascii_lower(trim(domain));
  const std::string name = name_key(first, last);
  if (d.empty() || name.empty() || is_free_mail_domain(d)) return nullptr;
  auto it = by_name_.find(d + "|" + name);
  return it == by_name_.end() ? nullptr : &it->second;
}

std::optional<MatchResult> match_capture(std::string_view email, std::string_view domain,
                                         std::string_view first, std::string_view last,
                                         const LeadIndex& index) {
  if (const std::string* lead = index.by_email(email)) return MatchResult{*lead, "email"};
  if (const std::string* lead = index.by_domain_name(domain_for(email, domain), first, last))
    return MatchResult{*lead, "domain+name"};
  return std::nullopt;
}

void count_capture(TenantState& tenant, bool duplicate) {
  ++tenant.captures;
  if (duplicate) ++tenant.duplicates;
}

double duplicate_rate(const TenantState& tenant) {
  return tenant.captures == 0
             ? 0.0
             : static_cast<double>(tenant.duplicates) / static_cast<double>(tenant.captures);
}

}  // namespace leadflow::engine
