// The virtual-time loop behind dry-run: one priority queue, no clock, no threads.
#include "runtime/simulator.hpp"

#include <algorithm>

#include "runtime/account_fanout.hpp"


namespace leadflow::runtime {

using engine::TimePoint;
using engine::Value;
using engine::ValueKind;

namespace {

// A guard against a workflow that keeps asking for timers at the same instant forever.
constexpr std::size_t max_items = 20'000'000;

}  // namespace

Simulator::Simulator(std::shared_ptr<const engine::Program> program, engine::Directory directory,
                     SimulatorOptions options)
    : program_(std::move(program)),
      directory_(std::move(directory)),
      options_(std::move(options)),
      engine_(program_, directory_, engine::EngineHooks{}, engine::EngineOptions{options_.trace}),
      email_slot_(program_->lead_slot("email")),
      domain_slot_(program_->lead_slot("domain")),
      first_name_slot_(program_->lead_slot("first_name")),
      last_name_slot_(program_->lead_slot("last_name")),
      timer_queue_(options_.start, options_.until) {}

const engine::LeadState* Simulator::lead(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() || !it->second.loaded ? nullptr : &it->second.state;
}

namespace {

// Whether a field (null when the lead has no such slot) has the text `before` was taken from:
// both compare by their string text, "" unless a string, as the dedup index and accounts see them.
bool same_text(const Value* now, const Value& before) {
  if (now != nullptr && now->identical(before)) return true;
  return (now != nullptr ? now->as_string() : std::string_view()) == before.as_string();
}

Value string_or_null(const Value* v) { return v != nullptr && v->kind() == ValueKind::String ? *v : Value(); }

const Value* slot_value(const engine::LeadState& state, engine::Slot slot) {
  if (slot == engine::no_index || static_cast<std::size_t>(slot) >= state.fields.size()) return nullptr;
  return &state.fields[static_cast<std::size_t>(slot)];
}

}  // namespace

std::string Simulator::field_text(const engine::LeadState& state, std::string_view name) const {
  engine::Slot s = program_->lead_slot(name);
  if (s == engine::no_index || static_cast<std::size_t>(s) >= state.fields.size()) return {};
  const Value& v = state.fields[static_cast<std::size_t>(s)];
  return v.kind() == ValueKind::String ? std::string(v.as_string()) : std::string();
}

std::string_view Simulator::field_view(const engine::LeadState& state, engine::Slot slot) const {
  if (slot == engine::no_index || static_cast<std::size_t>(slot) >= state.fields.size()) return {};
  return state.fields[static_cast<std::size_t>(slot)].as_string();  // "" unless a string
}

std::string Simulator::account_domain(const engine::LeadState& s) const {
  std::string d = engine::ascii_lower(field_view(s, domain_slot_));
  if (d.empty()) d = engine::email_domain(engine::normalise_email(field_view(s, email_slot_)));
  return d;
}

void Simulator::update_account(LeadEntry& entry) {
  // Most calls follow an event that left the domain and email alone: no lower-casing then.
  const Value* domain = slot_value(entry.state, domain_slot_);
  const Value* email = slot_value(entry.state, email_slot_);
  if (entry.account_known && same_text(domain, entry.account_source[0]) && same_text(email, entry.account_source[1])) {
    return;
  }
  entry.account_source = {string_or_null(domain), string_or_null(email)};
  entry.account_known = true;
  std::string d = account_domain(entry.state);
  if (d == entry.account) return;
  if (!entry.account.empty()) {
    auto it = accounts_.find(entry.account);
    std::vector<std::size_t>& v = it->second;
    v.erase(std::lower_bound(v.begin(), v.end(), entry.position));
    if (v.empty()) accounts_.erase(it);
  }
  if (!d.empty()) {
    std::vector<std::size_t>& v = accounts_[d];
    v.insert(std::lower_bound(v.begin(), v.end(), entry.position), entry.position);
  }
  entry.account = std::move(d);
}

void Simulator::emit(engine::StepResult& result, TimePoint now, const SimulatorSink& sink, LeadEntry* entry) {
  if (sink.trace) {
    for (const engine::TraceLine& t : result.trace) sink.trace(t);
  }
  if (sink.effect) {
    for (engine::Effect& e : result.effects) sink.effect(std::move(e));
  }
  for (const engine::TimerRequest& t : result.timers) {
    // A timer asked for in the past is due now: virtual time never goes back.
    TimePoint due = std::max(t.due, now);
    if (due > options_.until) continue;  // the run ends before it: it would never fire
    LeadEntry* owner = entry;
    if (owner == nullptr || t.lead != order_[owner->position]) {  // not the lead the step was for
      auto it = entries_.find(t.lead);
      owner = it == entries_.end() ? nullptr : &it->second;
    }
    if (owner == nullptr) continue;  // no such lead: it would never fire
    const StoredTimer stored{owner, t.run_id, t.generation, t.index, t.kind};
    std::size_t slot = timers_.size();
    if (free_timers_.empty()) {
      timers_.push_back(stored);
    } else {
      slot = free_timers_.back();
      free_timers_.pop_back();
      timers_[slot] = stored;
    }
    timer_queue_.push(due, static_cast<std::uint32_t>(slot));
  }
}

void Simulator::reindex(const std::string& id, LeadEntry& entry) {
  const engine::LeadState& s = entry.state;
  const engine::Slot slots[4] = {email_slot_, domain_slot_, first_name_slot_, last_name_slot_};
  bool same = entry.in_index;
  for (std::size_t i = 0; same && i < 4; ++i) same = same_text(slot_value(s, slots[i]), entry.indexed[i]);
  // Removing the lead and adding it again changes nothing when it got every key it asked for, or
  // when no key has left the index since it was last added (the keys it missed are still held).
  if (!same || (!entry.indexed_all && entry.removals_seen != index_removals_)) {
    if (!same && entry.in_index) ++index_removals_;  // its old keys are free for others now
    for (std::size_t i = 0; i < 4; ++i) entry.indexed[i] = string_or_null(slot_value(s, slots[i]));
    const std::string_view email = entry.indexed[0].as_string(), domain = entry.indexed[1].as_string(),
                           first = entry.indexed[2].as_string(), last = entry.indexed[3].as_string();
    index_.remove(id);
    index_.add(id, email, domain, first, last);
    entry.in_index = true;
    entry.indexed_all = holds_all_keys(id, email, domain, first, last);
    entry.removals_seen = index_removals_;
  }
  update_account(entry);
}

// Whether LeadIndex::add gave the lead every key it asked for (its normalised email, and its
// domain + name unless on free mail). Unsure (odd whitespace around a domain) counts as no: the
// lead is then removed and added again after every event, as a lead that lost a key to another
// must be (the key may be free again by then).
bool Simulator::holds_all_keys(const std::string& id, std::string_view email, std::string_view domain,
                               std::string_view first, std::string_view last) const {
  if (!engine::normalise_email(email).empty()) {
    const std::string* holder = index_.by_email(email);
    if (holder == nullptr || *holder != id) return false;
  }
  if (engine::name_key(first, last).empty()) return true;
  auto plain = [](std::string_view d) {
    return !d.empty() && static_cast<unsigned char>(d.front()) > ' ' && static_cast<unsigned char>(d.back()) > ' ' &&
           d.front() != '\x7f' && d.back() != '\x7f';
  };
  std::string d;
  if (plain(domain)) {
    d = engine::ascii_lower(domain);
  } else if (domain.empty()) {
    d = engine::email_domain(email);
    if (d.empty()) return true;
    if (!plain(d)) return false;
  } else {
    return false;
  }
  if (engine::is_free_mail_domain(d)) return true;
  const std::string* holder = index_.by_domain_name(d, first, last);
  return holder != nullptr && *holder == id;
}

Simulator::LeadEntry* Simulator::load(const std::string& id, TimePoint now, const SimulatorSink& sink) {
  auto found = entries_.find(id);
  if (found != entries_.end() && found->second.loaded) return &found->second;
  auto pending = pending_.find(id);
  if (pending == pending_.end()) return nullptr;
  LeadEntry& entry = entries_[id];
  entry.state.tenant = "default";
  entry.state.fields = std::move(leads_[pending->second].fields);
  entry.state.fields.resize(program_->lead_fields.size());
  entry.loaded = true;
  entry.position = order_.size();
  pending_.erase(pending);
  order_.push_back(id);
  reindex(id, entry);
  step_.clear();
  engine_.load(entry.state, tenant_, now, engine::Engine::Arrival::Loaded, step_);
  emit(step_, now, sink, &entry);
  update_account(entry);
  return &entry;
}

void Simulator::capture(EventInput& input, TimePoint now, const SimulatorSink& sink) {
  const engine::EventDef& def = program_->events[static_cast<std::size_t>(input.event.type)];
  auto data = [&](std::string_view name) -> std::string {
    for (const engine::FieldDef& f : def.fields) {
      if (f.name != name) continue;
      const Value& v = input.event.data[static_cast<std::size_t>(f.slot)];
      return v.kind() == ValueKind::String ? std::string(v.as_string()) : std::string();
    }
    return {};
  };
  std::string capture_id = "C-" + std::to_string(++captures_);
  while (entries_.count(capture_id) != 0 || pending_.count(capture_id) != 0) capture_id += "'";

  std::optional<engine::MatchResult> match =
      engine::match_capture(data("email"), data("domain"), data("first_name"), data("last_name"), index_);
  if (match) {
    engine::count_capture(tenant_, true);
    if (sink.effect) {
      sink.effect(engine::Effect{now, capture_id, "", "merge",
                                 {{"into", Value::string(match->lead)}, {"matched_on", Value::string(match->matched_on)}}});
    }
    input.event.lead = match->lead;
    return;
  }
  engine::count_capture(tenant_, false);

  // A new lead from the capture's data: every data field that is also a lead field of that type.
  LeadEntry& entry = entries_[capture_id];
  entry.state.tenant = "default";
  entry.state.fields.assign(program_->lead_fields.size(), Value());
  for (const engine::FieldDef& f : def.fields) {
    engine::Slot slot = program_->lead_slot(f.name);
    if (slot == engine::no_index) continue;
    const engine::FieldDef& lead_field = program_->lead_fields[static_cast<std::size_t>(slot)];
    const Value& v = input.event.data[static_cast<std::size_t>(f.slot)];
    if (v.is_null()) continue;
    if (lead_field.type != ValueKind::Null && lead_field.type != v.kind()) continue;
    entry.state.fields[static_cast<std::size_t>(slot)] = v;
  }
  if (engine::Slot s = program_->lead_slot("id"); s != engine::no_index) {
    entry.state.fields[static_cast<std::size_t>(s)] = Value::string(capture_id);
  }
  if (engine::Slot s = program_->lead_slot("created_at"); s != engine::no_index) {
    entry.state.fields[static_cast<std::size_t>(s)] = Value::time(now);
  }
  entry.loaded = true;
  entry.position = order_.size();
  order_.push_back(capture_id);
  reindex(capture_id, entry);
  step_.clear();
  engine_.load(entry.state, tenant_, now, engine::Engine::Arrival::Captured, step_);
  emit(step_, now, sink, &entry);
  update_account(entry);
  input.event.lead = capture_id;
}

void Simulator::apply_event(EventInput& input, TimePoint now, const SimulatorSink& sink,
                            std::vector<InputError>& errors) {
  const engine::EventDef& def = program_->events[static_cast<std::size_t>(input.event.type)];
  if (input.event.lead.empty() && is_capture_event(def)) capture(input, now, sink);

  if (input.event.lead.empty() && is_account_event(def)) {
    std::string domain;
    for (const engine::FieldDef& f : def.fields) {
      if (f.name == "domain" && input.event.data[static_cast<std::size_t>(f.slot)].kind() == ValueKind::String) {
        domain = engine::ascii_lower(input.event.data[static_cast<std::size_t>(f.slot)].as_string());
      }
    }
    // Every loaded lead whose domain (or email domain) is this one, in load order.
    AccountFanout fanout;
    if (auto it = domain.empty() ? accounts_.end() : accounts_.find(domain); it != accounts_.end()) {
      for (std::size_t position : it->second) fanout.leads.push_back(order_[position]);
    }
    fanout.trace = options_.trace;
    fanout.state = [&](const std::string& id) -> engine::LeadState* {
      auto it = entries_.find(id);
      return it == entries_.end() || !it->second.loaded ? nullptr : &it->second.state;
    };
    fanout.emit = [&](const std::string& id, engine::StepResult&& result) {
      LeadEntry* target = id.empty() ? nullptr : &entries_[id];
      emit(result, now, sink, target);
      if (target) reindex(id, *target);
    };
    fan_out_account_event(engine_, tenant_, domain, input.event, fanout);
    return;
  }

  LeadEntry* entry = load(input.event.lead, now, sink);
  if (entry == nullptr) {
    errors.push_back({options_.events_file, input.line, "lead", "unknown lead `" + input.event.lead + "`"});
    return;
  }
  step_.clear();
  engine_.apply(entry->state, tenant_, input.event, step_);
  emit(step_, now, sink, entry);
  reindex(input.event.lead, *entry);
}

void Simulator::run(std::vector<LeadInput> leads, std::vector<EventInput> events, const SimulatorSink& sink,
                    std::vector<InputError>& errors) {
  leads_ = std::move(leads);
  entries_.reserve(leads_.size());
  pending_.reserve(leads_.size());
  auto load_at = [&](const LeadInput& l) {
    return l.has_created_at ? std::max(l.created_at, options_.start) : options_.start;
  };
  load_order_.resize(leads_.size());
  for (std::size_t i = 0; i < leads_.size(); ++i) {
    pending_.emplace(leads_[i].id, i);
    load_order_[i] = static_cast<std::uint32_t>(i);
  }
  std::stable_sort(load_order_.begin(), load_order_.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return load_at(leads_[a]) < load_at(leads_[b]); });

  const auto first_applied = std::remove_if(events.begin(), events.end(), [&](const EventInput& e) {
    return e.event.at < options_.start;
  });
  before_start_ = static_cast<std::size_t>(events.end() - first_applied);
  events.erase(first_applied, events.end());
  auto by_time = [](const EventInput& a, const EventInput& b) { return a.event.at < b.event.at; };
  if (!std::is_sorted(events.begin(), events.end(), by_time)) std::stable_sort(events.begin(), events.end(), by_time);
  for (EventInput& e : events) events_.push_back(std::move(e));
  std::vector<EventInput>().swap(events);

  std::size_t next_load = 0;
  while (processed_ < max_items) {
    // The earliest of the next load, the next event and the next timer; at equal times in that order.
    enum class Next { Load, Event, Timer, Nothing } next = Next::Nothing;
    TimePoint at = 0;
    if (next_load < load_order_.size()) {
      next = Next::Load;
      at = load_at(leads_[load_order_[next_load]]);
    }
    if (!events_.empty() && (next == Next::Nothing || events_.front().event.at < at)) {
      next = Next::Event;
      at = events_.front().event.at;
    }
    if (!timer_queue_.empty() && (next == Next::Nothing || timer_queue_.top().at < at)) {
      next = Next::Timer;
      at = timer_queue_.top().at;
    }
    if (next == Next::Nothing || at > options_.until) break;
    ++processed_;
    // An input record is not needed once it is in: freeing it as the run goes keeps the peak
    // memory near the larger of "all input" and "all lead state", not their sum.
    if (next == Next::Load) {
      LeadInput& lead = leads_[load_order_[next_load++]];
      load(lead.id, at, sink);
      lead = LeadInput();
      if (next_load == load_order_.size()) {  // every lead is in: pending_ is empty
        std::vector<LeadInput>().swap(leads_);
        std::vector<std::uint32_t>().swap(load_order_);
        next_load = 0;
      }
      continue;
    }
    if (next == Next::Event) {
      apply_event(events_.front(), at, sink, errors);
      events_.pop_front();
      continue;
    }
    const TimerQueue::Item item = timer_queue_.top();
    timer_queue_.pop();
    // Taken out: the slot is free from here on, and emit() may reuse it or grow timers_.
    const StoredTimer stored = timers_[item.slot];
    timers_[item.slot] = StoredTimer();
    free_timers_.push_back(item.slot);
    LeadEntry* entry = stored.entry;
    if (entry == nullptr || !entry->loaded) continue;
    engine::TimerRequest timer;
    timer.due = at;
    timer.lead = order_[entry->position];
    timer.kind = stored.kind;
    timer.run_id = stored.run_id;
    timer.index = stored.index;
    timer.generation = stored.generation;
    // The engine drops a timer whose generation no longer matches (a stale wake).
    step_.clear();
    engine_.fire(entry->state, tenant_, timer, at, step_);
    emit(step_, at, sink, entry);
    reindex(timer.lead, *entry);
  }
}

}  // namespace leadflow::runtime
