// LeadState / TenantState JSON for the store, names instead of indices.
#include "runtime/store/lead_codec.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "engine/workflow_graph.hpp"

namespace leadflow::runtime::store {

namespace json = boost::json;
using engine::Value;
using engine::ValueKind;

namespace {

json::value to_json_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Null: return nullptr;
    case ValueKind::Bool: return v.as_bool();
    case ValueKind::Int: return v.as_int();
    case ValueKind::Decimal: return json::object{{"f", v.as_decimal()}};
    case ValueKind::String: return json::string(v.as_string());
    case ValueKind::Time: return json::object{{"t", v.as_time()}};
    case ValueKind::Duration: return json::object{{"d", v.as_duration()}};
    case ValueKind::List: {
      json::array items;
      for (const Value& item : v.as_list()) items.push_back(to_json_value(item));
      return json::object{{"l", std::move(items)}};
    }
  }
  return nullptr;
}

std::int64_t as_i64(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) return static_cast<std::int64_t>(v.get_double());
  return 0;
}

Value from_json_value(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return Value();
    case json::kind::bool_: return Value::boolean(v.get_bool());
    case json::kind::int64:
    case json::kind::uint64: return Value::integer(as_i64(v));
    case json::kind::double_: return Value::decimal(v.get_double());
    case json::kind::string: return Value::string(std::string_view(v.get_string()));
    case json::kind::array: return Value();
    case json::kind::object: {
      const json::object& o = v.get_object();
      if (auto* f = o.if_contains("f")) return Value::decimal(f->is_double() ? f->get_double() : static_cast<double>(as_i64(*f)));
      if (auto* t = o.if_contains("t")) return Value::time(as_i64(*t));
      if (auto* d = o.if_contains("d")) return Value::duration(as_i64(*d));
      if (auto* l = o.if_contains("l"); l != nullptr && l->is_array()) {
        std::vector<Value> items;
        for (const json::value& item : l->get_array()) items.push_back(from_json_value(item));
        return Value::list(std::move(items));
      }
      return Value();
    }
  }
  return Value();
}

std::string str(const json::value* v) {
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}
std::int64_t num(const json::value* v) { return v == nullptr ? 0 : as_i64(*v); }
bool flag(const json::value* v) { return v != nullptr && v->is_bool() && v->get_bool(); }

// Views into the Program (no copy per run, enrollment and fact of every lead encoded).
std::string_view name_of_workflow(const engine::Program& p, std::int32_t index) {
  return index >= 0 && static_cast<std::size_t>(index) < p.workflows.size()
             ? std::string_view(p.workflows[static_cast<std::size_t>(index)].name)
             : std::string_view();
}
std::string_view name_of_event(const engine::Program& p, std::int32_t index) {
  return index >= 0 && static_cast<std::size_t>(index) < p.events.size()
             ? std::string_view(p.events[static_cast<std::size_t>(index)].name)
             : std::string_view();
}

}  // namespace

std::string encode_value(const Value& v) { return json::serialize(to_json_value(v)); }

namespace {

// A JSON writer straight into a string: encode_lead runs for every lead a batch touched, and
// building a boost::json tree first cost more than the SQLite writes of the row. Keys come out
// in the order written, as boost::json::serialize of the same object would give them.
class JsonOut {
 public:
  std::string text;

  void open_object() { open('{'); }
  void close_object() { close('}'); }
  void open_array() { open('['); }
  void close_array() { close(']'); }
  // Inside an object: the key, then exactly one value or container.
  JsonOut& key(std::string_view k) {
    comma();
    engine::append_json_string(text, k);
    text += ':';
    after_key_ = true;
    return *this;
  }
  void str(std::string_view v) {
    comma();
    engine::append_json_string(text, v);
  }
  void num(std::int64_t v) {
    comma();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    text.append(buf, r.ptr);
  }
  void unum(std::uint64_t v) {
    comma();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    text.append(buf, r.ptr);
  }
  void boolean(bool v) {
    comma();
    text += v ? "true" : "false";
  }
  void null() {
    comma();
    text += "null";
  }
  void value(const Value& v) {
    switch (v.kind()) {
      case ValueKind::Null: null(); return;
      case ValueKind::Bool: boolean(v.as_bool()); return;
      case ValueKind::Int: num(v.as_int()); return;
      case ValueKind::String: str(v.as_string()); return;
      case ValueKind::Time: open_object(); key("t").num(v.as_time()); close_object(); return;
      case ValueKind::Duration: open_object(); key("d").num(v.as_duration()); close_object(); return;
      case ValueKind::Decimal:
      case ValueKind::List:
        // Rare; boost::json's number formatting keeps doubles exact.
        comma();
        text += json::serialize(to_json_value(v));
        return;
    }
  }

 private:
  void open(char c) {
    comma();
    text += c;
    first_ = true;
  }
  void close(char c) {
    text += c;
    first_ = false;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      first_ = false;
      return;
    }
    if (!first_) text += ',';
    first_ = false;
  }
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace

std::string encode_lead(const engine::LeadState& lead, const engine::Program& live) {
  JsonOut o;
  o.text.reserve(4096);
  o.open_object();
  o.key("tenant").str(lead.tenant);
  o.key("fields").open_object();
  for (std::size_t i = 0; i < lead.fields.size() && i < live.lead_fields.size(); ++i) {
    if (!lead.fields[i].is_null()) o.key(live.lead_fields[i].name).value(lead.fields[i]);
  }
  o.close_object();
  o.key("score_log").open_array();
  for (const engine::ScoreEntry& e : lead.score_log) {
    o.open_array();
    o.str(e.source);
    o.str(e.reason);
    o.num(e.points);
    o.num(e.at);
    o.str(e.rule);
    o.close_array();
  }
  o.close_array();
  o.key("runs").open_array();
  for (const engine::Run& r : lead.runs) {
    const engine::Program& p = r.program ? *r.program : live;
    o.open_object();
    o.key("id").unum(r.id);
    o.key("version").str(p.version);
    o.key("workflow").str(r.workflow_name.empty() ? name_of_workflow(p, r.workflow) : std::string_view(r.workflow_name));
    o.key("node").unum(r.node);
    o.key("status").num(static_cast<int>(r.status));
    o.key("started_at").num(r.started_at);
    o.key("wake_at").num(r.wake_at);
    o.key("wait_event").str(name_of_event(p, r.wait_event));
    o.key("generation").unum(r.generation);
    o.key("retry_step").boolean(r.retry_step);
    o.close_object();
  }
  o.close_array();
  o.key("enrollments").open_object();
  for (const auto& [wf, e] : lead.enrollments) {
    std::string_view name = name_of_workflow(live, wf);
    if (name.empty()) continue;
    o.key(name).open_array();
    o.unum(e.count);
    o.num(e.last_enrolled_at);
    o.close_array();
  }
  o.close_object();
  o.key("held").open_array();
  for (const engine::HeldCondition& h : lead.held) {
    o.open_array();
    o.str(name_of_workflow(live, h.workflow));
    o.num(h.trigger);
    o.num(h.since);
    o.boolean(h.fired);
    o.unum(h.generation);
    o.close_array();
  }
  o.close_array();
  o.key("slas").open_array();
  for (const engine::SlaClock& c : lead.slas) {
    o.open_array();
    o.str(c.sla >= 0 && static_cast<std::size_t>(c.sla) < live.slas.size()
              ? std::string_view(live.slas[static_cast<std::size_t>(c.sla)].name)
              : std::string_view());
    o.num(c.started_at);
    o.str(c.owner);
    o.unum(c.next_level);
    o.boolean(c.after_reassign);
    o.close_array();
  }
  o.close_array();
  o.key("next_run_id").unum(lead.next_run_id);
  o.key("email_suppressed").boolean(lead.email_suppressed);
  o.key("fit_total").num(lead.fit_total);
  o.key("engagement_total").num(lead.engagement_total);
  o.key("score_started").boolean(lead.score_started);
  // The score the stage was last derived from: without it a reopened lead re-derives its stage.
  if (lead.staged_score) {
    o.key("staged_score").num(*lead.staged_score);
  } else {
    o.key("staged_score").null();
  }
  o.key("fit_points").open_object();
  for (const auto& [k, v] : lead.fit_points) o.key(k).num(v);
  o.close_object();
  o.key("decay_applied").open_object();
  for (const auto& [k, v] : lead.decay_applied) o.key(k).num(v);
  o.close_object();

  o.key("facts").open_object();
  o.key("events").open_object();
  for (const auto& [ev, seen] : lead.facts.events) {
    std::string_view name = name_of_event(live, ev);
    if (name.empty()) continue;
    o.key(name).open_array();
    o.unum(seen.count);
    o.num(seen.last_at);
    o.close_array();
  }
  o.close_object();
  o.key("triggers").open_object();
  for (const auto& [k, t] : lead.facts.triggers) {
    o.key(k).open_array();
    o.num(t.at);
    o.boolean(t.result);
    o.str(t.text());
    o.unum(t.failed);
    o.num(t.longest_held);
    o.num(t.longest_since);
    o.close_array();
  }
  o.close_object();
  o.key("refusals").open_object();
  for (const auto& [k, r] : lead.facts.refusals) {
    o.key(k).open_array();
    o.unum(r.count);
    o.num(r.last_at);
    o.str(r.reason);
    o.close_array();
  }
  o.close_object();
  o.key("run_ends").open_object();
  for (const auto& [k, r] : lead.facts.run_ends) {
    o.key(k).open_array();
    o.unum(r.run);
    o.num(r.at);
    o.str(r.how);
    o.close_array();
  }
  o.close_object();
  o.key("stages").open_array();
  for (const std::string& st : lead.facts.stages) o.str(st);
  o.close_array();
  o.close_object();
  o.close_object();
  return std::move(o.text);
}

engine::LeadState decode_lead(const std::string& text, const std::shared_ptr<const engine::Program>& live_ptr,
                              const ProgramResolver& resolve, DecodeReport* report) {
  const engine::Program& live = *live_ptr;
  engine::LeadState lead;
  json::value root = json::parse(text);
  const json::object& o = root.as_object();
  lead.tenant = str(o.if_contains("tenant"));
  lead.fields.assign(live.lead_fields.size(), Value());
  if (auto* f = o.if_contains("fields"); f != nullptr && f->is_object()) {
    for (const auto& [key, value] : f->get_object()) {
      engine::Slot slot = live.lead_slot(std::string_view(key.data(), key.size()));
      if (slot != engine::no_index) lead.fields[static_cast<std::size_t>(slot)] = from_json_value(value);
    }
  }
  if (auto* s = o.if_contains("score_log"); s != nullptr && s->is_array()) {
    for (const json::value& e : s->get_array()) {
      const json::array& a = e.as_array();
      // Interned: the entry refers to its texts (engine::ScoreEntry), the JSON goes away.
      lead.score_log.push_back({engine::intern(str(&a.at(0))), engine::intern(str(&a.at(1))), num(&a.at(2)),
                                num(&a.at(3)), engine::intern(str(&a.at(4)))});
    }
  }
  if (auto* rs = o.if_contains("runs"); rs != nullptr && rs->is_array()) {
    for (const json::value& rv : rs->get_array()) {
      const json::object& r = rv.as_object();
      engine::Run run;
      run.id = static_cast<std::uint64_t>(num(r.if_contains("id")));
      std::string version = str(r.if_contains("version"));
      run.workflow_name = str(r.if_contains("workflow"));
      run.node = static_cast<engine::StepIndex>(num(r.if_contains("node")));
      run.status = static_cast<engine::RunStatus>(num(r.if_contains("status")));
      run.started_at = num(r.if_contains("started_at"));
      run.wake_at = num(r.if_contains("wake_at"));
      run.generation = static_cast<std::uint64_t>(num(r.if_contains("generation")));
      run.retry_step = flag(r.if_contains("retry_step"));
      std::shared_ptr<const engine::Program> program =
          version == live.version ? live_ptr : (resolve ? resolve(version) : nullptr);
      if (!program) {
        const engine::Workflow* w = live.workflow(run.workflow_name);
        if (w == nullptr || w->graph->size() <= run.node) {
          if (report != nullptr) ++report->runs_dropped;
          continue;
        }
        if (report != nullptr) ++report->runs_repinned;
        program = live_ptr;
      }
      run.program = program;
      run.workflow = program->workflow_index(run.workflow_name);
      if (run.workflow == engine::no_index) {
        if (report != nullptr) ++report->runs_dropped;
        continue;
      }
      std::string wait_event = str(r.if_contains("wait_event"));
      run.wait_event = wait_event.empty() ? engine::no_index : program->event_index(wait_event);
      lead.runs.push_back(std::move(run));
    }
  }
  if (auto* e = o.if_contains("enrollments"); e != nullptr && e->is_object()) {
    for (const auto& [key, value] : e->get_object()) {
      std::int32_t wf = live.workflow_index(std::string_view(key.data(), key.size()));
      if (wf == engine::no_index) continue;
      const json::array& a = value.as_array();
      lead.enrollments[wf] = {static_cast<std::uint32_t>(num(&a.at(0))), num(&a.at(1))};
    }
  }
  if (auto* h = o.if_contains("held"); h != nullptr && h->is_array()) {
    for (const json::value& hv : h->get_array()) {
      const json::array& a = hv.as_array();
      engine::HeldCondition held;
      held.workflow = live.workflow_index(str(&a.at(0)));
      held.trigger = static_cast<std::int32_t>(num(&a.at(1)));
      held.since = num(&a.at(2));
      held.fired = flag(&a.at(3));
      held.generation = static_cast<std::uint64_t>(num(&a.at(4)));
      lead.held.push_back(held);  // kept even when unknown: timers address held[] by position
    }
  }
  if (auto* s = o.if_contains("slas"); s != nullptr && s->is_array()) {
    for (const json::value& sv : s->get_array()) {
      const json::array& a = sv.as_array();
      engine::SlaClock c;
      c.sla = live.sla_index(str(&a.at(0)));
      c.started_at = num(&a.at(1));
      c.owner = str(&a.at(2));
      c.next_level = static_cast<std::size_t>(num(&a.at(3)));
      c.after_reassign = flag(&a.at(4));
      lead.slas.push_back(std::move(c));
    }
  }
  lead.next_run_id = static_cast<std::uint64_t>(num(o.if_contains("next_run_id")));
  if (lead.next_run_id == 0) lead.next_run_id = 1;
  lead.email_suppressed = flag(o.if_contains("email_suppressed"));
  lead.fit_total = num(o.if_contains("fit_total"));
  lead.engagement_total = num(o.if_contains("engagement_total"));
  lead.score_started = flag(o.if_contains("score_started"));
  if (auto* s = o.if_contains("staged_score"); s != nullptr && !s->is_null()) lead.staged_score = as_i64(*s);
  if (auto* f = o.if_contains("fit_points"); f != nullptr && f->is_object()) {
    for (const auto& [k, v] : f->get_object()) lead.fit_points[std::string_view(k.data(), k.size())] = as_i64(v);
  }
  if (auto* d = o.if_contains("decay_applied"); d != nullptr && d->is_object()) {
    for (const auto& [k, v] : d->get_object()) lead.decay_applied[std::string_view(k.data(), k.size())] = as_i64(v);
  }
  if (auto* fv = o.if_contains("facts"); fv != nullptr && fv->is_object()) {
    const json::object& facts = fv->get_object();
    if (auto* ev = facts.if_contains("events"); ev != nullptr && ev->is_object()) {
      for (const auto& [k, v] : ev->get_object()) {
        std::int32_t index = live.event_index(std::string_view(k.data(), k.size()));
        if (index == engine::no_index) continue;
        const json::array& a = v.as_array();
        lead.facts.events[index] = {static_cast<std::uint32_t>(num(&a.at(0))), num(&a.at(1))};
      }
    }
    if (auto* tv = facts.if_contains("triggers"); tv != nullptr && tv->is_object()) {
      for (const auto& [k, v] : tv->get_object()) {
        const json::array& a = v.as_array();
        engine::TriggerCheck& check = lead.facts.triggers[std::string_view(k.data(), k.size())];
        check.at = num(&a.at(0));
        check.result = flag(&a.at(1));
        check.set_line(str(&a.at(2)));
        check.failed = static_cast<std::uint32_t>(num(&a.at(3)));
        check.longest_held = num(&a.at(4));
        check.longest_since = num(&a.at(5));
      }
    }
    if (auto* rv = facts.if_contains("refusals"); rv != nullptr && rv->is_object()) {
      for (const auto& [k, v] : rv->get_object()) {
        const json::array& a = v.as_array();
        lead.facts.refusals[std::string_view(k.data(), k.size())] = {static_cast<std::uint32_t>(num(&a.at(0))), num(&a.at(1)), str(&a.at(2))};
      }
    }
    if (auto* rv = facts.if_contains("run_ends"); rv != nullptr && rv->is_object()) {
      for (const auto& [k, v] : rv->get_object()) {
        const json::array& a = v.as_array();
        lead.facts.run_ends[std::string_view(k.data(), k.size())] = {static_cast<std::uint64_t>(num(&a.at(0))), num(&a.at(1)), str(&a.at(2))};
      }
    }
    if (auto* sv = facts.if_contains("stages"); sv != nullptr && sv->is_array()) {
      for (const json::value& s : sv->get_array()) lead.facts.stages.push_back(str(&s));
    }
  }
  return lead;
}

std::string encode_tenant(const engine::TenantState& t, std::uint64_t captures_seen, std::int64_t next_seq) {
  json::object o;
  json::object rr;
  for (const auto& [team, pos] : t.round_robin) rr[std::to_string(team)] = pos;
  o["round_robin"] = std::move(rr);
  auto counters = [](const std::map<std::string, std::int64_t>& m) {
    json::object out;
    for (const auto& [k, v] : m) out[k] = v;
    return out;
  };
  o["open_leads"] = counters(t.open_leads);
  o["sent_today"] = counters(t.sent_today);
  o["actions_today"] = counters(t.actions_today);
  o["captures"] = t.captures;
  o["duplicates"] = t.duplicates;
  o["captures_seen"] = captures_seen;
  o["next_seq"] = next_seq;
  // Account workflows' enrollments ("workflow|account" -> [count, last enrolled at]), so that
  // `enroll again after 30d per account` holds across a restart.
  if (!t.account_enrollments.empty()) {
    json::object accounts;
    for (const auto& [key, e] : t.account_enrollments) accounts[key] = json::array{e.count, e.last_enrolled_at};
    o["account_enrollments"] = std::move(accounts);
  }
  return json::serialize(o);
}

engine::TenantState decode_tenant(const std::string& text, std::uint64_t& captures_seen, std::int64_t& next_seq) {
  engine::TenantState t;
  json::value root = json::parse(text);
  const json::object& o = root.as_object();
  if (auto* rr = o.if_contains("round_robin"); rr != nullptr && rr->is_object()) {
    for (const auto& [k, v] : rr->get_object()) {
      t.round_robin[std::stoi(std::string(k))] = static_cast<std::size_t>(as_i64(v));
    }
  }
  auto counters = [&](const char* key, std::map<std::string, std::int64_t>& m) {
    if (auto* c = o.if_contains(key); c != nullptr && c->is_object()) {
      for (const auto& [k, v] : c->get_object()) m[std::string(k)] = as_i64(v);
    }
  };
  counters("open_leads", t.open_leads);
  counters("sent_today", t.sent_today);
  counters("actions_today", t.actions_today);
  t.captures = num(o.if_contains("captures"));
  t.duplicates = num(o.if_contains("duplicates"));
  captures_seen = static_cast<std::uint64_t>(num(o.if_contains("captures_seen")));
  next_seq = num(o.if_contains("next_seq"));
  if (auto* a = o.if_contains("account_enrollments"); a != nullptr && a->is_object()) {
    for (const auto& [k, v] : a->get_object()) {
      if (!v.is_array() || v.get_array().size() != 2) continue;
      engine::Enrollment& e = t.account_enrollments[std::string(k)];
      e.count = static_cast<std::uint32_t>(as_i64(v.get_array()[0]));
      e.last_enrolled_at = as_i64(v.get_array()[1]);
    }
  }
  return t;
}

}  // namespace leadflow::runtime::store
