// Capture hygiene: email normalisation and junk detection, and deduplication of captured leads
// (normalised email first, then company domain + full name; never domain + name on free mail).
//
// Entry points (E1 and the runtime's capture path call these):
//   std::string normalise_email(std::string_view email);        // trim, lower-case
//   std::string email_domain(std::string_view email);           // "acme.com", "" without '@'
//   std::optional<std::string> junk_reason(std::string_view email);
//   bool is_free_mail_domain(std::string_view domain);
//   bool is_disposable_domain(std::string_view domain);
//   std::optional<MatchResult> match_capture(std::string_view email, std::string_view domain,
//                                            std::string_view first, std::string_view last,
//                                            const LeadIndex&);
//   void count_capture(TenantState&, bool duplicate);
//   double duplicate_rate(const TenantState&);                  // duplicates / captures
//
// junk_reason table (first that applies):
//   ""                                  → "missing email"
//   inner whitespace  "a b@acme.com"    → "malformed: contains spaces"
//   no '@'            "ana.acme.com"    → "malformed: no @"
//   two '@'           "a@b@acme.com"    → "malformed: more than one @"
//   empty local part  "@acme.com"       → "malformed: empty local part"
//   ".." anywhere     "ana..b@acme.com" → "malformed: consecutive dots"
//   keyboard/test     "test@test.com", "asdf@asdf", "a@a.com", "qwerty@..." local == domain name
//                                       → "junk: test address"
//   bad domain        "ana@acme", "ana@-acme.com", "ana@acme.c0m", "ana@acme..com"
//                                       → "malformed: bad domain"
//   reserved domain   example.com/.org/.net, test.com, localhost, *.test, *.invalid, *.example
//                                       → "junk: example domain"
//   disposable        mailinator.com, guerrillamail.com, 10minutemail.com, yopmail.com, ...
//                                       → "junk: disposable domain"
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::engine {

std::string ascii_lower(std::string_view s);
std::string normalise_email(std::string_view email);
std::string email_domain(std::string_view email);
std::optional<std::string> junk_reason(std::string_view email);
bool is_free_mail_domain(std::string_view domain);
bool is_disposable_domain(std::string_view domain);

// Lower-cased "first last" with inner whitespace collapsed; "" unless both parts are non-empty.
std::string name_key(std::string_view first, std::string_view last);

// Known leads by normalised email and by (company domain, name key). The first lead indexed
// under a key keeps it, so matching is deterministic whatever is added later.
class LeadIndex {
 public:
  // `domain` may be empty: the email's domain is used. Free-mail domains are not indexed by name.
  void add(std::string_view lead_id, std::string_view email, std::string_view domain,
           std::string_view first, std::string_view last);
  // Forgets every key of the lead (before re-adding it with changed fields, or on delete).
  void remove(std::string_view lead_id);

  const std::string* by_email(std::string_view email) const;  // normalises
  const std::string* by_domain_name(std::string_view domain, std::string_view first,
                                    std::string_view last) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> by_email_;
  std::map<std::string, std::string, std::less<>> by_name_;  // "domain|first last"
  std::map<std::string, std::vector<std::string>, std::less<>> keys_;  // lead -> its keys
};

struct MatchResult {
  std::string lead;
  std::string matched_on;  // "email" or "domain+name"
};

// `domain` is the capture's company domain (may be empty: the email's domain is used).
std::optional<MatchResult> match_capture(std::string_view email, std::string_view domain,
                                         std::string_view first, std::string_view last,
                                         const LeadIndex& index);

// One capture seen; `duplicate` when it was merged into an existing lead.
void count_capture(TenantState& tenant, bool duplicate);
// Duplicates over captures (0 with no captures): the playbooks' target is under 2-5%.
double duplicate_rate(const TenantState& tenant);

}  // namespace leadflow::engine
