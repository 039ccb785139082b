// Audit hashes and the redaction `forget` applies.
#include <catch2/catch.hpp>

#include "runtime/outbox/audit.hpp"

using namespace leadflow::runtime::outbox;
using leadflow::engine::Effect;
using leadflow::engine::Value;

TEST_CASE("sha256_hex matches the FIPS 180-2 example", "[outbox][audit]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("the content hash does not depend on key order or whitespace", "[outbox][audit]") {
  CHECK(canonical_json(R"({ "b": [1, {"z": 1, "a": 2}], "a": "x" })") == R"({"a":"x","b":[1,{"a":2,"z":1}]})");
  CHECK(content_hash(R"({"a":1,"b":2})") == content_hash("{ \"b\": 2,\n \"a\": 1 }"));
  CHECK(content_hash(R"({"a":1,"b":2})") != content_hash(R"({"a":1,"b":3})"));
  CHECK(content_hash("not json") == sha256_hex("not json"));
}

TEST_CASE("audit fields take the channel, the recipient and the hash from an effect", "[outbox][audit]") {
  Effect email;
  email.at = 1767603600;
  email.lead = "L-1";
  email.workflow = "inbound";
  email.action = "email";
  email.fields = {{"template", Value::string("welcome")}, {"to", Value::string("ann@example.com")}};
  AuditFields a = audit_fields(email);
  CHECK(a.channel == "email");
  CHECK(a.recipient == "ann@example.com");
  CHECK(a.content_hash.size() == 64);

  Effect notify = email;
  notify.action = "notify";
  notify.fields = {{"channel", Value::string("manager")}, {"to", Value::string("boss@acme.com")},
                   {"message", Value::string("hot lead")}};
  a = audit_fields(notify);
  CHECK(a.channel == "manager");
  CHECK(a.recipient == "boss@acme.com");

  Effect assign = email;
  assign.action = "assign";
  assign.fields = {{"owner", Value::string("ana@acme.com")}, {"team", Value()}, {"rule", Value::string("otherwise")}};
  a = audit_fields(assign);
  CHECK(a.channel == "assign");
  CHECK(a.recipient == "ana@acme.com");
}

TEST_CASE("forget redacts personal keys and any string mentioning the person", "[outbox][audit][forget]") {
  const std::string body =
      R"({"at":"2026-01-05T09:00:00Z","lead":"L-1","action":"email","to":"Ann@Example.com","template":"welcome",)"
      R"("note":"reply from ann@example.com received","count":3,"nested":{"first_name":"Ann","ok":true}})";
  const std::string out = redact_json(body, {"ann@example.com"});
  CHECK(out.find("nn@") == std::string::npos);
  CHECK(out.find("\"Ann\"") == std::string::npos);
  CHECK(out == R"({"at":"2026-01-05T09:00:00Z","lead":"L-1","action":"email","to":"[redacted]","template":"welcome",)"
               R"("note":"[redacted]","count":3,"nested":{"first_name":"[redacted]","ok":true}})");
  // Text that is not JSON loses every mention.
  CHECK(redact_json("mail ANN@example.com twice: ann@example.com", {"ann@example.com"}) ==
        "mail [redacted] twice: [redacted]");
}

TEST_CASE("suppression hashes are per tenant and ignore case and spaces", "[outbox][audit][forget]") {
  CHECK(suppression_hash("acme", " Ann@Example.COM ") == suppression_hash("acme", "ann@example.com"));
  CHECK(suppression_hash("acme", "ann@example.com") != suppression_hash("other", "ann@example.com"));
  CHECK(suppression_hash("acme", "ann@example.com").size() == 64);
  CHECK(normalize_email("  Bob@X.io\n") == "bob@x.io");
}
