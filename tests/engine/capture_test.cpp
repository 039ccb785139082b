// Capture hygiene and deduplication: normalisation, the junk table, matching by email then
// domain + name, free mail never matched by name, the duplicate rate.
#include "engine/capture.hpp"

#include <catch2/catch.hpp>

namespace leadflow::engine {

TEST_CASE("emails are trimmed and lower-cased; the domain follows the last @",
          "[engine][capture]") {
  CHECK(normalise_email("  Ana.Petrova@ACME.com \t") == "ana.petrova@acme.com");
  CHECK(email_domain(" Ana@Sub.Acme.COM ") == "sub.acme.com");
  CHECK(email_domain("no-at-sign") == "");
}

TEST_CASE("junk and malformed emails are named by reason", "[engine][capture]") {
  struct Row {
    const char* email;
    const char* reason;  // nullptr: a good address
  };
  const Row rows[] = {
      {"ana@acme.com", nullptr},
      {"  Ana.Petrova@Acme.CO.UK ", nullptr},
      {"first+tag@sub.acme-corp.io", nullptr},
      {"ana@gmail.com", nullptr},  // free mail is valid, only scored down
      {"", "missing email"},
      {"   ", "missing email"},
      {"ana petrova@acme.com", "malformed: contains spaces"},
      {"ana.acme.com", "malformed: no @"},
      {"ana@b@acme.com", "malformed: more than one @"},
      {"@acme.com", "malformed: empty local part"},
      {"ana..p@acme.com", "malformed: consecutive dots"},
      {"ana@acme..com", "malformed: consecutive dots"},
      {"ana@acme", "malformed: bad domain"},
      {"ana@-acme.com", "malformed: bad domain"},
      {"ana@acme.c0m", "malformed: bad domain"},
      {"ana@acme.com.", "malformed: bad domain"},
      {".ana@acme.com", "malformed: bad domain"},
      {"ana@acme_corp.com", "malformed: bad domain"},
      {"test@test.com", "junk: test address"},
      {"TEST@TEST.COM", "junk: test address"},
      {"asdf@asdf", "junk: test address"},
      {"asdf@asdf.com", "junk: test address"},
      {"a@a.com", "junk: test address"},
      {"qwerty@test.de", "junk: test address"},
      {"ana@example.com", "junk: example domain"},
      {"ana@example.org", "junk: example domain"},
      {"ana@test.com", "junk: example domain"},
      {"ana@shop.test", "junk: example domain"},
      {"x7@mailinator.com", "junk: disposable domain"},
      {"x7@yopmail.com", "junk: disposable domain"},
  };
  for (const Row& row : rows) {
    INFO(row.email);
    const auto reason = junk_reason(row.email);
    if (row.reason) {
      REQUIRE(reason);
      CHECK(*reason == row.reason);
    } else {
      CHECK_FALSE(reason);
    }
  }
}

TEST_CASE("free-mail and disposable domain tables", "[engine][capture]") {
  for (const char* d : {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "GMAIL.COM"})
    CHECK(is_free_mail_domain(d));
  CHECK_FALSE(is_free_mail_domain("acme.com"));
  CHECK(is_disposable_domain("mailinator.com"));
  CHECK_FALSE(is_disposable_domain("gmail.com"));
  CHECK(name_key("  Ana ", "Van  der Berg") == "ana van der berg");
  CHECK(name_key("Ana", "") == "");
}

TEST_CASE("a capture matches by normalised email first", "[engine][capture]") {
  LeadIndex index;
  index.add("L-1", "Ana.Petrova@acme.com", "", "Ana", "Petrova");
  index.add("L-2", "bob@acme.com", "", "Ana", "Petrova");  // same name, later: never wins
  const auto m = match_capture("  ANA.PETROVA@ACME.COM", "", "Someone", "Else", index);
  REQUIRE(m);
  CHECK(m->lead == "L-1");
  CHECK(m->matched_on == "email");
  const auto b = match_capture("bob@acme.com", "", "Ana", "Petrova", index);
  REQUIRE(b);
  CHECK(b->lead == "L-2");
  CHECK(b->matched_on == "email");
}

TEST_CASE("then by company domain and full name", "[engine][capture]") {
  LeadIndex index;
  index.add("L-1", "ana.petrova@acme.com", "", "Ana", "Petrova");
  auto m = match_capture("apetrova@acme.com", "", " ana ", "PETROVA", index);
  REQUIRE(m);
  CHECK(m->lead == "L-1");
  CHECK(m->matched_on == "domain+name");
  // An explicit company domain is used instead of the email's.
  m = match_capture("ana.p@gmail.com", "acme.com", "Ana", "Petrova", index);
  REQUIRE(m);
  CHECK(m->matched_on == "domain+name");
  // Another company, another person.
  CHECK_FALSE(match_capture("ana.petrova@globex.com", "", "Ana", "Petrova", index));
  // A missing last name never matches by name.
  CHECK_FALSE(match_capture("ana2@acme.com", "", "Ana", "", index));
}

TEST_CASE("free-mail domains are never matched by domain and name alone", "[engine][capture]") {
  LeadIndex index;
  index.add("L-1", "john.smith@gmail.com", "", "John", "Smith");
  CHECK_FALSE(match_capture("jsmith1980@gmail.com", "", "John", "Smith", index));
  CHECK_FALSE(match_capture("j@hotmail.com", "gmail.com", "John", "Smith", index));
  const auto m = match_capture("John.Smith@gmail.com", "", "John", "Smith", index);
  REQUIRE(m);
  CHECK(m->matched_on == "email");
}

TEST_CASE("removing a lead forgets its keys", "[engine][capture]") {
  LeadIndex index;
  index.add("L-1", "ana@acme.com", "", "Ana", "Petrova");
  CHECK(index.size() == 1);
  index.remove("L-1");
  CHECK(index.size() == 0);
  CHECK_FALSE(match_capture("ana@acme.com", "", "Ana", "Petrova", index));
  index.add("L-9", "ana@acme.com", "", "Ana", "Petrova");
  CHECK(match_capture("ana@acme.com", "", "", "", index)->lead == "L-9");
}

TEST_CASE("captures and duplicates give the duplicate rate", "[engine][capture]") {
  TenantState tenant;
  CHECK(duplicate_rate(tenant) == 0.0);
  for (int i = 0; i < 49; ++i) count_capture(tenant, false);
  count_capture(tenant, true);
  CHECK(tenant.captures == 50);
  CHECK(tenant.duplicates == 1);
  CHECK(duplicate_rate(tenant) == Approx(0.02));
}

}  // namespace leadflow::engine
