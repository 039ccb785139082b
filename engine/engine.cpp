// The engine core: applies an event or a due timer to one lead, runs its workflows' steps until
// they wait or end, keeps the score and stage, and checks exit rules and triggers after every
// state change. Pure: `now` comes in, effects, timers and a trace go out.
#include "engine/engine.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <initializer_list>
#include <limits>
#include <set>
#include <span>

#include "engine/calendar.hpp"
#include "engine/capture.hpp"
#include "engine/explain.hpp"
#include "engine/expr_eval.hpp"
#include "engine/workflow_graph.hpp"

// Routing, governance and SLAs are E2's modules; the engine uses them when they are there.
#if __has_include("engine/routing.hpp")
#include "engine/routing.hpp"
#define LEADFLOW_HAS_ROUTING 1
#endif
#if __has_include("engine/governance.hpp")
#include "engine/governance.hpp"
#define LEADFLOW_HAS_GOVERNANCE 1
#endif
#if __has_include("engine/sla.hpp")
#include "engine/sla.hpp"
#define LEADFLOW_HAS_SLA 1
#endif

namespace leadflow::engine {

// Trace lines are built only when someone reads them (EngineOptions::trace): the arguments are
// not evaluated otherwise. TRACE inside Engine::Context, CTX_TRACE in the entry points.
#define TRACE(...)                    \
  do {                                \
    if (tracing()) trace(__VA_ARGS__); \
  } while (0)
#define CTX_TRACE(...)                        \
  do {                                        \
    if (ctx.tracing()) ctx.trace(__VA_ARGS__); \
  } while (0)

namespace {

constexpr int max_steps_per_call = 10000;

const char* const engagement_events[] = {
    "activity_logged",   "blog_view",          "case_study_download", "company_intent",
    "contact_form",      "demo_requested",     "email_clicked",       "email_opened",
    "form_submitted",    "free_trial_signup",  "meeting_booked",      "pricing_page_view",
    "product_page_view", "replied",            "webinar_attended",    "webinar_registered",
    "whitepaper_download",
};

bool active(const Run& r) { return r.status != RunStatus::Done; }

// A lead field that changed during a call, not yet looked at by Context::settle().
struct FieldChange {
  Slot slot;
  Value before;
  Value after;
};

// The builtin slots the Context keeps at hand, in the order of Engine::slots_.
const char* const builtin_slot_names[] = {
    "id",       "email",    "email_domain",     "score",        "stage",      "stage_changed_at",
    "owner",    "owner_team", "tags",           "timezone",     "created_at", "last_activity_at",
    "unsubscribed", "bounced", "phone",
};

std::atomic<std::uint64_t> next_engine_serial{1};

}  // namespace

// Per-Engine tables built from its Program once.
struct Engine::Tables {
  struct Fit {
    const ScoringModel* model = nullptr;
    const FitRule* rule = nullptr;
    InternedText key;         // "model:line", the key of LeadState::fit_points
    // ScoreEntry texts, interned: "fit model:line", "scoring model", the reason and
    // "REASON (no longer holds)".
    InternedText tag, source, reason, gone;
    Value reason_value, gone_value;  // the score effects' `reason`, shared rather than copied
    std::vector<std::uint32_t> watched;  // indices into `watched`: the lead slots it reads
    bool reads_now = false;
  };
  std::vector<Fit> fit;        // every fit rule of the active models, in evaluation order
  std::vector<Slot> watched;   // the distinct lead slots fit rules read
  bool any_reads_now = false;  // some fit rule reads the clock: evaluated on every rescore
  // Event points rules, by scoring model index and rule position: their ScoreEntry strings and
  // effect reason, built once instead of on every event.
  struct OnEvent {
    // ScoreEntry texts, interned: "scoring model", "on model:line", and the rule's reason, else
    // the event's name.
    InternedText source, tag, reason;
    Value reason_value;
  };
  std::vector<std::vector<OnEvent>> on_event;
  // By workflow and trigger position: its text (`when lead.score crosses 60`, also interned for
  // TriggerCheck::edge_trigger) and its key in LeadFacts::triggers, built once instead of on
  // every evaluation.
  std::vector<std::vector<std::string>> trigger_text;
  std::vector<std::vector<InternedText>> trigger_text_interned, trigger_key;
  std::vector<InternedText> field_name;  // by lead slot, for TriggerCheck::edge_field
  // The held-state (`unchanged for`) triggers, as (workflow, trigger) in declaration order:
  // settle() looks at these after every change, not at every trigger of every workflow.
  std::vector<std::pair<std::size_t, std::size_t>> held;
};

// Buffers a Context borrows for the length of one call, so that the common path does not
// allocate them again on every event (an Engine serves one call at a time).
struct Engine::Scratch {
  std::vector<FieldChange> changes, batch;
};

bool Engine::is_engagement_event(std::string_view name) {
  for (const char* e : engagement_events) {
    if (name == e) return true;
  }
  return false;
}

Engine::Engine(std::shared_ptr<const Program> program, const Directory& directory, EngineHooks hooks)
    : Engine(std::move(program), directory, std::move(hooks), EngineOptions{}) {}

Engine::Engine(std::shared_ptr<const Program> program, const Directory& directory, EngineHooks hooks,
               EngineOptions options)
    : program_(std::move(program)), directory_(directory), hooks_(std::move(hooks)), options_(options) {
  for (const char* name : builtin_slot_names) slots_.push_back(program_->lead_slot(name));
  for (const EventDef& def : program_->events) engagement_.push_back(is_engagement_event(def.name));
  serial_ = next_engine_serial.fetch_add(1);
  auto tables = std::make_shared<Tables>();
  for (std::int32_t m : program_->active_scorings) {
    const ScoringModel& model = program_->scorings[static_cast<std::size_t>(m)];
    for (const FitRule& rule : model.fit) {
      Tables::Fit f;
      f.model = &model;
      f.rule = &rule;
      f.key = intern(model.name + ":" + std::to_string(rule.line));
      f.tag = intern("fit " + std::string(f.key.view()));
      f.source = intern("scoring " + model.name);
      f.reason = intern(rule.reason);
      f.gone = intern(rule.reason + " (no longer holds)");
      f.reason_value = Value::string(rule.reason);
      f.gone_value = Value::string(f.gone);
      f.reads_now = rule.condition.reads_now;
      for (std::int32_t slot : rule.condition.lead_reads) {
        auto it = std::find(tables->watched.begin(), tables->watched.end(), slot);
        if (it == tables->watched.end()) it = tables->watched.insert(tables->watched.end(), slot);
        f.watched.push_back(static_cast<std::uint32_t>(it - tables->watched.begin()));
      }
      tables->any_reads_now = tables->any_reads_now || f.reads_now;
      tables->fit.push_back(std::move(f));
    }
  }
  tables->on_event.resize(program_->scorings.size());
  for (std::int32_t m : program_->active_scorings) {
    const ScoringModel& model = program_->scorings[static_cast<std::size_t>(m)];
    for (const EventPointsRule& rule : model.on_event) {
      Tables::OnEvent e;
      e.source = intern("scoring " + model.name);
      e.tag = intern("on " + model.name + ":" + std::to_string(rule.line));
      e.reason = intern(!rule.reason.empty() || rule.event < 0 ||
                                static_cast<std::size_t>(rule.event) >= program_->events.size()
                            ? rule.reason
                            : program_->events[static_cast<std::size_t>(rule.event)].name);
      e.reason_value = Value::string(e.reason);
      tables->on_event[static_cast<std::size_t>(m)].push_back(std::move(e));
    }
  }
  for (std::size_t wi = 0; wi < program_->workflows.size(); ++wi) {
    const Workflow& w = program_->workflows[wi];
    std::vector<std::string>& texts = tables->trigger_text.emplace_back();
    std::vector<InternedText>& interned = tables->trigger_text_interned.emplace_back();
    std::vector<InternedText>& keys = tables->trigger_key.emplace_back();
    for (std::size_t ti = 0; ti < w.triggers.size(); ++ti) {
      texts.push_back(trigger_text(w.triggers[ti]));
      interned.push_back(intern(texts.back()));
      keys.push_back(intern(trigger_key(w.name, ti)));
      if (w.triggers[ti].kind == TriggerKind::Unchanged) tables->held.emplace_back(wi, ti);
    }
  }
  for (const auto& field : program_->lead_fields) tables->field_name.push_back(intern(field.name));
  tables_ = std::move(tables);
  scratch_ = std::make_shared<Scratch>();
#ifdef LEADFLOW_HAS_ROUTING
  if (!hooks_.route) hooks_.route = route_lead;
#endif
#ifdef LEADFLOW_HAS_GOVERNANCE
  if (!hooks_.govern) hooks_.govern = govern_send;
#endif
}

// ---------------------------------------------------------------- per-call context

struct Engine::Context {
  Engine& engine;
  const Program& prog;  // the current Program (scoring, stages, triggers, new runs)
  LeadState& lead;
  TenantState& tenant;
  StepResult& out;
  TimePoint now = 0;
  const Event* event = nullptr;

  using Change = FieldChange;
  std::vector<Change> changes;                         // not yet looked at by settle()
  std::vector<Change> batch;                           // the changes settle() is looking at
  std::vector<std::pair<std::int32_t, std::string>> queued;  // workflow, why (edge/held triggers)
  int steps = 0;
  bool settling = false;

  Slot slot_id, slot_email, slot_email_domain, slot_score, slot_stage, slot_stage_changed, slot_owner, slot_owner_team,
      slot_tags, slot_timezone, slot_created, slot_last_activity, slot_unsub, slot_bounced, slot_phone;

  Context(Engine& e, LeadState& l, TenantState& t, StepResult& o, TimePoint n)
      : engine(e), prog(*e.program_), lead(l), tenant(t), out(o), now(n) {
    const std::vector<Slot>& s = e.slots_;
    slot_id = s[0];
    slot_email = s[1];
    slot_email_domain = s[2];
    slot_score = s[3];
    slot_stage = s[4];
    slot_stage_changed = s[5];
    slot_owner = s[6];
    slot_owner_team = s[7];
    slot_tags = s[8];
    slot_timezone = s[9];
    slot_created = s[10];
    slot_last_activity = s[11];
    slot_unsub = s[12];
    slot_bounced = s[13];
    slot_phone = s[14];
    changes.swap(e.scratch_->changes);
    batch.swap(e.scratch_->batch);
    if (lead.fields.size() < prog.lead_fields.size()) lead.fields.resize(prog.lead_fields.size());
    // Runs that ended in an earlier call are history now.
    lead.runs.erase(std::remove_if(lead.runs.begin(), lead.runs.end(), [](const Run& r) { return !active(r); }),
                    lead.runs.end());
  }

  ~Context() {
    changes.clear();
    batch.clear();
    engine.scratch_->changes.swap(changes);
    engine.scratch_->batch.swap(batch);
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // ------------------------------------------------------------ small helpers

  std::span<const Value> event_data() const {
    return event ? std::span<const Value>(event->data) : std::span<const Value>();
  }

  Value field(Slot s) const {
    if (s < 0 || static_cast<std::size_t>(s) >= lead.fields.size()) return Value();
    return lead.fields[static_cast<std::size_t>(s)];
  }

  const Value& field_ref(Slot s) const {
    static const Value null_value;
    if (s < 0 || static_cast<std::size_t>(s) >= lead.fields.size()) return null_value;
    return lead.fields[static_cast<std::size_t>(s)];
  }

  std::string lead_id() const {
    const Value& id = field_ref(slot_id);
    return id.kind() == ValueKind::String ? std::string(id.as_string()) : to_display(id);
  }

  std::int64_t score() const {
    const Value& v = field_ref(slot_score);
    return v.kind() == ValueKind::Int ? v.as_int() : 0;
  }

  // An effect field as the steps below write it: `{"delta", Value::integer(3)}`. Cheaper to pass
  // than the Effect's own pairs (no key string to copy out of an initializer list).
  struct Field {
    const char* key;
    Value value;
  };

  void effect(const std::string& workflow, std::string_view action, std::initializer_list<Field> fields) {
    Effect& e = out.effects.emplace_back();
    e.at = now;
    const Value& id = field_ref(slot_id);
    if (id.kind() == ValueKind::String) e.lead = id.as_string();
    else e.lead = to_display(id);
    e.workflow = workflow;
    e.action = action;
    e.fields.reserve(fields.size());
    for (const Field& f : fields) e.fields.emplace_back(f.key, f.value);
  }

  bool tracing() const { return engine.options_.trace; }

  void trace(const std::string& workflow, std::string text) {
    out.trace.push_back(TraceLine{now, lead_id(), workflow, std::move(text)});
  }

  void timer(TimerKind kind, TimePoint due, std::uint64_t run_id, std::int32_t index, std::uint64_t generation) {
    TimerRequest t;
    t.due = due;
    t.lead = lead_id();
    t.kind = kind;
    t.run_id = run_id;
    t.index = index;
    t.generation = generation;
    out.timers.push_back(std::move(t));
  }

  // `lead.employees > 50 → true (employees = 120)`; missing fields are named as missing.
  std::string describe(const Program& p, const ExprCode& code, bool result, std::int32_t event_type,
                       std::string_view text = {}) const {
    std::span<const Value> ev = event && event_type >= 0 ? event_data() : std::span<const Value>();
    return describe_condition(p, code, result, lead.fields, event && event_type >= 0 ? event_type : no_index, ev, text);
  }

  // Evaluates and traces `CONDITION → true|false (values)`; `text` stands for the condition when given.
  bool condition(const Program& p, const ExprCode& code, const std::string& workflow, bool with_event,
                 bool traced = true, std::string_view text = {}) {
    std::span<const Value> ev = with_event ? event_data() : std::span<const Value>();
    bool r = evaluate_condition(code, lead.fields, ev, now);
    if (traced) TRACE(workflow, describe(p, code, r, with_event && event ? event->type : no_index, text));
    return r;
  }

  // ------------------------------------------------------------ state changes

  void set_field(Slot s, Value v) {
    if (s < 0) return;
    if (static_cast<std::size_t>(s) >= lead.fields.size()) lead.fields.resize(static_cast<std::size_t>(s) + 1);
    Value& cur = lead.fields[static_cast<std::size_t>(s)];
    if (cur == v && cur.kind() == v.kind()) return;
    changes.push_back({s, cur, v});
    cur = std::move(v);
    // The company domain follows the email (004 "Capture": extract the domain), so rules can
    // read `lead.email_domain` whichever way the email arrived.
    if (s == slot_email) set_field(slot_email_domain, email_domain_of(lead.fields[static_cast<std::size_t>(s)]));
  }

  static Value email_domain_of(const Value& email) {
    if (email.kind() != ValueKind::String) return Value();
    std::string domain = email_domain(email.as_string());
    return domain.empty() ? Value() : Value::string(std::move(domain));
  }

  // Adds a rule's points. Fit rules (who the lead is) add up unclamped, so a -10 for a
  // free-mail address taken at 0 still counts when a +25 comes later (15, as the playbook adds it
  // up). Everything else (event points, decay, workflow steps) saturates, so the visible score
  // never runs ahead of 0..100 and decay below 0 or points past 100 are not banked. The line's
  // delta is the change of the visible score; returns the points the rule now contributes.
  std::int64_t add_score(std::int64_t delta, std::string_view source, std::string_view reason,
                         const std::string& workflow, std::string_view rule = {}) {
    return add_score(delta, rule.starts_with("fit "), intern(source), intern(reason), Value::string(reason), workflow,
                     intern(rule));
  }
  // `fit`: a fit rule's points; `reason_value` is `reason` as the effect's field.
  std::int64_t add_score(std::int64_t delta, bool fit, InternedText source, InternedText reason,
                         const Value& reason_value, const std::string& workflow, InternedText rule) {
    if (!lead.score_started) {
      lead.engagement_total = score();
      lead.score_started = true;
    }
    const std::int64_t before = score();
    if (fit) {
      lead.fit_total += delta;
    } else {
      lead.engagement_total =
          std::clamp<std::int64_t>(lead.engagement_total + delta, -lead.fit_total, 100 - lead.fit_total);
    }
    const std::int64_t after = std::clamp<std::int64_t>(lead.fit_total + lead.engagement_total, 0, 100);
    const std::int64_t applied = after - before;
    if (applied != delta) {
      TRACE(workflow, "score " + std::string(delta >= 0 ? "+" : "") + std::to_string(delta) + " shows as " +
                          (applied >= 0 ? "+" : "") + std::to_string(applied) + " (score " + std::to_string(after) +
                          ", fit total " + std::to_string(lead.fit_total) + ")");
    }
    set_field(slot_score, Value::integer(after));
    lead.score_log.push_back(ScoreEntry{source, reason, applied, now, rule});
    effect(workflow, "score",
           {{"delta", Value::integer(applied)}, {"score", Value::integer(after)}, {"reason", reason_value}});
    return delta;
  }

  void change_stage(const std::string& to, const std::string& workflow, const std::string& why) {
    Value from = field(slot_stage);
    if (from.kind() == ValueKind::String && from.as_string() == to) return;
    set_field(slot_stage, Value::string(to));
    set_field(slot_stage_changed, Value::time(now));
    effect(workflow, "stage", {{"from", from}, {"to", Value::string(to)}});
    std::vector<std::string>& seen = lead.facts.stages;
    if (std::find(seen.begin(), seen.end(), to) == seen.end()) seen.push_back(to);
    if (!why.empty()) TRACE(workflow, "stage " + to_trace(from) + " → " + to_trace(Value::string(to)) + ": " + why);
  }

  // Fit rules contribute their points while their condition holds; then the score maps to the
  // active by-score stage set (only while the stage is one of its bands, or unset).
  void rescore() {
    const Tables& tables = *engine.tables_;
    LeadState::FitCache& cache = lead.fit_cache;
    const std::size_t rules = tables.fit.size(), watched = tables.watched.size();
    bool fresh = cache.engine != engine.serial_ || cache.checked_at.size() != rules || cache.seen.size() != watched ||
                 cache.epoch == std::numeric_limits<std::uint32_t>::max();
    if (fresh) {
      // Made by another Engine, or never: what each rule contributes comes from fit_points.
      cache.engine = engine.serial_;
      cache.epoch = 0;
      cache.seen.assign(watched, Value());
      for (std::size_t w = 0; w < watched; ++w) cache.seen[w] = field(tables.watched[w]);
      cache.changed_at.assign(watched, 0);
      cache.checked_at.assign(rules, 0);
      cache.points.assign(rules, 0);
      cache.holds.assign(rules, 0);
      for (std::size_t r = 0; r < rules; ++r) {
        auto it = lead.fit_points.find(tables.fit[r].key);
        if (it != lead.fit_points.end()) {
          cache.holds[r] = 1;
          cache.points[r] = it->second;
        }
      }
    }
    // After a pass every rule has been looked at since the last change of what it reads, so
    // while no watched field differs from what the last pass saw there is nothing to do.
    if (!fresh && !tables.any_reads_now) {
      bool changed = false;
      for (std::size_t w = 0; w < watched && !changed; ++w) {
        const Value& cur = field_ref(tables.watched[w]);
        const Value& seen = cache.seen[w];
        changed = !cur.identical(seen) && !(cur.kind() == seen.kind() && cur == seen);
      }
      if (!changed) {
        restage();
        return;
      }
    }
    for (std::size_t r = 0; r < rules; ++r) {
      const Tables::Fit& f = tables.fit[r];
      // A rule is looked at again only when a field it reads changed since (or it reads `now`):
      // the same inputs give the same result, and an unchanged result does nothing.
      bool dirty = fresh || f.reads_now;
      for (std::uint32_t w : f.watched) {
        const Value& cur = field_ref(tables.watched[w]);
        Value& seen = cache.seen[w];
        if (!cur.identical(seen) && !(cur.kind() == seen.kind() && cur == seen)) {
          seen = cur;
          cache.changed_at[w] = ++cache.epoch;
        }
        if (cache.changed_at[w] > cache.checked_at[r]) dirty = true;
      }
      if (!dirty) continue;
      cache.checked_at[r] = cache.epoch;
      const FitRule& rule = *f.rule;
      bool holds = evaluate_condition(rule.condition, lead.fields, {}, now);
      bool contributing = cache.holds[r] != 0;
      if (holds && !contributing) {
        TRACE("", "scoring " + f.model->name + ": " + describe(prog, rule.condition, true, no_index));
        std::int64_t points = add_score(rule.points, true, f.source, f.reason, f.reason_value, "", f.tag);
        lead.fit_points.at_interned(f.key) = points;
        cache.holds[r] = 1;
        cache.points[r] = points;
      } else if (!holds && contributing) {
        TRACE("", "scoring " + f.model->name + ": " + describe(prog, rule.condition, false, no_index));
        std::int64_t current = cache.points[r];
        lead.fit_points.erase(f.key);
        cache.holds[r] = 0;
        cache.points[r] = 0;
        if (current != 0) {
          add_score(-current, true, f.source, f.gone, f.gone_value, "", f.tag);
        }
      }
    }
    restage();
  }

  void restage() {
    if (prog.active_stages < 0) return;
    const StageSet& set = prog.stage_sets[static_cast<std::size_t>(prog.active_stages)];
    if (!set.by_score) return;
    const Value& cur = field_ref(slot_stage);
    if (!cur.is_null()) {
      bool in_set = false;
      for (const StageBand& b : set.bands) in_set = in_set || (cur.kind() == ValueKind::String && cur.as_string() == b.name);
      if (!in_set) return;  // a workflow put the lead in another stage: the score no longer drives it
      // The score drives the stage when it changes; until then a band a workflow chose (say
      // "recycle to nurture") stands.
      if (lead.staged_score && *lead.staged_score == score()) return;
    }
    std::int64_t s = score();
    lead.staged_score = s;
    for (const StageBand& b : set.bands) {
      if (s >= b.low && s <= b.high) {
        change_stage(b.name, "", "score " + std::to_string(s) + " in " + b.name + " " + std::to_string(b.low) +
                                     ".." + std::to_string(b.high));
        return;
      }
    }
  }

  // ------------------------------------------------------------ after every state change

  void settle() {
    if (settling) return;
    settling = true;
    int guard = 0;
    while (!changes.empty() && guard++ < 100) {
      rescore();  // fit rules follow every field change
      batch.clear();
      batch.swap(changes);
      coalesce_changes(batch);
      if (!lead.email_suppressed && (field_ref(slot_unsub).truthy() || field_ref(slot_bounced).truthy())) {
        lead.email_suppressed = true;
        TRACE("", std::string("email suppressed: ") + (field(slot_unsub).truthy() ? "unsubscribed" : "bounced"));
      }
      check_exit_conditions();
      for (const Change& c : batch) edge_triggers(c);
      held_triggers();
    }
    settling = false;
  }

  // One settle round is one change of the lead as the outside sees it: a field that moved several
  // times in it (fit rules adding up one by one: 15, 35, then 25 after a free-mail -10) counts
  // once, from its first value to its last, so `crosses` and `becomes` never fire on a value the
  // lead only passed through.
  static void coalesce_changes(std::vector<Change>& round) {
    for (std::size_t i = 0; i < round.size(); ++i) {
      for (std::size_t j = i + 1; j < round.size();) {
        if (round[j].slot != round[i].slot) {
          ++j;
          continue;
        }
        round[i].after = std::move(round[j].after);
        round.erase(round.begin() + static_cast<std::ptrdiff_t>(j));
      }
    }
    round.erase(std::remove_if(round.begin(), round.end(),
                               [](const Change& c) { return c.before == c.after && c.before.kind() == c.after.kind(); }),
                round.end());
  }

  // A CRM export writes stages as people do ("Opportunity", "Closed Lost"): a loaded stage that
  // is not a declared name but is one once lower-cased with spaces and hyphens as underscores
  // takes the declared name, so `lead.stage == "opportunity"` holds for it.
  void normalise_loaded_stage() {
    const Value cur = field(slot_stage);
    if (cur.kind() != ValueKind::String) return;
    const std::string_view written = cur.as_string();
    std::string key;
    for (char ch : written) {
      key += ch == ' ' || ch == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (key == written) return;
    bool declared = false, normal_declared = false;
    for (const StageSet& set : prog.stage_sets) {
      for (const StageBand& b : set.bands) {
        declared = declared || b.name == written;
        normal_declared = normal_declared || b.name == key;
      }
    }
    if (!declared && normal_declared) set_field(slot_stage, Value::string(std::move(key)));
  }

  // A lead's score starts at 0 without a change: arriving is not crossing a threshold from
  // "no score", but the fit points it arrives with do cross from 0.
  void start_score() {
    if (!field(slot_score).is_null() || slot_score < 0) return;
    const auto slot = static_cast<std::size_t>(slot_score);
    if (slot >= lead.fields.size()) lead.fields.resize(slot + 1);
    lead.fields[slot] = Value::integer(0);
  }

  void ended(const Run& r, const std::string& how) {
    lead.facts.run_ends[r.workflow_name] = RunEnd{r.id, now, how};
  }

  void end_run(Run& r, const std::string& reason) {
    r.status = RunStatus::Done;
    r.generation++;
    ended(r, reason);
    effect(r.workflow_name, "exit", {{"reason", Value::string(reason)}});
  }

  void check_exit_conditions() {
    for (std::size_t i = 0; i < lead.runs.size(); ++i) {
      Run& r = lead.runs[i];
      if (!active(r)) continue;
      const Workflow& w = r.program->workflows[static_cast<std::size_t>(r.workflow)];
      for (const ExprCode& c : w.exits.conditions) {
        if (evaluate_condition(c, lead.fields, {}, now)) {
          TRACE(w.name, "exit when " + describe(*r.program, c, true, no_index));
          end_run(lead.runs[i], "exit when " + c.source);
          break;
        }
      }
    }
  }

  void check_exit_events(std::int32_t type) {
    for (std::size_t i = 0; i < lead.runs.size(); ++i) {
      Run& r = lead.runs[i];
      if (!active(r)) continue;
      const Workflow& w = r.program->workflows[static_cast<std::size_t>(r.workflow)];
      if (std::binary_search(w.exits.events.begin(), w.exits.events.end(), type)) {
        std::string name = r.program->events[static_cast<std::size_t>(type)].name;
        TRACE(w.name, "exit when event " + name + " → true (" + name + " arrived)");
        end_run(r, "exit when event " + name);
      }
    }
  }

  void edge_triggers(const Change& c) {
    if (c.slot < 0 || static_cast<std::size_t>(c.slot) >= prog.workflows_by_field.size()) return;
    for (std::int32_t wi : prog.workflows_by_field[static_cast<std::size_t>(c.slot)]) {
      const Workflow& w = prog.workflows[static_cast<std::size_t>(wi)];
      for (std::size_t ti = 0; ti < w.triggers.size(); ++ti) {
        const TriggerDef& t = w.triggers[ti];
        if (t.field != c.slot) continue;
        if (t.kind != TriggerKind::Becomes && t.kind != TriggerKind::Crosses) continue;
        Value target = evaluate(t.value, lead.fields, {}, now);
        bool fires = false;
        if (t.kind == TriggerKind::Becomes) {
          fires = c.after == target && !(c.before == target);
        } else {
          // `crosses 30` means reaching 30 or more from below (the playbooks' "score 30+");
          // `crosses below 30` means dropping under 30 from 30 or more. A field without a
          // previous value has no transition.
          bool was_beyond = t.below ? (c.before < target) : (c.before >= target);
          bool is_beyond = t.below ? (c.after < target) : (c.after >= target);
          fires = !c.before.is_null() && is_beyond && !was_beyond;
        }
        const Engine::Tables& tables = *engine.tables_;
        const auto wt = static_cast<std::size_t>(wi);
        TriggerCheck& check = lead.facts.triggers.at_interned(tables.trigger_key[wt][ti]);
        check.at = now;
        check.result = fires;
        if (!fires) check.failed++;
        check.edge_trigger = tables.trigger_text_interned[wt][ti];
        check.edge_field = tables.field_name[static_cast<std::size_t>(c.slot)];
        check.edge_before = c.before;
        check.edge_after = c.after;
        check.line = nullptr;  // read from the store: now stale
        if (fires) {
          TRACE(w.name, check.text());
          queued.emplace_back(wi, tables.trigger_text[wt][ti]);
        }
      }
    }
  }

  HeldCondition& held_for(std::int32_t wi, std::int32_t ti) {
    for (HeldCondition& h : lead.held) {
      if (h.workflow == wi && h.trigger == ti) return h;
    }
    HeldCondition h;
    h.workflow = wi;
    h.trigger = ti;
    lead.held.push_back(h);
    return lead.held.back();
  }

  void held_triggers() {
    for (const auto& [wi, ti] : engine.tables_->held) {
      const Workflow& w = prog.workflows[wi];
      {
        const TriggerDef& t = w.triggers[ti];
        bool holds = evaluate_condition(t.condition, lead.fields, {}, now);
        HeldCondition& h = held_for(static_cast<std::int32_t>(wi), static_cast<std::int32_t>(ti));
        std::int32_t index = static_cast<std::int32_t>(&h - lead.held.data());
        if (holds && h.since == 0) {
          h.since = now == 0 ? 1 : now;
          h.fired = false;
          h.generation++;
          TRACE(w.name, trigger_text(t) + ": " + describe(prog, t.condition, true, no_index) +
                            ", held since " + format_time(now) + ", fires at " + format_time(now + t.held_seconds));
          timer(TimerKind::HeldTrigger, now + t.held_seconds, 0, index, h.generation);
        } else if (!holds && h.since != 0) {
          if (!h.fired) {
            TriggerCheck& check = lead.facts.triggers.at_interned(engine.tables_->trigger_key[wi][ti]);
            check.at = now;
            check.result = false;
            check.failed++;
            if (now - h.since > check.longest_held) {
              check.longest_held = now - h.since;
              check.longest_since = h.since;
            }
          }
          h.since = 0;
          h.fired = false;
          h.generation++;
          TRACE(w.name, trigger_text(t) + ": " + describe(prog, t.condition, false, no_index) + ", re-armed");
        }
      }
    }
  }

  // ------------------------------------------------------------ enrollment and runs

  bool has_active_run(const std::string& workflow) const {
    for (const Run& r : lead.runs) {
      if (active(r) && r.workflow_name == workflow) return true;
    }
    return false;
  }

  // Starts a run of `wi` if its policy allows; returns the run's id (0 when refused).
  std::uint64_t enroll(std::int32_t wi, const std::string& why, const std::string& from_workflow) {
    if (wi < 0 || static_cast<std::size_t>(wi) >= prog.workflows.size()) return 0;
    const Workflow& w = prog.workflows[static_cast<std::size_t>(wi)];
    Enrollment& e = lead.enrollments[wi];
    std::string refused;
    switch (w.policy.kind) {
      case EnrollPolicyKind::Once:
        if (e.count > 0) refused = "enroll once: already enrolled at " + format_time(e.last_enrolled_at);
        break;
      case EnrollPolicyKind::Always:
        if (has_active_run(w.name)) refused = "enroll always: a run is still active";
        break;
      case EnrollPolicyKind::AgainAfter:
        if (has_active_run(w.name)) {
          refused = "enroll again after " + format_duration(w.policy.cooldown_seconds) + ": a run is still active";
        } else if (e.count > 0 && now - e.last_enrolled_at < w.policy.cooldown_seconds) {
          refused = "enroll again after " + format_duration(w.policy.cooldown_seconds) + ": last enrolled at " +
                    format_time(e.last_enrolled_at);
        }
        break;
    }
    if (!refused.empty()) {
      EnrollRefusal& r = lead.facts.refusals[w.name];
      r.count++;
      r.last_at = now;
      r.reason = refused;
      TRACE(from_workflow.empty() ? w.name : from_workflow, why + ": not enrolled in " + w.name + " (" + refused + ")");
      return 0;
    }
    e.count++;
    e.last_enrolled_at = now;
    Run r;
    r.id = lead.next_run_id++;
    r.program = engine.program_;
    r.workflow = wi;
    r.workflow_name = w.name;
    r.node = w.graph->start();
    r.status = RunStatus::Running;
    r.started_at = now;
    lead.runs.push_back(std::move(r));
    TRACE(w.name, why + ": enrolled in " + w.name + " (run " + std::to_string(lead.runs.back().id) + ")");
    return lead.runs.back().id;
  }

  Run* run_by_id(std::uint64_t id) {
    for (Run& r : lead.runs) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }

  void drain_queue() {
    while (!queued.empty()) {
      auto [wi, why] = queued.front();
      queued.erase(queued.begin());
      std::uint64_t id = enroll(wi, why, "");
      if (id) run(id);
    }
  }

  // Moves a run along `label` from its current node and runs on.
  void advance(std::uint64_t id, EdgeLabel label) {
    Run* r = run_by_id(id);
    if (!r || !active(*r)) return;
    const WorkflowGraph& g = *r->program->workflows[static_cast<std::size_t>(r->workflow)].graph;
    StepIndex next = g.successor(r->node, label);
    if (next == no_step && label != EdgeLabel::Next) next = g.successor(r->node, EdgeLabel::Next);
    if (next == no_step) next = g.end();
    r->node = next;
    r->status = RunStatus::Running;
    run(id);
  }

  // Executes steps from the run's current node until it waits, ends or exits.
  void run(std::uint64_t id) {
    while (true) {
      Run* r = run_by_id(id);
      if (!r || r->status != RunStatus::Running) return;
      if (++steps > max_steps_per_call) {
        TRACE(r->workflow_name, "step limit reached: run " + std::to_string(id) + " stopped");
        r->status = RunStatus::Done;
        ended(*r, "step limit reached");
        return;
      }
      // Not a counted copy: the Run keeps its Program alive for the whole call (runs are only
      // dropped when the next call starts), even when steps push runs and move this one.
      const Program* pin = r->program.get();
      const Workflow& w = pin->workflows[static_cast<std::size_t>(r->workflow)];
      const WorkflowGraph& g = *w.graph;
      StepIndex node = r->node;
      const Step& s = g.step(node);
      EdgeLabel label = EdgeLabel::Next;
      bool stop_here = false;
      switch (s.kind) {
        case StepKind::Start: break;
        case StepKind::End:
          r->status = RunStatus::Done;
          ended(*r, "done");
          TRACE(w.name, "run " + std::to_string(id) + " done");
          return;
        case StepKind::Stop:
          r->status = RunStatus::Done;
          ended(*r, "stop at " + s.id);
          TRACE(w.name, s.id + ": stop");
          return;
        case StepKind::If:
        case StepKind::ElseIf: {
          const auto& b = std::get<BranchStep>(s.payload);
          bool v = condition(*pin, b.condition, w.name, false, false);
          TRACE(w.name, (s.kind == StepKind::If ? "if " : "else if ") + describe(*pin, b.condition, v, no_index));
          label = v ? EdgeLabel::Then : EdgeLabel::Else;
          break;
        }
        case StepKind::Wait:
          stop_here = wait(id, *pin, w, s);
          if (stop_here) return;
          break;
        case StepKind::Send: {
          TimePoint until = send(*pin, w, std::get<SendStep>(s.payload));
          if (until > now) {
            r = run_by_id(id);
            r->status = RunStatus::WaitingTimer;
            r->retry_step = true;
            r->wake_at = until;
            r->generation++;
            TRACE(w.name, s.label + ": held until " + format_time(until));
            timer(TimerKind::RunWake, until, id, no_index, r->generation);
            return;
          }
          break;
        }
        default:
          action(*pin, w, s);
          break;
      }
      settle();
      r = run_by_id(id);
      if (!r || r->status != RunStatus::Running) return;  // exited by a rule the step set off
      StepIndex next = g.successor(node, label);
      if (next == no_step) next = g.end();
      r->node = next;
    }
  }

  // Returns true when the run now waits; false when it continues at once.
  bool wait(std::uint64_t id, const Program& p, const Workflow& w, const Step& s) {
    const auto& ws = std::get<WaitStep>(s.payload);
    Value amount = evaluate(ws.amount, lead.fields, {}, now);
    TimePoint due = now;
    switch (ws.mode) {
      case WaitMode::Duration:
      case WaitMode::ForEvent:
        if (amount.kind() != ValueKind::Duration) {
          TRACE(w.name, s.label + ": " + ws.amount.source + " is " + to_trace(amount) + ", not a duration; continue");
          return false;
        }
        due = now + amount.as_duration();
        break;
      case WaitMode::Until:
        if (amount.kind() != ValueKind::Time) {
          TRACE(w.name, s.label + ": " + describe(p, ws.amount, false, no_index) + " is not a time; continue at once");
          return false;
        }
        due = amount.as_time();
        if (due <= now) {
          TRACE(w.name, s.label + ": " + format_time(due) + " has passed; continue at once");
          return false;
        }
        break;
      case WaitMode::BusinessDays:
      case WaitMode::BusinessHours: {
        std::int64_t n = amount.kind() == ValueKind::Int ? amount.as_int() : 0;
        BusinessCalendar cal = calendar_for(p, ws.calendar);
        due = ws.mode == WaitMode::BusinessDays ? add_business_days(cal, now, n) : add_business_hours(cal, now, n);
        break;
      }
    }
    if (due <= now && ws.mode != WaitMode::ForEvent) return false;
    Run* r = run_by_id(id);
    r->generation++;
    r->wake_at = due;
    if (ws.mode == WaitMode::ForEvent) {
      r->status = RunStatus::WaitingEvent;
      r->wait_event = ws.event;
      TRACE(w.name, s.label + ": waiting until " + format_time(due));
    } else {
      r->status = RunStatus::WaitingTimer;
      r->wait_event = no_index;
      TRACE(w.name, s.label + ": wakes at " + format_time(due));
    }
    timer(TimerKind::RunWake, due, id, no_index, r->generation);
    return true;
  }

  BusinessCalendar calendar_for(const Program& p, std::int32_t index) {
    BusinessCalendar cal;
    const Calendar* c = nullptr;
    if (index >= 0 && static_cast<std::size_t>(index) < p.calendars.size()) {
      c = &p.calendars[static_cast<std::size_t>(index)];
    } else if (std::int32_t d = p.calendar_index("default"); d >= 0) {
      c = &p.calendars[static_cast<std::size_t>(d)];
    }
    std::string tz;
    if (c) {
      tz = c->timezone;
      cal.first_workday = c->first_workday;
      cal.last_workday = c->last_workday;
      if (c->hours) cal.hours = *c->hours;
      cal.holidays = c->holidays;
    }
    if (!c || c->holidays.empty()) cal.holidays = engine.directory_.holidays;
    std::sort(cal.holidays.begin(), cal.holidays.end());
    if (tz.empty()) {
      Value lt = field(slot_timezone);
      if (lt.kind() == ValueKind::String && known_timezone(std::string(lt.as_string()))) tz = std::string(lt.as_string());
    }
    if (tz.empty()) tz = engine.directory_.tenant_timezone;
    if (!known_timezone(tz)) tz = "UTC";
    cal.timezone = tz;
    return cal;
  }

  std::string text_of(const ExprCode& code) {
    return to_display(evaluate(code, lead.fields, event_data(), now));
  }

  // Steps that act: effects and field changes.
  void action(const Program& p, const Workflow& w, const Step& s) {
    switch (s.kind) {
      case StepKind::Score: {
        const auto& st = std::get<ScoreStep>(s.payload);
        add_score(st.points, "workflow " + w.name, st.reason, w.name);
        restage();
        break;
      }
      case StepKind::Stage: {
        const auto& st = std::get<StageStep>(s.payload);
        change_stage(st.stage, w.name, st.reason);
        break;
      }
      case StepKind::Set: {
        const auto& st = std::get<SetStep>(s.payload);
        Value v = evaluate(st.value, lead.fields, event_data(), now);
        set_field(st.slot, v);
        effect(w.name, "set", {{"field", Value::string(st.field)}, {"value", v}});
        if (st.slot == slot_score) rescore();
        break;
      }
      case StepKind::Tag: {
        const auto& st = std::get<TagStep>(s.payload);
        Value cur = field(slot_tags);
        std::vector<Value> tags;
        if (cur.kind() == ValueKind::List) tags.assign(cur.as_list().begin(), cur.as_list().end());
        Value tag = Value::string(st.tag);
        if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
        Value list = Value::list(std::move(tags));
        set_field(slot_tags, list);
        effect(w.name, "set", {{"field", Value::string("tags")}, {"value", list}});
        break;
      }
      case StepKind::Assign: assign(p, w, std::get<AssignStep>(s.payload)); break;
      case StepKind::Task: {
        const auto& st = std::get<TaskStep>(s.payload);
        Value due;
        if (st.due) {
          Value d = evaluate(*st.due, lead.fields, event_data(), now);
          if (d.kind() == ValueKind::Duration) due = Value::time(now + d.as_duration());
          else if (d.kind() == ValueKind::Time) due = d;
        }
        // The task goes to the owner named by the step, else to the lead's owner.
        Value owner = st.owner ? evaluate(*st.owner, lead.fields, event_data(), now) : field(slot_owner);
        effect(w.name, "task",
               {{"title", Value::string(text_of(st.title))},
                {"due", due},
                {"owner", owner},
                {"priority", Value::string(st.priority.empty() ? "normal" : st.priority)}});
        break;
      }
      case StepKind::Send: break;  // run(): it may hold the run
      case StepKind::Notify: {
        const auto& st = std::get<NotifyStep>(s.payload);
        std::string channel, to;
        switch (st.target) {
          case NotifyTarget::Channel:
            channel = st.channel;
            to = st.destination;
            break;
          case NotifyTarget::Owner:
            channel = "owner";
            to = to_display(field(slot_owner));
            break;
          case NotifyTarget::Manager:
            channel = "manager";
            to = manager_of(p, to_display(field(slot_owner)), to_display(field(slot_owner_team)));
            break;
        }
        effect(w.name, "notify",
               {{"channel", Value::string(channel)}, {"to", Value::string(to)}, {"message", Value::string(text_of(st.message))}});
        break;
      }
      case StepKind::Webhook: {
        const auto& st = std::get<WebhookStep>(s.payload);
        effect(w.name, "webhook", {{"channel", Value::string("webhook")}, {"to", Value::string(st.url)}});
        break;
      }
      case StepKind::Validate:
        effect(w.name, "validate", {{"field", Value::string("email")}, {"value", field(slot_email)}});
        break;
      case StepKind::Enrich: effect(w.name, "enrich", {{"to", field(slot_email)}}); break;
      case StepKind::Enroll: {
        const auto& st = std::get<EnrollStep>(s.payload);
        std::int32_t target = prog.workflow_index(st.name);
        std::uint64_t id = enroll(target, "enroll " + st.name, w.name);
        if (id) {
          effect(w.name, "enroll", {{"target", Value::string(st.name)}});
          queued_runs.push_back(id);
        }
        break;
      }
      default: break;
    }
  }
  std::vector<std::uint64_t> queued_runs;  // enrolled by a step: run after the current run waits

  std::string manager_of(const Program& p, const std::string& owner, const std::string& team) {
    auto it = engine.directory_.owners.find(owner);
    if (it != engine.directory_.owners.end() && !it->second.manager.empty()) return it->second.manager;
    std::int32_t t = p.team_index(team);
    if (t >= 0) return p.teams[static_cast<std::size_t>(t)].manager;
    return "";
  }

  void assign(const Program& p, const Workflow& w, const AssignStep& a) {
    std::string owner, team, rule;
    bool counted = false;  // routing counted the lead against the new owner's capacity
    switch (a.mode) {
      case AssignMode::Router: {
        if (engine.hooks_.route) {
#ifdef LEADFLOW_HAS_ROUTING
          // The default hook is route() over the lead's fields: called directly, it builds its
          // decision's trace lines only when they are read.
          using RouteHook = RouteDecision (*)(const Program&, std::int32_t, LeadState&, TenantState&,
                                              const Directory&, TimePoint);
          const RouteHook* hook = engine.hooks_.route.target<RouteHook>();
          RouteDecision d = hook && *hook == &route_lead
                                ? route(p, a.router, lead.fields, engine.directory_, tenant, now, {}, tracing())
                                : engine.hooks_.route(p, a.router, lead, tenant, engine.directory_, now);
#else
          RouteDecision d = engine.hooks_.route(p, a.router, lead, tenant, engine.directory_, now);
#endif
          for (std::string& line : d.trace) TRACE(w.name, std::move(line));
          if (!d.assigned) {
            TRACE(w.name, "assign using router: nobody to assign");
            return;
          }
          owner = d.owner;
          team = d.team;
          rule = d.rule;
          counted = true;
        } else {
          // No routing module: the first rule whose condition holds and names an owner or a team.
          const Router& router = p.routers[static_cast<std::size_t>(a.router)];
          for (const RouteRule& rr : router.rules) {
            if (rr.condition && !condition(p, *rr.condition, w.name, false)) continue;
            rule = rr.text;
            if (rr.target.kind == RouteTargetKind::Owner) {
              owner = to_display(evaluate(rr.target.owner, lead.fields, {}, now));
            } else if (rr.target.team >= 0) {
              const Team& t = p.teams[static_cast<std::size_t>(rr.target.team)];
              team = t.name;
              owner = t.members.empty() ? t.manager : t.members.front();
            }
            break;
          }
        }
        break;
      }
      case AssignMode::Team: {
        const Team& t = p.teams[static_cast<std::size_t>(a.team)];
#ifdef LEADFLOW_HAS_ROUTING
        RouteDecision d = route_to_team(p, a.team, lead.fields, engine.directory_, tenant, now, {}, tracing());
        for (std::string& line : d.trace) TRACE(w.name, std::move(line));
        if (!d.assigned) {
          TRACE(w.name, "assign to team " + t.name + ": nobody to assign");
          return;
        }
        owner = d.owner;
        team = d.team.empty() ? t.name : d.team;
        rule = d.rule.empty() ? "team " + t.name : d.rule;
        counted = true;
#else
        team = t.name;
        owner = t.members.empty() ? t.manager : t.members.front();
        rule = "team " + t.name;
#endif
        break;
      }
      case AssignMode::Owner:
        owner = to_display(evaluate(a.owner, lead.fields, event_data(), now));
        rule = a.owner.source;
        if (auto it = engine.directory_.owners.find(owner); it != engine.directory_.owners.end()) team = it->second.team;
        break;
    }
    std::string prev = to_display(field(slot_owner));
    auto release_one = [&](const std::string& who) {
      auto it = tenant.open_leads.find(who);
      if (it != tenant.open_leads.end() && --it->second <= 0) tenant.open_leads.erase(it);
    };
    if (prev != owner) {
      if (!prev.empty()) release_one(prev);
      if (!counted && !owner.empty()) tenant.open_leads[owner]++;
    } else if (counted) {
      release_one(owner);  // the same owner again: still one open lead
    }
    // One Value each for the slot and the effect (a copy shares the string).
    const Value owner_value = owner.empty() ? Value() : Value::string(owner);
    const Value team_value = team.empty() ? Value() : Value::string(team);
    set_field(slot_owner, owner_value);
    set_field(slot_owner_team, team_value);
    effect(w.name, "assign",
           {{"owner", owner_value},
            {"team", team_value},
            {"rule", Value::string(rule)}});
#ifdef LEADFLOW_HAS_SLA
    if (a.sla >= 0 && !owner.empty()) {
      for (TimerRequest& tr : start_sla(p, a.sla, lead, lead_id(), owner, now)) out.timers.push_back(std::move(tr));
      TRACE(w.name, "sla " + p.slas[static_cast<std::size_t>(a.sla)].name + " started for " + owner);
    }
#endif
  }

  // Returns when to try again (the send window's opening) or 0.
  TimePoint send(const Program& p, const Workflow& w, const SendStep& st) {
    Value to;
    if (st.to) to = evaluate(*st.to, lead.fields, event_data(), now);
    else if (st.channel == "email") to = field(slot_email);
    else if (st.channel == "sms") to = field(slot_phone);
    else to = field(slot_id);
    SendVerdict verdict;
    if (engine.hooks_.govern) {
      verdict = engine.hooks_.govern(p, st.channel, st.sender, lead, tenant, engine.directory_, now);
    } else if (st.channel == "email" && (lead.email_suppressed || field(slot_unsub).truthy() || field(slot_bounced).truthy())) {
      verdict.kind = SendVerdictKind::Blocked;
      verdict.reason = field(slot_unsub).truthy() || !field(slot_bounced).truthy() ? "unsubscribed" : "bounced";
    }
    if (verdict.kind == SendVerdictKind::Allowed) {
      effect(w.name, st.channel, {{"template", Value::string(st.template_name)}, {"to", to}});
      return 0;
    }
    std::string reason = verdict.reason;
    if (verdict.kind == SendVerdictKind::HeldUntil && reason.empty()) {
      reason = "held until " + format_time(verdict.until);
    }
    effect(w.name, "blocked", {{"effect", Value::string(st.channel)}, {"reason", Value::string(reason)}});
    return verdict.kind == SendVerdictKind::HeldUntil ? verdict.until : 0;
  }

  // Runs started by `enroll` steps, after the enrolling run has stopped or waits.
  void drain_runs() {
    while (!queued_runs.empty() || !queued.empty()) {
      if (!queued_runs.empty()) {
        std::uint64_t id = queued_runs.front();
        queued_runs.erase(queued_runs.begin());
        run(id);
      } else {
        drain_queue();
      }
    }
  }

  // ------------------------------------------------------------ scoring entry points

  void event_points(const Event& ev) {
    for (std::int32_t m : prog.active_scorings) {
      const ScoringModel& model = prog.scorings[static_cast<std::size_t>(m)];
      const std::vector<Tables::OnEvent>& texts = engine.tables_->on_event[static_cast<std::size_t>(m)];
      for (std::size_t ri = 0; ri < model.on_event.size(); ++ri) {
        const EventPointsRule& rule = model.on_event[ri];
        if (rule.event != ev.type) continue;
        if (rule.where && !condition(prog, *rule.where, "", true, tracing(),
                                     tracing() ? "scoring " + model.name + ": on " +
                                                     prog.events[static_cast<std::size_t>(ev.type)].name + " where " +
                                                     rule.where->source
                                               : std::string())) {
          continue;
        }
        const Tables::OnEvent& t = texts[ri];
        add_score(rule.points, false, t.source, t.reason, t.reason_value, "", t.tag);
      }
    }
  }

  TimePoint activity_stretch_start() const {
    Value la = field(slot_last_activity);
    if (la.kind() == ValueKind::Time) return la.as_time();
    Value c = field(slot_created);
    if (c.kind() == ValueKind::Time) return c.as_time();
    return now;
  }

  // One Decay timer per decay rule, from the start of the current inactivity stretch.
  void arm_decay() {
    TimePoint start = activity_stretch_start();
    std::int32_t index = 0;
    for (std::int32_t m : prog.active_scorings) {
      const ScoringModel& model = prog.scorings[static_cast<std::size_t>(m)];
      for (const DecayRule& rule : model.decay) {
        timer(TimerKind::Decay, start + rule.after_seconds, 0, m * 1000 + index, static_cast<std::uint64_t>(start));
        ++index;
      }
      index = 0;
    }
  }

  void fire_decay(const TimerRequest& t) {
    std::int32_t m = t.index / 1000, ri = t.index % 1000;
    if (m < 0 || static_cast<std::size_t>(m) >= prog.scorings.size()) return;
    if (std::find(prog.active_scorings.begin(), prog.active_scorings.end(), m) == prog.active_scorings.end()) return;
    const ScoringModel& model = prog.scorings[static_cast<std::size_t>(m)];
    if (ri < 0 || static_cast<std::size_t>(ri) >= model.decay.size()) return;
    const DecayRule& rule = model.decay[static_cast<std::size_t>(ri)];
    TimePoint start = activity_stretch_start();
    if (static_cast<std::uint64_t>(start) != t.generation) return;  // activity since: stale
    if (now - start < rule.after_seconds) return;
    std::string key = model.name + ":" + std::to_string(rule.line);
    auto it = lead.decay_applied.find(key);
    if (it != lead.decay_applied.end() && it->second == start) return;  // once per stretch
    lead.decay_applied[key] = start;
    TRACE("", "scoring " + model.name + ": inactive " + format_duration(rule.after_seconds) + " since " +
                  format_time(start));
    add_score(rule.points, "scoring " + model.name,
              rule.reason.empty() ? "inactive " + format_duration(rule.after_seconds) : rule.reason, "", "decay " + key);
    restage();
  }
};

// ---------------------------------------------------------------- entry points

StepResult Engine::load(LeadState& lead, TenantState& tenant, TimePoint now, Arrival arrival) {
  StepResult out;
  load(lead, tenant, now, arrival, out);
  return out;
}

void Engine::load(LeadState& lead, TenantState& tenant, TimePoint now, Arrival arrival, StepResult& out) {
  Context ctx(*this, lead, tenant, out, now);
  ctx.start_score();
  ctx.normalise_loaded_stage();
  // A lead without `created_at` was created when it first appeared: its inactivity stretch
  // (decay) has to start somewhere fixed, not "now" on every check.
  if (ctx.field(ctx.slot_created).is_null()) ctx.set_field(ctx.slot_created, Value::time(now));
  // Capture hygiene: a lead's address is kept trimmed and lower-case ("  Ana@Acme.COM " is
  // ana@acme.com), so the `to` of every message and the free-mail checks see one form.
  if (const Value& email = ctx.field(ctx.slot_email); email.kind() == ValueKind::String) {
    std::string normal = normalise_email(email.as_string());
    if (normal != email.as_string()) ctx.set_field(ctx.slot_email, Value::string(std::move(normal)));
  }
  if (ctx.field(ctx.slot_email_domain).is_null()) {
    ctx.set_field(ctx.slot_email_domain, Context::email_domain_of(ctx.field(ctx.slot_email)));
  }
  ctx.rescore();
  ctx.restage();
  ctx.settle();
  ctx.held_triggers();
  ctx.arm_decay();
  if (arrival == Arrival::Captured && !ctx.queued.empty()) {
    ctx.queued.clear();
    CTX_TRACE("", "captured: workflows start from the capture event, not from the state the lead arrives in");
  }
  ctx.drain_runs();
}

StepResult Engine::apply(LeadState& lead, TenantState& tenant, const Event& ev) {
  StepResult out;
  apply(lead, tenant, ev, out);
  return out;
}

void Engine::apply(LeadState& lead, TenantState& tenant, const Event& ev, StepResult& out) {
  Context ctx(*this, lead, tenant, out, ev.at);
  ctx.event = &ev;
  if (ev.type < 0 || static_cast<std::size_t>(ev.type) >= program_->events.size()) {
    CTX_TRACE("", "unknown event type " + std::to_string(ev.type) + ": ignored");
    return;
  }
  const EventDef& def = program_->events[static_cast<std::size_t>(ev.type)];
  CTX_TRACE("", "event " + def.name);
  EventSeen& seen = lead.facts.events[ev.type];
  seen.count++;
  seen.last_at = ev.at;

  // 1. The event declaration's `set`s, with the event's data in scope.
  for (const FieldAssignment& a : def.sets) {
    ctx.set_field(a.slot, evaluate(a.value, lead.fields, ev.data, ev.at));
  }
  // 2. Activity.
  bool engaged = engagement_[static_cast<std::size_t>(ev.type)];
  if (engaged) ctx.set_field(ctx.slot_last_activity, Value::time(ev.at));
  // 3. Scoring: the event's points, then fit rules over the changed fields, then the stage.
  ctx.start_score();
  if (ctx.field(ctx.slot_email_domain).is_null()) {
    ctx.set_field(ctx.slot_email_domain, Context::email_domain_of(ctx.field(ctx.slot_email)));
  }
  ctx.event_points(ev);
  ctx.rescore();
  ctx.restage();
  // 4. Exit rules: on this event, and on conditions over the new state.
  ctx.check_exit_events(ev.type);
  ctx.settle();
#ifdef LEADFLOW_HAS_SLA
  for (std::string& line : stop_slas(*program_, lead, ev.type)) CTX_TRACE("", std::move(line));
  for (std::size_t i = 0; i < program_->slas.size(); ++i) {
    if (!sla_starts_on(program_->slas[i], ev.type)) continue;
    std::string owner = to_display(ctx.field(ctx.slot_owner));
    if (owner.empty()) continue;
    for (TimerRequest& tr : start_sla(*program_, static_cast<std::int32_t>(i), lead, ctx.lead_id(), owner, ev.at)) {
      out.timers.push_back(std::move(tr));
    }
  }
#endif
  // 5. Runs waiting for this event resume on their Next edge.
  std::vector<std::uint64_t> resumed;
  for (const Run& r : lead.runs) {
    if (r.status != RunStatus::WaitingEvent || r.wait_event != ev.type) continue;
    resumed.push_back(r.id);
  }
  for (std::uint64_t id : resumed) {
    Run* r = ctx.run_by_id(id);
    if (!r || r->status != RunStatus::WaitingEvent) continue;
    std::shared_ptr<const Program> pin = r->program;
    const Workflow& w = pin->workflows[static_cast<std::size_t>(r->workflow)];
    const Step& s = w.graph->step(r->node);
    const auto& ws = std::get<WaitStep>(s.payload);
    if (ws.where && !ctx.condition(*pin, *ws.where, w.name, true)) continue;
    CTX_TRACE(w.name, s.label + ": " + def.name + " arrived");
    r->generation++;
    ctx.advance(id, EdgeLabel::Next);
    ctx.drain_runs();
  }
  // 6. Event triggers.
  if (static_cast<std::size_t>(ev.type) < program_->workflows_by_event.size()) {
    for (std::int32_t wi : program_->workflows_by_event[static_cast<std::size_t>(ev.type)]) {
      const Workflow& w = program_->workflows[static_cast<std::size_t>(wi)];
      for (std::size_t ti = 0; ti < w.triggers.size(); ++ti) {
        const TriggerDef& t = w.triggers[ti];
        if (t.kind != TriggerKind::Event || t.event != ev.type) continue;
        if (t.where) {
          bool ok = evaluate_condition(*t.where, lead.fields, ev.data, ev.at);
          const std::string& text = tables_->trigger_text[static_cast<std::size_t>(wi)][ti];
          std::string line = ctx.describe(*program_, *t.where, ok, ev.type, text);
          CTX_TRACE(w.name, line);
          TriggerCheck& check = lead.facts.triggers.at_interned(tables_->trigger_key[static_cast<std::size_t>(wi)][ti]);
          check.at = ev.at;
          check.result = ok;
          if (!ok) check.failed++;
          check.set_line(std::move(line));
          if (!check.edge_trigger.empty()) {  // the program changed what this trigger is
            check.edge_trigger = {};
            check.edge_before = {};
            check.edge_after = {};
          }
          if (!ok) continue;
        }
        std::uint64_t id = ctx.enroll(wi, tables_->trigger_text[static_cast<std::size_t>(wi)][ti], "");
        if (id) ctx.run(id);
        ctx.drain_runs();
        break;
      }
    }
  }
  ctx.drain_runs();
  if (engaged) ctx.arm_decay();
}

StepResult Engine::start(LeadState& lead, TenantState& tenant, std::int32_t workflow, const Event& ev,
                         const std::string& why) {
  StepResult out;
  Context ctx(*this, lead, tenant, out, ev.at);
  ctx.event = &ev;
  std::uint64_t id = ctx.enroll(workflow, why, "");
  if (id) ctx.run(id);
  ctx.settle();
  ctx.drain_runs();
  return out;
}

StepResult Engine::fire(LeadState& lead, TenantState& tenant, const TimerRequest& timer, TimePoint now) {
  StepResult out;
  fire(lead, tenant, timer, now, out);
  return out;
}

void Engine::fire(LeadState& lead, TenantState& tenant, const TimerRequest& timer, TimePoint now, StepResult& out) {
  Context ctx(*this, lead, tenant, out, now);
  switch (timer.kind) {
    case TimerKind::RunWake: {
      Run* r = ctx.run_by_id(timer.run_id);
      if (!r || !active(*r) || r->generation != timer.generation ||
          (r->status != RunStatus::WaitingTimer && r->status != RunStatus::WaitingEvent)) {
        return;  // stale
      }
      // Time has passed: conditions over `now` may hold now.
      ctx.check_exit_conditions();
      r = ctx.run_by_id(timer.run_id);
      if (!r || !active(*r)) break;
      const Workflow& w = r->program->workflows[static_cast<std::size_t>(r->workflow)];
      const Step& s = w.graph->step(r->node);
      EdgeLabel label = EdgeLabel::Next;
      if (r->status == RunStatus::WaitingEvent) {
        label = EdgeLabel::Timeout;
        CTX_TRACE(w.name, s.label + ": timed out");
      } else {
        CTX_TRACE(w.name, s.label + ": woke");
      }
      r->generation++;
      if (r->retry_step) {  // a held send: try the same step again
        r->retry_step = false;
        r->status = RunStatus::Running;
        ctx.run(timer.run_id);
        break;
      }
      ctx.advance(timer.run_id, label);
      break;
    }
    case TimerKind::HeldTrigger: {
      if (timer.index < 0 || static_cast<std::size_t>(timer.index) >= lead.held.size()) return;
      HeldCondition& h = lead.held[static_cast<std::size_t>(timer.index)];
      if (h.generation != timer.generation || h.fired || h.since == 0) return;
      if (h.workflow < 0 || static_cast<std::size_t>(h.workflow) >= program_->workflows.size()) return;
      const Workflow& w = program_->workflows[static_cast<std::size_t>(h.workflow)];
      if (h.trigger < 0 || static_cast<std::size_t>(h.trigger) >= w.triggers.size()) return;
      const TriggerDef& t = w.triggers[static_cast<std::size_t>(h.trigger)];
      if (now - h.since < t.held_seconds) return;
      if (!ctx.condition(*program_, t.condition, w.name, false)) {
        h.since = 0;
        h.generation++;
        return;
      }
      h.fired = true;
      CTX_TRACE(w.name, trigger_text(t) + ": held since " + format_time(h.since));
      std::uint64_t id = ctx.enroll(h.workflow, trigger_text(t), "");
      if (id) ctx.run(id);
      break;
    }
    case TimerKind::Decay: ctx.fire_decay(timer); break;
    case TimerKind::SlaLevel: {
#ifdef LEADFLOW_HAS_SLA
      Value owner_before = ctx.field(ctx.slot_owner), team_before = ctx.field(ctx.slot_owner_team);
      StepResult r = fire_sla_level(*program_, lead, ctx.lead_id(), timer, directory_, tenant, now);
      for (Effect& e : r.effects) out.effects.push_back(std::move(e));
      for (TimerRequest& tr : r.timers) out.timers.push_back(std::move(tr));
      for (TraceLine& tl : r.trace) out.trace.push_back(std::move(tl));
      // A reassignment wrote the owner slots: let triggers and exit rules see the change.
      if (!(ctx.field(ctx.slot_owner) == owner_before)) {
        ctx.changes.push_back({ctx.slot_owner, owner_before, ctx.field(ctx.slot_owner)});
      }
      if (!(ctx.field(ctx.slot_owner_team) == team_before)) {
        ctx.changes.push_back({ctx.slot_owner_team, team_before, ctx.field(ctx.slot_owner_team)});
      }
#endif
      break;
    }
    case TimerKind::SendWindow: break;  // a held send is re-sent by the runtime
  }
  ctx.settle();
  ctx.drain_runs();
}

}  // namespace leadflow::engine
