// The engine throughput workload of issue 3 item 11a: a scoring model (fit rules + event
// points), a router with round robin over a team, and one cadence (send, wait 2d, send, exit on
// reply), as .flow text for the real Engine and as a generated event stream both loops replay.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace leadflow::bench {

inline const char* const workload_flow = R"(
schema lead {
  employees: int
  country: string
}
event form_submitted { form_id: string }
event email_opened { template: string }
event pricing_page_view { url: string }
event replied { template: string }

const target_countries = ["US", "CA", "GB", "DE", "AT", "CH"]
const dach_countries = ["DE", "AT", "CH"]

scoring fit {
  lead.employees >= 500                          -> +20 "500+ employees"
  lead.employees >= 100 and lead.employees < 500 -> +10 "100-499 employees"
  lead.country in target_countries               -> +10 "target country"
}
scoring engagement {
  on email_opened      -> +1 "email opened"
  on pricing_page_view -> +5 "pricing page view"
}

team ae {
  manager "max@example.com"
  members ["dan@example.com", "eva@example.com", "finn@example.com"]
}
team dach {
  manager "greta@example.com"
  members ["hans@example.com", "ida@example.com"]
}
router inbound {
  lead.country in dach_countries -> round_robin team dach
  otherwise                      -> round_robin team ae
  fallback manager
}

workflow cadence {
  when form_submitted
  enroll once per lead
  exit when event replied
  assign using inbound
  send email "welcome"
  wait 2d
  send email "follow_up"
}
)";

// Event types of the stream, in the order they are declared above.
enum class EventType : std::uint8_t { FormSubmitted, EmailOpened, PricingPageView, Replied };

struct LeadSeed {
  std::string id;
  std::string email;
  std::int64_t employees = 0;
  std::string country;
};

struct StreamEvent {
  std::int64_t at = 0;
  std::uint32_t lead = 0;  // index into Workload::leads
  EventType type = EventType::FormSubmitted;
};

struct Workload {
  std::int64_t start = 0;
  std::vector<LeadSeed> leads;
  std::vector<StreamEvent> events;  // sorted by (at, lead)
};

// `leads` leads created over 10 days, ~10 events each over the 5 days after creation: a form
// submit, then email opens and pricing views; a quarter reply (half of those before the 2-day
// follow-up, so the exit rule cuts the cadence short).
inline Workload make_workload(std::uint32_t leads, std::uint32_t seed = 20260105) {
  Workload w;
  w.start = 1767571200;  // 2026-01-05T00:00:00Z
  std::mt19937_64 rng(seed);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const char* countries[] = {"US", "DE", "GB", "FR", "AT", "BR", "CH", "IN", "CA", "JP"};
  const std::int64_t sizes[] = {8, 35, 120, 250, 480, 900, 2500};
  for (std::uint32_t i = 0; i < leads; ++i) {
    LeadSeed s;
    s.id = "L-" + std::to_string(i + 1);
    s.email = "lead" + std::to_string(i + 1) + "@acme" + std::to_string(i % 97) + ".com";
    s.employees = sizes[uniform(0, 6)];
    s.country = countries[uniform(0, 9)];
    w.leads.push_back(s);
    std::int64_t t = w.start + uniform(0, 10 * 86400);
    w.events.push_back({t, i, EventType::FormSubmitted});
    const int n = static_cast<int>(uniform(7, 11));
    for (int k = 0; k < n; ++k) {
      t += uniform(600, 5 * 86400 / 10);
      w.events.push_back({t, i, uniform(0, 3) == 0 ? EventType::PricingPageView : EventType::EmailOpened});
    }
    if (uniform(0, 3) == 0) {
      w.events.push_back({w.events.back().at + uniform(0, 3 * 86400), i, EventType::Replied});
    }
  }
  std::stable_sort(w.events.begin(), w.events.end(), [](const StreamEvent& a, const StreamEvent& b) {
    return a.at != b.at ? a.at < b.at : a.lead < b.lead;
  });
  return w;
}

}  // namespace leadflow::bench
