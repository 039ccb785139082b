// Batches of events and due timers through the Engine into the store, as one transaction each.
#include "runtime/lead_processor.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "runtime/account_fanout.hpp"
#include "runtime/outbox/audit.hpp"
#include "runtime/timeline.hpp"

namespace leadflow::runtime {

namespace json = boost::json;
using engine::TimePoint;
using engine::Value;
using engine::ValueKind;

namespace {

const Value* effect_field(const engine::Effect& e, std::string_view name) {
  for (const auto& [key, value] : e.fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

constexpr std::size_t max_speed_samples = 100000;

}  // namespace

std::string content_hash(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

LeadProcessor::LeadProcessor(store::Store& store, std::shared_ptr<const engine::Program> program,
                             engine::Directory directory)
    : store_(store), program_(std::move(program)), directory_(std::move(directory)) {
  engine_ = std::make_unique<engine::Engine>(program_, directory_, engine::EngineHooks{});
  versions_[program_->version] = program_;
  find_dedup_slots();
}

void LeadProcessor::set_program(std::shared_ptr<const engine::Program> program) {
  program_ = std::move(program);
  versions_[program_->version] = program_;
  engine_ = std::make_unique<engine::Engine>(program_, directory_, engine::EngineHooks{});
  find_dedup_slots();
}

void LeadProcessor::find_dedup_slots() {
  dedup_slots_ = {program_->lead_slot("email"), program_->lead_slot("domain"), program_->lead_slot("first_name"),
                  program_->lead_slot("last_name")};
}

std::shared_ptr<const engine::Program> LeadProcessor::program_version(const std::string& version) const {
  auto it = versions_.find(version);
  return it == versions_.end() ? nullptr : it->second;
}

void LeadProcessor::open() {
  tenants_.clear();
  timers_.clear();
  decode_report_ = {};
  for (const auto& [tenant, state] : store_.tenants()) {
    TenantData& t = tenants_[tenant];
    t.state = store::decode_tenant(state, t.captures_seen, t.next_seq);
  }
  store::ProgramResolver resolve = [this](const std::string& version) {
    std::shared_ptr<const engine::Program> p = program_version(version);
    if (p == nullptr && load_version && (p = load_version(version)) != nullptr) versions_[version] = p;
    return p;
  };
  for (store::LeadRow& row : store_.leads()) {
    TenantData& t = tenants_[row.tenant];
    t.leads[row.id] = store::decode_lead(row.state, program_, resolve, &decode_report_);
    t.seq[row.id] = row.seq;
    t.order.push_back(row.id);  // rows come in seq order
    t.next_seq = std::max(t.next_seq, row.seq + 1);
    reindex(t, row.id);
  }
  // They come in (due, id) order: each goes at the end.
  for (store::TimerRow& row : store_.timers()) {
    timers_.emplace_hint(timers_.end(), TimerKey{row.timer.due, row.id}, std::move(row));
  }
  store::StoreIds ids = store_.max_ids();
  next_timer_id_ = ids.timer;
  next_event_id_ = ids.event;
}

void LeadProcessor::clear_batch() {
  batch_.clear();
  dirty_leads_.clear();
  encoded_leads_.clear();
  dirty_tenants_.clear();
  batch_keys_.clear();
  batch_effects_.clear();
  batch_timers_fired_ = 0;
  batch_applied_ = 0;
}

void LeadProcessor::reload() {
  clear_batch();
  open();
}

LeadProcessor::TenantData& LeadProcessor::tenant_data(const std::string& tenant) {
  dirty_tenants_.insert(tenant);
  return tenants_[tenant];
}

std::string LeadProcessor::field_text(const engine::LeadState& state, std::string_view name) const {
  engine::Slot s = program_->lead_slot(name);
  if (s == engine::no_index || static_cast<std::size_t>(s) >= state.fields.size()) return {};
  const Value& v = state.fields[static_cast<std::size_t>(s)];
  return v.kind() == ValueKind::String ? std::string(v.as_string()) : std::string();
}

void LeadProcessor::reindex(TenantData& t, const std::string& id) {
  auto it = t.leads.find(id);
  if (it == t.leads.end()) return;
  const engine::LeadState& s = it->second;
  auto text = [&](engine::Slot slot) -> std::string_view {
    if (slot == engine::no_index || static_cast<std::size_t>(slot) >= s.fields.size()) return {};
    return s.fields[static_cast<std::size_t>(slot)].as_string();  // empty unless a string
  };
  const std::array<std::string_view, 4> keys = {text(dedup_slots_[0]), text(dedup_slots_[1]), text(dedup_slots_[2]),
                                                text(dedup_slots_[3])};
  auto [entry, added] = t.indexed.try_emplace(id);
  std::array<std::string, 4>& indexed = entry->second;
  if (!added && std::equal(keys.begin(), keys.end(), indexed.begin())) return;
  for (std::size_t i = 0; i < keys.size(); ++i) indexed[i] = std::string(keys[i]);
  t.index.remove(id);
  t.index.add(id, keys[0], keys[1], keys[2], keys[3]);
}

void LeadProcessor::add_outbox_rows(store::OutboxRow row) {
  if (!outbox_routes) {
    batch_.outbox.push_back(std::move(row));  // unrouted: the relay routes it
    return;
  }
  const std::vector<std::string> connectors = outbox_routes(row.action);
  if (connectors.empty()) {
    row.status = store::OutboxStatus::Skipped;
    row.last_error = "no route for this kind";
    batch_.outbox.push_back(std::move(row));
    return;
  }
  // Every connector's row carries the effect's key: receivers dedupe by it.
  for (std::size_t i = 0; i < connectors.size(); ++i) {
    store::OutboxRow copy = i + 1 < connectors.size() ? row : std::move(row);
    copy.connector = connectors[i];
    batch_.outbox.push_back(std::move(copy));
  }
}

void LeadProcessor::emit(const std::string& tenant, engine::StepResult&& result, TimePoint now,
                         const std::string& source) {
  std::size_t n = 0;
  for (engine::Effect& e : result.effects) {
    std::string payload = effect_jsonl(e);
    store::OutboxRow row;
    row.tenant = tenant;
    row.lead = e.lead;
    row.action = e.action;
    row.idempotency_key = tenant + "/" + source + "/" + std::to_string(n++);
    const std::string hash = content_hash(payload);
    row.payload = std::move(payload);
    add_outbox_rows(std::move(row));

    store::AuditRow audit;
    audit.tenant = tenant;
    audit.at = e.at;
    audit.lead = e.lead;
    audit.workflow = e.workflow;
    audit.action = e.action;
    const Value* to = effect_field(e, "to");
    const Value* owner = effect_field(e, "owner");
    const Value* channel = effect_field(e, "channel");
    audit.channel = channel != nullptr ? engine::to_display(*channel) : e.action;
    audit.recipient = to != nullptr ? engine::to_display(*to) : owner != nullptr ? engine::to_display(*owner) : e.lead;
    audit.content_hash = hash;
    if (e.action == "blocked") {
      const Value* reason = effect_field(e, "reason");
      audit.outcome = "blocked: " + (reason != nullptr ? engine::to_display(*reason) : std::string());
    } else {
      audit.outcome = "recorded";
    }
    batch_.audit.push_back(std::move(audit));
    batch_effects_.emplace_back(tenant, std::move(e));
  }
  for (engine::TimerRequest& t : result.timers) {
    store::TimerRow row;
    row.id = ++next_timer_id_;
    row.tenant = tenant;
    row.timer = std::move(t);
    // A timer asked for in the past is due now, as in dry-run.
    row.timer.due = std::max(row.timer.due, now);
    batch_.timers_added.push_back(row);
    timers_.emplace(TimerKey{row.timer.due, row.id}, std::move(row));
  }
}

engine::LeadState* LeadProcessor::add_lead(const std::string& tenant, const std::string& id,
                                           std::vector<Value> fields, TimePoint now, const std::string& source,
                                           engine::Engine::Arrival arrival) {
  TenantData& t = tenant_data(tenant);
  engine::LeadState& state = t.leads[id];
  state.tenant = tenant;
  state.fields = std::move(fields);
  state.fields.resize(program_->lead_fields.size());
  t.seq[id] = t.next_seq++;
  t.order.push_back(id);
  reindex(t, id);
  dirty_leads_.insert({tenant, id});
  emit(tenant, engine_->load(state, t.state, now, arrival), now, source);
  reindex(t, id);
  return &state;
}

void LeadProcessor::capture(IncomingEvent& in) {
  const engine::EventDef& def = program_->events[static_cast<std::size_t>(in.event.type)];
  auto data = [&](std::string_view name) -> std::string {
    for (const engine::FieldDef& f : def.fields) {
      if (f.name != name) continue;
      const Value& v = in.event.data[static_cast<std::size_t>(f.slot)];
      return v.kind() == ValueKind::String ? std::string(v.as_string()) : std::string();
    }
    return {};
  };
  TenantData& t = tenant_data(in.tenant);
  const TimePoint now = in.event.at;
  const std::string source = "event/" + std::to_string(next_event_id_) + "/capture";
  std::string capture_id = "C-" + std::to_string(++t.captures_seen);
  while (t.leads.count(capture_id) != 0) capture_id += "'";

  std::optional<engine::MatchResult> match =
      engine::match_capture(data("email"), data("domain"), data("first_name"), data("last_name"), t.index);
  if (match) {
    engine::count_capture(t.state, true);
    engine::StepResult merge;
    merge.effects.push_back(engine::Effect{now, capture_id, "", "merge",
                                           {{"into", Value::string(match->lead)},
                                            {"matched_on", Value::string(match->matched_on)}}});
    emit(in.tenant, std::move(merge), now, source);
    in.event.lead = match->lead;
    return;
  }
  engine::count_capture(t.state, false);

  std::vector<Value> fields(program_->lead_fields.size(), Value());
  for (const engine::FieldDef& f : def.fields) {
    engine::Slot slot = program_->lead_slot(f.name);
    if (slot == engine::no_index) continue;
    const engine::FieldDef& lead_field = program_->lead_fields[static_cast<std::size_t>(slot)];
    const Value& v = in.event.data[static_cast<std::size_t>(f.slot)];
    if (v.is_null()) continue;
    if (lead_field.type != ValueKind::Null && lead_field.type != v.kind()) continue;
    fields[static_cast<std::size_t>(slot)] = v;
  }
  if (engine::Slot s = program_->lead_slot("id"); s != engine::no_index) {
    fields[static_cast<std::size_t>(s)] = Value::string(capture_id);
  }
  if (engine::Slot s = program_->lead_slot("created_at"); s != engine::no_index) {
    fields[static_cast<std::size_t>(s)] = Value::time(now);
  }
  // A person erased by `leadflow forget` left only a hash behind: if they sign up again they
  // become a new lead, but one that is never emailed (governance blocks it as unsubscribed).
  if (engine::Slot email = program_->lead_slot("email"); email != engine::no_index) {
    const Value& address = fields[static_cast<std::size_t>(email)];
    engine::Slot unsubscribed = program_->lead_slot("unsubscribed");
    if (address.kind() == ValueKind::String && unsubscribed != engine::no_index &&
        store_.is_suppressed(in.tenant, outbox::suppression_hash(in.tenant, address.as_string()))) {
      fields[static_cast<std::size_t>(unsubscribed)] = Value::boolean(true);
    }
  }
  captured_at_[{in.tenant, capture_id}] = now;
  add_lead(in.tenant, capture_id, std::move(fields), now, source, engine::Engine::Arrival::Captured);
  in.event.lead = capture_id;
}

bool LeadProcessor::known_lead(const IncomingEvent& in) const {
  const engine::EventDef& def = program_->events[static_cast<std::size_t>(in.event.type)];
  if (in.event.lead.empty()) return is_capture_event(def) || is_account_event(def);
  auto t = tenants_.find(in.tenant);
  return t != tenants_.end() && t->second.leads.count(in.event.lead) != 0;
}

bool LeadProcessor::apply_one(IncomingEvent& in, std::optional<InputError>& error) {
  const engine::EventDef& def = program_->events[static_cast<std::size_t>(in.event.type)];
  const TimePoint now = in.event.at;
  const std::string source = "event/" + std::to_string(next_event_id_);
  if (in.event.lead.empty() && is_capture_event(def)) capture(in);

  if (in.event.lead.empty() && is_account_event(def)) {
    std::string domain;
    for (const engine::FieldDef& f : def.fields) {
      if (f.name == "domain" && in.event.data[static_cast<std::size_t>(f.slot)].kind() == ValueKind::String) {
        domain = engine::ascii_lower(in.event.data[static_cast<std::size_t>(f.slot)].as_string());
      }
    }
    TenantData& t = tenant_data(in.tenant);
    AccountFanout fanout;
    for (const std::string& id : t.order) {
      const engine::LeadState& s = t.leads[id];
      std::string d = engine::ascii_lower(field_text(s, "domain"));
      if (d.empty()) d = engine::email_domain(engine::normalise_email(field_text(s, "email")));
      if (!d.empty() && d == domain) fanout.leads.push_back(id);
    }
    fanout.state = [&](const std::string& id) -> engine::LeadState* {
      auto it = t.leads.find(id);
      return it == t.leads.end() ? nullptr : &it->second;
    };
    fanout.emit = [&](const std::string& id, engine::StepResult&& result) {
      if (id.empty()) return;  // the account's own trace lines: serve keeps no trace
      emit(in.tenant, std::move(result), now, source + "/" + id);
      dirty_leads_.insert({in.tenant, id});
      reindex(t, id);
    };
    fan_out_account_event(*engine_, t.state, domain, in.event, fanout);
    dirty_tenants_.insert(in.tenant);  // account workflows' enrollments live in the tenant state
    return true;
  }

  TenantData& t = tenant_data(in.tenant);
  auto it = t.leads.find(in.event.lead);
  if (it == t.leads.end()) {
    error = InputError{"", in.line, "lead", "unknown lead `" + in.event.lead + "`"};
    return false;
  }
  step_.clear();
  engine_->apply(it->second, t.state, in.event, step_);
  emit(in.tenant, std::move(step_), now, source);
  dirty_leads_.insert({in.tenant, in.event.lead});
  reindex(t, in.event.lead);
  return true;
}

void LeadProcessor::fire_before(TimePoint limit, bool inclusive) {
  while (!timers_.empty()) {
    auto it = timers_.begin();
    TimePoint due = it->first.first;
    if (due > limit || (!inclusive && due == limit)) break;
    // A copy: the engine's answer may add timers to the map.
    store::TimerRow row = std::move(it->second);
    timers_.erase(it);
    batch_.timers_deleted.push_back(row.id);
    ++batch_timers_fired_;
    auto t = tenants_.find(row.tenant);
    if (t == tenants_.end()) continue;
    auto lead = t->second.leads.find(row.timer.lead);
    if (lead == t->second.leads.end()) continue;
    dirty_tenants_.insert(row.tenant);
    dirty_leads_.insert({row.tenant, row.timer.lead});
    // The engine drops a timer whose generation no longer matches (a stale wake).
    step_.clear();
    engine_->fire(lead->second, t->second.state, row.timer, due, step_);
    emit(row.tenant, std::move(step_), due, "timer/" + std::to_string(row.id));
    reindex(t->second, row.timer.lead);
    encode_dirty_leads();
  }
}

void LeadProcessor::encode_dirty_leads() {
  for (const auto& key : dirty_leads_) {
    const TenantData& t = tenants_[key.first];
    auto it = t.leads.find(key.second);
    if (it != t.leads.end()) encoded_leads_[key] = store::encode_lead(it->second, *program_);
  }
  dirty_leads_.clear();
}

BatchOutcome LeadProcessor::commit(BatchOutcome outcome) {
  encode_dirty_leads();
  for (auto& [key, state] : encoded_leads_) {
    batch_.leads.push_back({key.first, key.second, std::move(state), tenants_[key.first].seq[key.second]});
  }
  for (const std::string& tenant : dirty_tenants_) {
    const TenantData& t = tenants_[tenant];
    batch_.tenants.emplace_back(tenant, store::encode_tenant(t.state, t.captures_seen, t.next_seq));
  }
  outcome.timers_fired += batch_timers_fired_;
  outcome.effects += batch_effects_.size();
  store::StoreStatus status = store_.commit(batch_);
  ++commit_attempts_;
  if (!status) {
    failed_attempts_.insert(commit_attempts_);
    ++counters_.commit_failures;
    outcome.committed = false;
    outcome.error = status.message;
    reload();
    return outcome;
  }
  ++counters_.commits;
  counters_.timers_fired += batch_timers_fired_;
  counters_.events_applied += batch_applied_;
  for (const auto& [tenant, e] : batch_effects_) {
    ++counters_.effects_by_action[e.action];
    if (e.action == "blocked") {
      const Value* reason = effect_field(e, "reason");
      ++counters_.blocked_by_reason[reason != nullptr ? engine::to_display(*reason) : std::string()];
    }
    if (e.action == "sla") {
      const Value* level = effect_field(e, "level");
      std::string l = level != nullptr ? engine::to_display(*level) : std::string();
      if (l == "alert" || l == "reassign") ++counters_.sla_breaches;
    }
    if (e.action == "assign") {
      auto c = captured_at_.find({tenant, e.lead});
      if (c != captured_at_.end()) {
        if (counters_.speed_to_lead_seconds.size() < max_speed_samples) {
          counters_.speed_to_lead_seconds.push_back(static_cast<double>(e.at - c->second));
        }
        captured_at_.erase(c);
      }
    }
    if (on_effect) on_effect(tenant, e);
  }
  clear_batch();
  return outcome;
}

BatchOutcome LeadProcessor::stage(std::vector<IncomingEvent> events, TimePoint now, bool strict) {
  BatchOutcome outcome;
  if (strict) {
    for (const IncomingEvent& in : events) {
      if (!known_lead(in)) {
        outcome.committed = false;
        outcome.errors.push_back({"", in.line, "lead", "unknown lead `" + in.event.lead + "`"});
        outcome.error = "unknown lead";
        return outcome;
      }
    }
  }
  const std::size_t effects_before = batch_effects_.size();
  const std::size_t fired_before = batch_timers_fired_;
  for (IncomingEvent& in : events) {
    if (!take_key(in)) {
      ++outcome.duplicates;
      continue;
    }
    if (in.event.at <= now) {
      fire_before(in.event.at, false);
    } else {
      fire_before(now, true);
    }
    if (apply_and_log(in, now, std::move(in.body), outcome.errors)) ++outcome.applied;
  }
  batch_applied_ += outcome.applied;
  outcome.effects = batch_effects_.size() - effects_before;
  outcome.timers_fired = batch_timers_fired_ - fired_before;
  outcome.commit_ticket = commit_attempts_ + 1;
  return outcome;
}

bool LeadProcessor::take_key(const IncomingEvent& in) {
  if (in.idempotency_key.empty()) return true;
  auto key = std::make_pair(in.tenant, in.idempotency_key);
  if (batch_keys_.count(key) != 0 || store_.has_key(in.tenant, in.idempotency_key)) {
    ++counters_.events_duplicate;
    return false;
  }
  batch_keys_.insert(std::move(key));
  return true;
}

bool LeadProcessor::apply_and_log(IncomingEvent& in, TimePoint received_at, std::string body,
                                  std::vector<InputError>& errors) {
  std::optional<InputError> error;
  const std::int64_t event_id = ++next_event_id_;  // apply_one names its effects' cause by it
  const bool applied = apply_one(in, error);
  encode_dirty_leads();
  if (!applied) {
    --next_event_id_;
    errors.push_back(*error);
    return false;
  }
  batch_.events.push_back({event_id, in.tenant, in.event.at, received_at, in.idempotency_key, std::move(body)});
  if (!in.idempotency_key.empty()) batch_.keys.push_back({in.tenant, in.idempotency_key, event_id});
  return true;
}

BatchOutcome LeadProcessor::apply(std::vector<IncomingEvent> events, TimePoint now, bool strict) {
  BatchOutcome staged = stage(std::move(events), now, strict);
  if (!staged.committed) return staged;  // nothing was applied
  BatchOutcome outcome = commit(BatchOutcome{});
  // Timers due before these events fired in this batch too, possibly in an earlier stage().
  outcome.applied = staged.applied;
  outcome.duplicates = staged.duplicates;
  outcome.errors = std::move(staged.errors);
  return outcome;
}

BatchOutcome LeadProcessor::commit_staged() { return commit(BatchOutcome{}); }

CommitState LeadProcessor::commit_state(std::uint64_t ticket) const {
  if (ticket > commit_attempts_) return CommitState::Pending;
  return failed_attempts_.count(ticket) != 0 ? CommitState::Failed : CommitState::Committed;
}

BatchOutcome LeadProcessor::ingest(std::vector<LeadInput> leads, std::vector<IncomingEvent> events, TimePoint now,
                                   std::size_t batch_size) {
  const std::string tenant = events.empty() ? std::string("default") : events.front().tenant;
  std::optional<TimePoint> start;
  for (const LeadInput& l : leads) {
    if (l.has_created_at) start = start ? std::min(*start, l.created_at) : l.created_at;
  }
  for (const IncomingEvent& e : events) start = start ? std::min(*start, e.event.at) : e.event.at;
  struct Item {
    TimePoint at;
    int kind;  // 0 load, 1 event: loads first at equal times, as dry-run
    std::size_t index;
  };
  std::vector<Item> items;
  std::map<std::string, std::size_t> pending;
  for (std::size_t i = 0; i < leads.size(); ++i) {
    pending.emplace(leads[i].id, i);
    items.push_back({leads[i].has_created_at ? leads[i].created_at : start.value_or(now), 0, i});
  }
  for (std::size_t i = 0; i < events.size(); ++i) items.push_back({events[i].event.at, 1, i});
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.at != b.at ? a.at < b.at : a.kind < b.kind;
  });

  BatchOutcome total;
  std::size_t in_batch = 0;
  auto load = [&](const std::string& id, TimePoint at) {
    auto p = pending.find(id);
    if (p == pending.end()) return;
    LeadInput& l = leads[p->second];
    pending.erase(p);
    TenantData& t = tenants_[tenant];
    if (t.leads.count(id) != 0) return;  // imported before: an ingest file can be replayed
    add_lead(tenant, id, std::move(l.fields), at, "load/" + id);
  };
  auto flush = [&] {
    BatchOutcome part = commit(BatchOutcome{});
    total.timers_fired += part.timers_fired;
    total.effects += part.effects;
    if (!part.committed) {
      total.committed = false;
      total.error = part.error;
    }
    in_batch = 0;
  };
  for (const Item& item : items) {
    if (item.at > now) break;  // the future is not here yet
    fire_before(item.at, false);
    if (item.kind == 0) {
      load(leads[item.index].id, item.at);
    } else {
      IncomingEvent& in = events[item.index];
      if (!take_key(in)) {
        ++total.duplicates;
        continue;
      }
      if (!in.event.lead.empty()) load(in.event.lead, item.at);
      if (apply_and_log(in, now, in.body, total.errors)) {
        ++total.applied;
        ++counters_.events_applied;
      }
    }
    if (++in_batch >= batch_size) flush();
    if (!total.committed) return total;
  }
  fire_before(now, true);
  flush();
  return total;
}

BatchOutcome LeadProcessor::fire_due(TimePoint now) {
  fire_before(now, true);
  return commit(BatchOutcome{});
}

std::optional<TimePoint> LeadProcessor::next_due() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

const engine::LeadState* LeadProcessor::lead(const std::string& tenant, const std::string& id) const {
  auto t = tenants_.find(tenant);
  if (t == tenants_.end()) return nullptr;
  auto it = t->second.leads.find(id);
  return it == t->second.leads.end() ? nullptr : &it->second;
}

std::vector<std::string> LeadProcessor::lead_ids(const std::string& tenant) const {
  auto t = tenants_.find(tenant);
  return t == tenants_.end() ? std::vector<std::string>{} : t->second.order;
}

const engine::TenantState* LeadProcessor::tenant(const std::string& tenant) const {
  auto t = tenants_.find(tenant);
  return t == tenants_.end() ? nullptr : &t->second.state;
}

std::map<std::pair<std::string, std::string>, std::size_t> LeadProcessor::runs_in_flight(const std::string* tenant) const {
  std::map<std::pair<std::string, std::string>, std::size_t> out;
  for (const auto& [name, t] : tenants_) {
    if (tenant != nullptr && name != *tenant) continue;
    for (const auto& [id, lead] : t.leads) {
      for (const engine::Run& r : lead.runs) {
        if (r.status == engine::RunStatus::Done) continue;
        ++out[{r.program ? r.program->version : std::string(), r.workflow_name}];
      }
    }
  }
  return out;
}

std::pair<std::int64_t, std::int64_t> LeadProcessor::captures_and_duplicates() const {
  std::int64_t captures = 0, duplicates = 0;
  for (const auto& [name, t] : tenants_) {
    captures += t.state.captures;
    duplicates += t.state.duplicates;
  }
  return {captures, duplicates};
}

std::size_t LeadProcessor::unassigned_leads() const {
  std::size_t n = 0;
  for (const auto& [name, t] : tenants_) {
    for (const auto& [id, lead] : t.leads) {
      if (field_text(lead, "owner").empty()) ++n;
    }
  }
  return n;
}

ParsedEvents LeadProcessor::parse_events(const std::string& tenant, std::string_view text, TimePoint now,
                                         std::size_t max_depth) const {
  ParsedEvents out;
  json::parse_options options;
  options.max_depth = max_depth;
  auto one = [&](std::string_view line, std::size_t line_no) {
    json::error_code ec;
    json::value v = json::parse(line, ec, {}, options);
    if (ec) {
      std::string message = ec == json::error::too_deep
                                ? "JSON nested deeper than " + std::to_string(max_depth) + " levels"
                                : "invalid JSON: " + ec.message();
      out.errors.push_back({"", line_no, "", message});
      return;
    }
    if (!v.is_object()) {
      out.errors.push_back({"", line_no, "", "expected a JSON object (an event)"});
      return;
    }
    json::object& o = v.as_object();
    std::string key;
    if (json::value* k = o.if_contains("idempotency_key")) {
      if (!k->is_string() || k->get_string().empty() || k->get_string().size() > 200) {
        out.errors.push_back({"", line_no, "idempotency_key", "expected a non-empty string of at most 200 bytes"});
        return;
      }
      key = std::string(k->get_string());
      o.erase("idempotency_key");
    }
    if (!o.contains("at")) o["at"] = engine::format_time(now);
    std::string body = json::serialize(o);
    std::vector<InputError> errors;
    std::vector<EventInput> events = read_events(*program_, body, "", errors);
    for (InputError& e : errors) {
      e.line = line_no;
      out.errors.push_back(std::move(e));
    }
    for (EventInput& e : events) {
      out.events.push_back({tenant, key, body, std::move(e.event), line_no});
    }
  };
  // One JSON document (possibly spread over lines) or NDJSON.
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    json::error_code ec;
    json::parse(text, ec, {}, options);
    if (!ec) {
      one(text, 1);
      return out;
    }
  }
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line_no;
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    one(line, line_no);
  }
  return out;
}

}  // namespace leadflow::runtime
