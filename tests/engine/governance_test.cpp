// Governance: suppression, caps, send windows across midnight and time zones.
#include "engine/governance.hpp"

#include <catch2/catch.hpp>

namespace leadflow::engine {
namespace {

enum : Slot { kUnsubscribed, kBounced, kTimezone, kSlots };

// The stdlib governance block (governance.flow) with a smaller action cap.
Program gov_program() {
  Program p;
  p.lead_fields = {FieldDef{"unsubscribed", ValueKind::Bool, ValueKind::Null, kUnsubscribed, true},
                   FieldDef{"bounced", ValueKind::Bool, ValueKind::Null, kBounced, true},
                   FieldDef{"timezone", ValueKind::String, ValueKind::Null, kTimezone, false}};
  p.governance.declared = true;
  p.governance.timezone = "UTC";
  p.governance.caps = {CapDef{"email", 75, true}, CapDef{"sms", 3, false},
                       CapDef{"actions", 100, false}};
  p.governance.send_window = ClockWindow{8 * 60, 18 * 60};
  p.build_indices();
  return p;
}

LeadState a_lead() {
  LeadState lead;
  lead.fields.resize(kSlots);
  return lead;
}

TimePoint at(const char* iso) { return *parse_time(iso); }

}  // namespace

TEST_CASE("a send inside the window under every cap is allowed and counted",
          "[engine][governance]") {
  const Program p = gov_program();
  TenantState tenant;
  LeadState lead = a_lead();
  const TimePoint now = at("2026-01-05T10:00:00Z");
  const auto d = check_send(p, lead, tenant, "email", "sdr@x.com", now, "");
  CHECK(d.kind == SendVerdictKind::Allowed);
  CHECK(d.reason.empty());
  record_send(p, tenant, "email", "sdr@x.com", now);
  CHECK(tenant.sent_today.at("email|sdr@x.com|2026-01-05") == 1);
  CHECK(tenant.actions_today.at("2026-01-05") == 1);
}

TEST_CASE("unsubscribed and bounced leads are blocked permanently", "[engine][governance]") {
  const Program p = gov_program();
  TenantState tenant;
  const TimePoint now = at("2026-01-05T10:00:00Z");

  LeadState unsub = a_lead();
  unsub.fields[kUnsubscribed] = Value::boolean(true);
  auto d = check_send(p, unsub, tenant, "email", "", now, "");
  CHECK(d.kind == SendVerdictKind::Blocked);
  CHECK(d.reason == "unsubscribed");
  CHECK(check_send(p, unsub, tenant, "sms", "", now, "").reason == "unsubscribed");

  LeadState bounced = a_lead();
  bounced.fields[kBounced] = Value::boolean(true);
  d = check_send(p, bounced, tenant, "email", "", now, "");
  CHECK(d.kind == SendVerdictKind::Blocked);
  CHECK(d.reason == "bounced");
  CHECK(check_send(p, bounced, tenant, "sms", "", now, "").kind == SendVerdictKind::Allowed);

  LeadState suppressed = a_lead();
  suppressed.email_suppressed = true;
  CHECK(check_send(p, suppressed, tenant, "email", "", now, "").reason == "suppressed");
  // Suppression wins over the send window: blocked, not held.
  CHECK(check_send(p, unsub, tenant, "email", "", at("2026-01-05T23:00:00Z"), "").kind ==
        SendVerdictKind::Blocked);
}

TEST_CASE("the per-sender email cap blocks the 76th email of a sender's day",
          "[engine][governance]") {
  const Program p = gov_program();
  TenantState tenant;
  LeadState lead = a_lead();
  const TimePoint now = at("2026-01-05T10:00:00Z");
  for (int i = 0; i < 75; ++i) {
    REQUIRE(check_send(p, lead, tenant, "email", "ana@x.com", now, "").kind ==
            SendVerdictKind::Allowed);
    record_send(p, tenant, "email", "ana@x.com", now);
  }
  auto d = check_send(p, lead, tenant, "email", "ana@x.com", now, "");
  CHECK(d.kind == SendVerdictKind::Blocked);
  CHECK(d.reason == "cap email 75/sender/day reached");
  // Another sender has its own count; the next UTC day starts over.
  CHECK(check_send(p, lead, tenant, "email", "ben@x.com", now, "").kind == SendVerdictKind::Allowed);
  CHECK(check_send(p, lead, tenant, "email", "ana@x.com", at("2026-01-06T09:00:00Z"), "").kind ==
        SendVerdictKind::Allowed);
}

TEST_CASE("a whole-channel cap and the daily action cap", "[engine][governance]") {
  Program p = gov_program();
  TenantState tenant;
  LeadState lead = a_lead();
  const TimePoint now = at("2026-01-05T10:00:00Z");
  for (const char* sender : {"a", "b", "c"}) record_send(p, tenant, "sms", sender, now);
  auto d = check_send(p, lead, tenant, "sms", "d", now, "");
  CHECK(d.kind == SendVerdictKind::Blocked);
  CHECK(d.reason == "cap sms 3/day reached");

  tenant.actions_today["2026-01-05"] = 100;
  d = check_send(p, lead, tenant, "linkedin", "a", now, "");
  CHECK(d.kind == SendVerdictKind::Blocked);
  CHECK(d.reason == "daily action cap reached");
}

TEST_CASE("outside the send window a send is held until the next opening",
          "[engine][governance]") {
  const Program p = gov_program();
  TenantState tenant;
  LeadState lead = a_lead();

  // Before the window opens: today at 08:00.
  auto d = check_send(p, lead, tenant, "email", "", at("2026-01-05T06:30:00Z"), "");
  CHECK(d.kind == SendVerdictKind::HeldUntil);
  CHECK(d.until == at("2026-01-05T08:00:00Z"));
  CHECK(d.reason == "outside send window 08:00..18:00 (UTC)");
  // After it closes: across midnight, tomorrow at 08:00.
  d = check_send(p, lead, tenant, "email", "", at("2026-01-05T18:00:00Z"), "");
  CHECK(d.until == at("2026-01-06T08:00:00Z"));
  d = check_send(p, lead, tenant, "email", "", at("2026-01-05T23:59:00Z"), "");
  CHECK(d.until == at("2026-01-06T08:00:00Z"));
  // 17:59 is still inside.
  CHECK(check_send(p, lead, tenant, "email", "", at("2026-01-05T17:59:00Z"), "").kind ==
        SendVerdictKind::Allowed);
}

TEST_CASE("the send window is in the lead's time zone, else the tenant's",
          "[engine][governance]") {
  Program p = gov_program();
  p.governance.timezone = "Europe/Sofia";  // UTC+2 in winter
  TenantState tenant;
  LeadState lead = a_lead();

  // 10:00 UTC is 05:00 in New York: held until 08:00 New York = 13:00 UTC.
  auto d = check_send(p, lead, tenant, "email", "", at("2026-01-05T10:00:00Z"), "America/New_York");
  CHECK(d.kind == SendVerdictKind::HeldUntil);
  CHECK(d.until == at("2026-01-05T13:00:00Z"));
  // Without a lead zone: Sofia, where 10:00 UTC is 12:00: allowed.
  CHECK(check_send(p, lead, tenant, "email", "", at("2026-01-05T10:00:00Z"), "").kind ==
        SendVerdictKind::Allowed);
  // 17:00 UTC is 19:00 in Sofia: held until 08:00 Sofia the next day = 06:00 UTC.
  d = check_send(p, lead, tenant, "email", "", at("2026-01-05T17:00:00Z"), "");
  CHECK(d.until == at("2026-01-06T06:00:00Z"));
  // Tokyo (UTC+9): 23:30 UTC on the 5th is 08:30 on the 6th there: inside.
  CHECK(check_send(p, lead, tenant, "email", "", at("2026-01-05T23:30:00Z"), "Asia/Tokyo").kind ==
        SendVerdictKind::Allowed);
  // Summer time: New York is UTC-4 in July, so 08:00 there is 12:00 UTC.
  d = check_send(p, lead, tenant, "email", "", at("2026-07-06T03:00:00Z"), "America/New_York");
  CHECK(d.until == at("2026-07-06T12:00:00Z"));
}

TEST_CASE("counters use the governance time zone's day", "[engine][governance]") {
  Program p = gov_program();
  p.governance.timezone = "Europe/Sofia";
  CHECK(governance_day(p, at("2026-01-05T22:30:00Z")) == "2026-01-06");
  CHECK(governance_day(gov_program(), at("2026-01-05T22:30:00Z")) == "2026-01-05");
}

TEST_CASE("govern_send reads the lead's timezone field and counts allowed sends",
          "[engine][governance]") {
  const Program p = gov_program();
  Directory dir;
  TenantState tenant;
  LeadState lead = a_lead();
  lead.fields[kTimezone] = Value::string("Asia/Tokyo");
  auto d = govern_send(p, "email", "ana@x.com", lead, tenant, dir, at("2026-01-05T01:00:00Z"));
  CHECK(d.kind == SendVerdictKind::Allowed);  // 10:00 in Tokyo
  CHECK(tenant.sent_today.at("email|ana@x.com|2026-01-05") == 1);
  d = govern_send(p, "email", "ana@x.com", lead, tenant, dir, at("2026-01-05T12:00:00Z"));
  CHECK(d.kind == SendVerdictKind::HeldUntil);  // 21:00 in Tokyo
  CHECK(d.until == at("2026-01-05T23:00:00Z"));
  CHECK(tenant.sent_today.at("email|ana@x.com|2026-01-05") == 1);
}

TEST_CASE("time-zone helpers", "[engine][governance]") {
  CHECK(utc_offset_seconds("Europe/Sofia", at("2026-01-05T00:00:00Z")) == 7200);
  CHECK(utc_offset_seconds("Europe/Sofia", at("2026-07-05T00:00:00Z")) == 10800);
  CHECK(utc_offset_seconds("", 0) == 0);
  CHECK(utc_offset_seconds("Not/AZone", 0) == 0);
  CHECK(local_minute_of_day("America/New_York", at("2026-01-05T03:30:00Z")) == 22 * 60 + 30);
  CHECK(in_window(ClockWindow{22 * 60, 6 * 60}, 23 * 60));
  CHECK(in_window(ClockWindow{22 * 60, 6 * 60}, 5 * 60));
  CHECK_FALSE(in_window(ClockWindow{22 * 60, 6 * 60}, 12 * 60));
  // 02:30 on 2026-03-29 does not exist in Berlin (clocks jump 02:00 → 03:00 = 01:00 UTC).
  const std::int64_t local = days_from_civil(2026, 3, 29) * 86400 + 2 * 3600 + 1800;
  CHECK(local_to_utc("Europe/Berlin", local) == at("2026-03-29T01:00:00Z"));
}

}  // namespace leadflow::engine
