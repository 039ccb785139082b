// Name resolution and the structural checks that need no types; see resolve.hpp.
#include "dsl/resolve.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "dsl/compiler.hpp"
#include "dsl/suggest.hpp"
#include "dsl/timezone.hpp"

namespace leadflow::dsl {

// ---------------------------------------------------------------- visibility

Visibility Visibility::from_imports(const std::vector<std::vector<SourceId>>& imports) {
  Visibility v;
  v.visible_.resize(imports.size());
  // One walk per source over its own import closure; `mark` avoids clearing between walks.
  std::vector<std::size_t> mark(imports.size(), static_cast<std::size_t>(-1));
  std::vector<SourceId> stack;
  for (std::size_t from = 0; from < imports.size(); ++from) {
    std::vector<SourceId>& seen = v.visible_[from];
    stack.assign(1, static_cast<SourceId>(from));
    mark[from] = from;
    while (!stack.empty()) {
      const SourceId s = stack.back();
      stack.pop_back();
      seen.push_back(s);
      for (SourceId next : imports[s]) {
        if (next < imports.size() && mark[next] != from) {
          mark[next] = from;
          stack.push_back(next);
        }
      }
    }
    std::sort(seen.begin(), seen.end());
  }
  return v;
}

bool Visibility::sees(SourceId from, SourceId target) const {
  if (from == target || from >= visible_.size() || target == no_source) return true;
  const std::vector<SourceId>& seen = visible_[from];
  return std::binary_search(seen.begin(), seen.end(), target);
}

void Visibility::mark_incomplete(SourceId source) {
  auto it = std::lower_bound(incomplete_.begin(), incomplete_.end(), source);
  if (it == incomplete_.end() || *it != source) incomplete_.insert(it, source);
}

bool Visibility::incomplete(SourceId source) const {
  // Also when a file it imports (transitively) misses an import; such files are few.
  for (SourceId s : incomplete_) {
    if (sees(source, s)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- resolver

namespace {

std::string code(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '`';
  out += s;
  out += '`';
  return out;
}

std::string points_text(std::int64_t points) {
  return (points >= 0 ? "+" : "") + std::to_string(points);
}

constexpr std::array<std::string_view, 3> send_channels = {"email", "sms", "linkedin"};
constexpr std::array<std::string_view, 1> notify_channels = {"slack"};
constexpr std::array<std::string_view, 4> cap_channels = {"email", "sms", "linkedin", "actions"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

template <std::size_t N>
std::string list_names(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " and " : ", ";
    out += code(names[i]);
  }
  return out;
}

template <std::size_t N>
std::vector<std::string> to_vector(const std::array<std::string_view, N>& names) {
  return {names.begin(), names.end()};
}

// Where `event.x` is allowed, and against which event it resolves.
struct EventScope {
  bool active = false;
  const EventInfo* event = nullptr;  // null while active: the event was unknown (already reported)
};

class Resolver {
 public:
  Resolver(Compilation& c, const Visibility& visibility)
      : c_(c), sym_(c.symbols), sink_(c.diagnostics), vis_(visibility) {}

  void run() {
    declare_builtins();
    for (auto& file : c_.files) declare_file(*file);
    for (auto& file : c_.files) check_file(*file);
  }

 private:
  // ------------------------------------------------------------ declarations

  void declare_builtins() {
    sym_.lead_fields.clear();
    sym_.lead_field_slot.clear();
    for (const BuiltinField& b : builtin_lead_fields()) {
      LeadFieldInfo info;
      info.name = b.name;
      info.type = b.type;
      info.slot = static_cast<int>(sym_.lead_fields.size());
      info.builtin = true;
      sym_.lead_field_slot.emplace(info.name, info.slot);
      sym_.lead_fields.push_back(std::move(info));
    }
  }

  void duplicate(Span span, std::string_view what, const std::string& name, Span first) {
    Diagnostic& d = sink_.error(DiagnosticKind::DuplicateDefinition, span,
                                std::string(what) + " " + code(name) + " is already defined");
    d.notes.push_back({first, "first defined here"});
  }

  template <class Decl>
  void declare(std::map<std::string, const Decl*>& map, const Decl& decl, std::string_view what) {
    auto [it, inserted] = map.emplace(decl.name, &decl);
    if (!inserted) duplicate(decl.name_span, what, decl.name, it->second->name_span);
  }

  Type type_of(const TypeRef& ref) {
    static const std::unordered_map<std::string_view, TypeKind> scalars = {
        {"bool", TypeKind::Bool},     {"int", TypeKind::Int},   {"decimal", TypeKind::Decimal},
        {"string", TypeKind::String}, {"time", TypeKind::Time}, {"duration", TypeKind::Duration},
    };
    if (ref.name == "list") {
      if (!ref.element) {
        sink_.error(DiagnosticKind::UnknownType, ref.span, "`list` needs an element type")
            .help = "write e.g. `list<string>`";
        return Type::error();
      }
      if (ref.element->name == "list") {
        sink_.error(DiagnosticKind::UnknownType, ref.element->span,
                    "a list cannot hold lists")
            .help = "lists hold one scalar type: `bool`, `int`, `decimal`, `string`, `time` or `duration`";
        return Type::error();
      }
      Type element = type_of(*ref.element);
      return element.is_error() ? element : Type::list_of(element.kind);
    }
    auto it = scalars.find(ref.name);
    if (it != scalars.end()) return Type::of(it->second);
    Diagnostic& d = sink_.error(DiagnosticKind::UnknownType, ref.span, "unknown type " + code(ref.name));
    static const std::vector<std::string> names = {"bool", "int", "decimal", "string", "time", "duration", "list"};
    if (auto s = suggest(ref.name, names)) d.help = "did you mean " + code(*s) + "?";
    return Type::error();
  }

  void declare_file(FileAst& file) {
    for (ConstDecl& decl : file.consts) {
      auto [it, inserted] = sym_.consts.emplace(decl.name, &decl);
      if (!inserted) {
        duplicate(decl.name_span, "constant", decl.name, it->second->name_span);
      } else {
        const_index_.emplace(&decl, static_cast<int>(const_index_.size()));
      }
    }
    for (const SchemaDecl& schema : file.schemas) {
      for (const FieldDecl& field : schema.fields) declare_lead_field(field);
    }
    for (const EventDecl& decl : file.events) declare_event(decl);
    for (const WorkflowDecl& decl : file.workflows) declare(sym_.workflows, decl, "workflow");
    for (const RouterDecl& decl : file.routers) declare(sym_.routers, decl, "router");
    for (const TeamDecl& decl : file.teams) declare(sym_.teams, decl, "team");
    for (const SlaDecl& decl : file.slas) declare(sym_.slas, decl, "SLA");
    for (const ScoringDecl& decl : file.scorings) declare(sym_.scorings, decl, "scoring model");
    for (const CalendarDecl& decl : file.calendars) declare(sym_.calendars, decl, "calendar");
    for (const StagesDecl& decl : file.stages) declare_stages(decl);
    for (const GovernanceDecl& decl : file.governance) {
      if (sym_.governance) {
        Diagnostic& d = sink_.error(DiagnosticKind::DuplicateDefinition, decl.span,
                                    "`governance` is already defined");
        d.notes.push_back({sym_.governance->span, "first defined here"});
      } else {
        sym_.governance = &decl;
      }
    }
  }

  void declare_lead_field(const FieldDecl& field) {
    const Type type = type_of(field.type);
    auto it = sym_.lead_field_slot.find(field.name);
    if (it != sym_.lead_field_slot.end()) {
      LeadFieldInfo& existing = sym_.lead_fields[static_cast<std::size_t>(it->second)];
      if (existing.builtin) {
        // Schemas may list the built-in fields for documentation, but not change them.
        if (!type.is_error() && type != existing.type) {
          sink_.error(DiagnosticKind::TypeMismatch, field.type.span,
                      "built-in field " + code(field.name) + " is " + code(type_name(existing.type)) +
                          ", not " + code(type_name(type)))
              .help = "declare it as " + code(field.name + ": " + type_name(existing.type)) +
                      " or leave it out";
        } else if (!existing.decl.valid()) {
          existing.decl = field.name_span;
        }
        return;
      }
      duplicate(field.name_span, "field", field.name, existing.decl);
      return;
    }
    LeadFieldInfo info;
    info.name = field.name;
    info.type = type;
    info.slot = static_cast<int>(sym_.lead_fields.size());
    info.decl = field.name_span;
    sym_.lead_field_slot.emplace(info.name, info.slot);
    sym_.lead_fields.push_back(std::move(info));
  }

  void declare_event(const EventDecl& decl) {
    auto [it, inserted] = sym_.event_index.emplace(decl.name, static_cast<int>(sym_.events.size()));
    if (!inserted) {
      const EventInfo& first = sym_.events[static_cast<std::size_t>(it->second)];
      duplicate(decl.name_span, "event", decl.name, first.decl ? first.decl->name_span : Span{});
      return;
    }
    EventInfo info;
    info.name = decl.name;
    info.index = it->second;
    info.decl = &decl;
    for (const FieldDecl& field : decl.fields) {
      const Type type = type_of(field.type);
      auto [fit, fresh] = info.field_index.emplace(field.name, static_cast<int>(info.fields.size()));
      if (!fresh) {
        duplicate(field.name_span, "field", field.name,
                  info.fields[static_cast<std::size_t>(fit->second)].decl);
        continue;
      }
      info.fields.push_back(EventFieldInfo{field.name, type, fit->second, field.name_span});
    }
    sym_.events.push_back(std::move(info));
  }

  void declare_stages(const StagesDecl& decl) {
    auto [it, inserted] = sym_.stage_sets.emplace(decl.name, &decl);
    if (!inserted) {
      // An unnamed block is called "default", a name the user never wrote.
      const bool unnamed = text(decl.name_span) != decl.name;
      Diagnostic& d = sink_.error(DiagnosticKind::DuplicateDefinition,
                                  decl.name_span.valid() ? decl.name_span : decl.span,
                                  unnamed ? std::string("a second unnamed `stages` block")
                                          : "stages " + code(decl.name) + " is already defined");
      const StagesDecl& first = *it->second;
      d.notes.push_back({first.name_span.valid() ? first.name_span : first.span, "first defined here"});
    }
    std::unordered_map<std::string_view, const StageRange*> in_block;
    for (const StageRange& range : decl.ranges) {
      auto [bit, fresh] = in_block.emplace(range.name, &range);
      if (!fresh) {
        duplicate(range.name_span, "stage", range.name, bit->second->name_span);
        continue;
      }
      sym_.stages.emplace(range.name, StageInfo{range.name, range.name_span});
      stage_sources_[range.name].push_back(range.name_span.source);
    }
  }

  // ------------------------------------------------------------ lookups

  std::string_view text(Span span) const {
    if (!span.valid() || span.source >= c_.sources.size()) return {};
    return c_.sources.text(span);
  }

  std::string not_imported(const std::string& name, SourceId where) const {
    return code(name) + " is defined in " + code(c_.sources.file(where).path) +
           ", which this file does not import";
  }

  // Sets "did you mean" help. A generated program can repeat one typo thousands of times
  // against thousands of names: each (kind of name, file, typo) is looked up once.
  template <class Candidates>
  void did_you_mean(Diagnostic& d, std::string_view category, const std::string& wrong, Candidates&& candidates) {
    std::string key(category);
    key += '\n';
    key += std::to_string(cur_);
    key += '\n';
    key += wrong;
    auto it = suggestions_.find(key);
    if (it == suggestions_.end()) {
      const std::vector<std::string> names = candidates();
      it = suggestions_.emplace(std::move(key), suggest(wrong, names)).first;
    }
    if (it->second) d.help = "did you mean " + code(*it->second) + "?";
  }

  template <class Decl>
  std::vector<std::string> visible_names(const std::map<std::string, Decl*>& map) const {
    std::vector<std::string> names;
    for (const auto& [name, decl] : map) {
      if (vis_.sees(cur_, decl->name_span.source)) names.push_back(name);
    }
    return names;
  }

  // The declaration `name` refers to, if this file can see it; otherwise reports `kind`.
  template <class Decl>
  Decl* lookup(const std::map<std::string, Decl*>& map, const std::string& name, Span span,
               DiagnosticKind kind, std::string_view what) {
    auto it = map.find(name);
    if (it != map.end() && vis_.sees(cur_, it->second->name_span.source)) return it->second;
    if (vis_.incomplete(cur_)) return nullptr;
    Diagnostic& d = sink_.error(kind, span, "unknown " + std::string(what) + " " + code(name));
    if (it != map.end()) {
      d.help = not_imported(name, it->second->name_span.source);
    } else {
      did_you_mean(d, what, name, [&] { return visible_names(map); });
    }
    return nullptr;
  }

  const EventInfo* lookup_event(const std::string& name, Span span) {
    auto it = sym_.event_index.find(name);
    if (it != sym_.event_index.end()) {
      const EventInfo& info = sym_.events[static_cast<std::size_t>(it->second)];
      const SourceId where = info.decl ? info.decl->name_span.source : no_source;
      if (vis_.sees(cur_, where)) return &info;
      if (vis_.incomplete(cur_)) return nullptr;
      sink_.error(DiagnosticKind::UnknownEvent, span, "unknown event " + code(name)).help =
          not_imported(name, where);
      return nullptr;
    }
    if (vis_.incomplete(cur_)) return nullptr;
    Diagnostic& d = sink_.error(DiagnosticKind::UnknownEvent, span, "unknown event " + code(name));
    did_you_mean(d, "event", name, [&] {
      std::vector<std::string> names;
      for (const EventInfo& info : sym_.events) {
        if (vis_.sees(cur_, info.decl ? info.decl->name_span.source : no_source)) names.push_back(info.name);
      }
      return names;
    });
    return nullptr;
  }

  bool field_visible(const LeadFieldInfo& info) const {
    return info.builtin || vis_.sees(cur_, info.decl.source);
  }

  const LeadFieldInfo* lookup_lead_field(const std::string& name, Span span) {
    const LeadFieldInfo* info = sym_.lead_field(name);
    if (info && field_visible(*info)) return info;
    if (vis_.incomplete(cur_)) return nullptr;
    Diagnostic& d = sink_.error(DiagnosticKind::UnknownField, span,
                                "unknown field " + code(name) + " on `lead`");
    if (info) {
      d.help = not_imported(name, info->decl.source);
    } else {
      did_you_mean(d, "lead field", name, [&] {
        std::vector<std::string> names;
        for (const LeadFieldInfo& f : sym_.lead_fields) {
          if (field_visible(f)) names.push_back(f.name);
        }
        return names;
      });
    }
    return nullptr;
  }

  void lookup_stage(const std::string& name, Span span) {
    auto it = stage_sources_.find(name);
    if (it != stage_sources_.end()) {
      for (SourceId s : it->second) {
        if (vis_.sees(cur_, s)) return;
      }
    }
    if (vis_.incomplete(cur_)) return;
    Diagnostic& d = sink_.error(DiagnosticKind::UnknownStage, span, "unknown stage " + code(name));
    if (it != stage_sources_.end()) {
      d.help = not_imported(name, it->second.front());
      return;
    }
    did_you_mean(d, "stage", name, [&] {
      std::vector<std::string> names;
      for (const auto& [stage, sources] : stage_sources_) {
        for (SourceId s : sources) {
          if (vis_.sees(cur_, s)) {
            names.push_back(stage);
            break;
          }
        }
      }
      std::sort(names.begin(), names.end());
      return names;
    });
    if (d.help.empty() && stage_sources_.empty()) d.help = "declare the stage in a `stages` block";
  }

  template <std::size_t N>
  void check_channel(const std::array<std::string_view, N>& channels, const std::string& name, Span span,
                     std::string_view where) {
    if (one_of(channels, name)) return;
    Diagnostic& d = sink_.error(DiagnosticKind::UnknownChannel, span,
                                "unknown channel " + code(name) + " for " + code(where));
    did_you_mean(d, where, name, [&] { return to_vector(channels); });
    if (d.help.empty()) d.help = code(where) + " channels are " + list_names(channels);
  }

  void check_time_zone(const std::string& zone, Span span) {
    if (!span.valid() && zone.empty()) return;  // not written
    if (is_valid_time_zone(zone)) return;
    Diagnostic& d = sink_.error(DiagnosticKind::UnknownTimeZone, span, "unknown time zone " + code(zone));
    if (auto s = suggest_time_zone(zone)) {
      d.help = "did you mean " + code(*s) + "?";
    } else {
      d.help = "use an IANA zone name such as `Europe/Berlin` or `America/New_York`";
    }
  }

  // The parser already rejects `25:00` or `09:75` as it reads them (and stores 0); this catches
  // out-of-day minutes in ASTs built some other way.
  void check_clock(const ClockRange& range) {
    auto bad = [](int minute, int limit) { return minute < 0 || minute > limit; };
    if (bad(range.begin_minute, 24 * 60 - 1) || bad(range.end_minute, 24 * 60)) {
      sink_.error(DiagnosticKind::InvalidClock, range.span, "clock time is not a time of day (00:00 to 24:00)");
    }
  }

  void check_points(std::int64_t points, Span span) {
    if (points >= -100 && points <= 100) return;
    sink_.error(DiagnosticKind::ScoreOutOfRange, span,
                "points " + code(points_text(points)) + " are outside -100..100");
  }

  // ------------------------------------------------------------ expressions

  void expr(Expr* e) {
    if (!e) return;
    switch (e->kind) {
      case ExprKind::LeadField:
        if (const LeadFieldInfo* info = lookup_lead_field(e->name, e->span)) {
          e->resolved_slot = info->slot;
          e->type = info->type;
        }
        return;
      case ExprKind::EventField:
        event_field(*e);
        return;
      case ExprKind::Name:
        name(*e);
        return;
      case ExprKind::Call: {
        const auto& functions = builtin_functions();
        const bool known = std::any_of(functions.begin(), functions.end(),
                                       [&](const BuiltinFunction& f) { return e->name == f.name; });
        if (!known) {
          Diagnostic& d = sink_.error(DiagnosticKind::UnknownFunction, e->span,
                                      "unknown function " + code(e->name));
          did_you_mean(d, "function", e->name, [&] {
            std::vector<std::string> names;
            for (const BuiltinFunction& f : functions) names.emplace_back(f.name);
            return names;
          });
        }
        break;
      }
      case ExprKind::StringLit:
        for (StringPart& part : e->parts) expr(part.expr.get());
        return;
      default:
        break;
    }
    for (ExprPtr& child : e->children) expr(child.get());
  }

  void event_field(Expr& e) {
    if (!scope_.active) {
      sink_.error(DiagnosticKind::EventOutsideEventContext, e.span,
                  code("event." + e.name) + " is used where no event is in scope")
          .help =
          "`event.` fields can be read in an event trigger's `where`, a `wait ... for event` filter, "
          "a scoring `on` rule and an event's `set`";
      return;
    }
    if (!scope_.event) return;  // the event itself was unknown, already reported
    auto it = scope_.event->field_index.find(e.name);
    if (it == scope_.event->field_index.end()) {
      Diagnostic& d = sink_.error(DiagnosticKind::UnknownEventField, e.span,
                                  "unknown field " + code(e.name) + " on event " + code(scope_.event->name));
      did_you_mean(d, "field of " + scope_.event->name, e.name, [&] {
        std::vector<std::string> names;
        for (const EventFieldInfo& f : scope_.event->fields) names.push_back(f.name);
        return names;
      });
      return;
    }
    const EventFieldInfo& field = scope_.event->fields[static_cast<std::size_t>(it->second)];
    e.resolved_slot = field.index;
    e.type = field.type;
  }

  void name(Expr& e) {
    auto it = sym_.consts.find(e.name);
    if (it != sym_.consts.end() && vis_.sees(cur_, it->second->name_span.source)) {
      ConstDecl* decl = it->second;
      decl->used = true;
      e.resolved_const = decl;
      e.resolved_slot = const_index_.at(decl);
      return;
    }
    if (vis_.incomplete(cur_)) return;
    Diagnostic& d = sink_.error(DiagnosticKind::UnknownName, e.span, "unknown name " + code(e.name));
    if (it != sym_.consts.end()) {
      d.help = not_imported(e.name, it->second->name_span.source);
    } else if (sym_.event_index.count(e.name)) {
      d.help = code(e.name) + " is an event, not a constant";
    } else {
      did_you_mean(d, "constant", e.name, [&] { return visible_names(sym_.consts); });
    }
  }

  void with_event(const EventInfo* event, Expr* e) {
    const EventScope saved = scope_;
    scope_ = EventScope{true, event};
    expr(e);
    scope_ = saved;
  }

  // ------------------------------------------------------------ files

  void check_file(FileAst& file) {
    cur_ = file.source;
    for (EventDecl& decl : file.events) check_event(decl);
    for (WorkflowDecl& decl : file.workflows) check_workflow(decl);
    for (ScoringDecl& decl : file.scorings) check_scoring(decl);
    for (StagesDecl& decl : file.stages) check_stages(decl);
    for (UseDecl& decl : file.uses) check_use(decl);
    for (RouterDecl& decl : file.routers) check_router(decl);
    for (TeamDecl& decl : file.teams) check_team(decl);
    for (SlaDecl& decl : file.slas) check_sla(decl);
    for (CalendarDecl& decl : file.calendars) check_calendar(decl);
    for (GovernanceDecl& decl : file.governance) check_governance(decl);
    // Constant values are literals (typecheck says so when not): there is nothing to resolve.
  }

  void check_set(SetClause& set) {
    if (const LeadFieldInfo* info = lookup_lead_field(set.field, set.field_span)) set.resolved_slot = info->slot;
    expr(set.value.get());
  }

  void check_event(EventDecl& decl) {
    const EventInfo* info = sym_.event(decl.name);
    // A duplicate declaration's `event.x` reads the fields it declares itself, which the
    // first declaration may not have: resolve against the first only when it is this one.
    const EventInfo* self = info && info->decl == &decl ? info : nullptr;
    for (SetClause& set : decl.sets) {
      if (const LeadFieldInfo* f = lookup_lead_field(set.field, set.field_span)) set.resolved_slot = f->slot;
      with_event(self, set.value.get());
    }
  }

  void check_workflow(WorkflowDecl& wf) {
    if (wf.triggers.empty()) {
      sink_.error(DiagnosticKind::MissingTrigger, wf.name_span,
                  "workflow " + code(wf.name) + " has no `when` trigger")
          .help = "add a trigger, e.g. `when form_submitted`";
    }
    for (Trigger& t : wf.triggers) check_trigger(t);
    for (std::size_t i = 1; i < wf.policies.size(); ++i) {
      Diagnostic& d = sink_.error(DiagnosticKind::DuplicatePolicy, wf.policies[i].span,
                                  "workflow " + code(wf.name) + " has more than one `enroll` policy");
      d.notes.push_back({wf.policies[0].span, "first policy here"});
    }
    for (EnrollPolicy& p : wf.policies) expr(p.cooldown.get());
    for (ExitRule& rule : wf.exits) {
      for (std::size_t i = 0; i < rule.events.size(); ++i) {
        lookup_event(rule.events[i], i < rule.event_spans.size() ? rule.event_spans[i] : rule.span);
      }
      expr(rule.condition.get());
    }
    block(wf.steps);
  }

  void check_trigger(Trigger& t) {
    Expr* subject = t.subject.get();
    switch (t.kind) {
      case TriggerKind::Event: {
        const EventInfo* event = nullptr;
        if (subject && subject->kind == ExprKind::Name) {
          event = lookup_event(subject->name, subject->span);
          if (event) subject->resolved_slot = event->index;
        }  // any other subject is a syntax error, reported by the parser
        with_event(event, t.where.get());
        expr(t.value.get());
        return;
      }
      case TriggerKind::Becomes:
      case TriggerKind::Crosses:
        if (subject && subject->kind != ExprKind::LeadField) {
          sink_.error(DiagnosticKind::TriggerNotField, subject->span,
                      std::string(t.kind == TriggerKind::Becomes ? "`becomes`" : "`crosses`") +
                          " needs a lead field on its left, like `lead.stage`");
        } else {
          expr(subject);
        }
        expr(t.value.get());
        expr(t.where.get());
        return;
      case TriggerKind::Unchanged:
        expr(subject);
        expr(t.value.get());
        expr(t.where.get());
        return;
    }
  }

  void block(Block& steps) {
    const Step* stop = nullptr;
    bool reported = false;
    for (StepPtr& s : steps) {
      if (!s) continue;
      if (stop && !reported) {
        Diagnostic& d = sink_.error(DiagnosticKind::UnreachableStep, s->span,
                                    "this step comes after `stop` and can never run");
        d.notes.push_back({stop->span, "`stop` ends the workflow here"});
        reported = true;
      }
      step(*s);
      if (s->kind == StepKind::Stop && !stop) stop = s.get();
    }
  }

  void step(Step& s) {
    switch (s.kind) {
      case StepKind::Score:
        check_points(s.points, s.name_span.valid() ? s.name_span : s.span);  // name_span: the points
        return;
      case StepKind::Stage:
        lookup_stage(s.name, s.name_span);
        return;
      case StepKind::Set:
        if (s.set) check_set(*s.set);
        return;
      case StepKind::Tag:
      case StepKind::Webhook:
      case StepKind::Validate:
      case StepKind::Enrich:
      case StepKind::Stop:
        return;
      case StepKind::Assign:
        if (s.assign_kind == AssignKind::Router) {
          lookup(sym_.routers, s.name, s.name_span, DiagnosticKind::UnknownRouter, "router");
        } else if (s.assign_kind == AssignKind::Team) {
          lookup(sym_.teams, s.name, s.name_span, DiagnosticKind::UnknownTeam, "team");
        }
        expr(s.owner.get());
        if (!s.sla.empty()) lookup(sym_.slas, s.sla, s.sla_span, DiagnosticKind::UnknownSla, "SLA");
        return;
      case StepKind::Task:
        expr(s.title.get());
        expr(s.due.get());
        expr(s.owner.get());
        return;
      case StepKind::Send:
        check_channel(send_channels, s.name, s.name_span, "send");
        expr(s.owner.get());
        return;
      case StepKind::Notify:
        if (s.notify_target == NotifyTarget::Channel) check_channel(notify_channels, s.name, s.name_span, "notify");
        expr(s.message.get());
        return;
      case StepKind::Enroll:
        lookup(sym_.workflows, s.name, s.name_span, DiagnosticKind::UnknownWorkflow, "workflow");
        return;
      case StepKind::Wait:
        check_wait(s);
        return;
      case StepKind::If:
        for (IfArm& arm : s.arms) {
          expr(arm.condition.get());
          block(arm.body);
        }
        block(s.else_body);
        return;
      case StepKind::For:
        for (IfArm& arm : s.arms) {
          expr(arm.condition.get());
          block(arm.body);
        }
        expr(s.order_by.get());
        block(s.else_body);
        return;
    }
  }

  void check_wait(Step& s) {
    expr(s.amount.get());
    switch (s.wait_kind) {
      case WaitKind::BusinessDays:
      case WaitKind::BusinessHours:
        if (!s.name.empty()) {
          lookup(sym_.calendars, s.name, s.name_span, DiagnosticKind::UnknownCalendar, "calendar");
        }
        return;
      case WaitKind::ForEvent: {
        const EventInfo* event = lookup_event(s.name, s.name_span);
        with_event(event, s.where.get());
        block(s.timeout_body);
        return;
      }
      case WaitKind::Duration:
      case WaitKind::Until:
        return;
    }
  }

  void check_scoring(ScoringDecl& decl) {
    for (ScoringRule& rule : decl.rules) {
      check_points(rule.points, rule.points_span.valid() ? rule.points_span : rule.span);
      if (rule.kind == ScoringRuleKind::OnEvent) {
        const EventInfo* event = lookup_event(rule.event, rule.event_span);
        with_event(event, rule.condition.get());
      } else {
        expr(rule.condition.get());
      }
    }
  }

  void check_stages(StagesDecl& decl) {
    if (!decl.by_score) return;
    bool all_valid = true;
    for (const StageRange& r : decl.ranges) {
      if (r.low > r.high) {
        sink_.error(DiagnosticKind::StageRangeInvalid, r.span,
                    "stage " + code(r.name) + " has an empty range " +
                        code(std::to_string(r.low) + ".." + std::to_string(r.high)))
            .help = "write the lower bound first";
        all_valid = false;
      } else if (r.low < 0 || r.high > 100) {
        sink_.error(DiagnosticKind::StageRangeInvalid, r.span,
                    "stage " + code(r.name) + " range " +
                        code(std::to_string(r.low) + ".." + std::to_string(r.high)) + " is outside 0..100");
        all_valid = false;
      }
    }
    if (!all_valid) return;  // a gap or overlap next to a bad range would only repeat it
    if (decl.ranges.empty()) {
      sink_.error(DiagnosticKind::StageRangeGap, decl.span, "stages by score leave 0..100 without a stage");
      return;
    }
    std::vector<const StageRange*> sorted;
    sorted.reserve(decl.ranges.size());
    for (const StageRange& r : decl.ranges) sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const StageRange* a, const StageRange* b) { return a->low < b->low; });
    std::int64_t next = 0;  // the lowest score not yet covered
    const StageRange* reach = nullptr;  // the range that covers up to next - 1
    for (const StageRange* r : sorted) {
      if (r->low > next) {
        sink_.error(DiagnosticKind::StageRangeGap, r->span,
                    "stage ranges leave a gap: " + code(std::to_string(next) + ".." + std::to_string(r->low - 1)) +
                        " belongs to no stage");
      } else if (r->low < next && reach) {
        Diagnostic& d = sink_.error(
            DiagnosticKind::StageRangeOverlap, r->span,
            "stage " + code(r->name) + " " + code(std::to_string(r->low) + ".." + std::to_string(r->high)) +
                " overlaps " + code(reach->name) + " " +
                code(std::to_string(reach->low) + ".." + std::to_string(reach->high)));
        d.notes.push_back({reach->span, code(reach->name) + " is declared here"});
      }
      if (r->high + 1 > next) {
        next = r->high + 1;
        reach = r;
      }
    }
    if (next <= 100) {
      sink_.error(DiagnosticKind::StageRangeGap, reach ? reach->span : decl.span,
                  "stage ranges leave a gap: " + code(std::to_string(next) + "..100") + " belongs to no stage");
    }
  }

  void check_use(UseDecl& decl) {
    for (std::size_t i = 0; i < decl.names.size(); ++i) {
      const Span span = i < decl.name_spans.size() ? decl.name_spans[i] : decl.span;
      const std::string& name = decl.names[i];
      if (decl.kind == UseKind::DisableWorkflows) {
        if (lookup(sym_.workflows, name, span, DiagnosticKind::UnknownWorkflow, "workflow")) {
          sym_.disabled_workflows.push_back(name);
        }
        continue;
      }
      if (decl.kind == UseKind::Scoring) {
        if (lookup(sym_.scorings, name, span, DiagnosticKind::UnknownScoring, "scoring model") &&
            std::find(sym_.active_scorings.begin(), sym_.active_scorings.end(), name) ==
                sym_.active_scorings.end()) {
          sym_.active_scorings.push_back(name);
        }
      } else if (lookup(sym_.stage_sets, name, span, DiagnosticKind::UnknownStage, "stages") &&
                 sym_.active_stages.empty()) {
        sym_.active_stages = name;
      }
    }
  }

  void check_target(RouteTarget& target, bool fallback) {
    switch (target.kind) {
      case TargetKind::Team:
      case TargetKind::RoundRobin:
        lookup(sym_.teams, target.team, target.team_span, DiagnosticKind::UnknownTeam, "team");
        return;
      case TargetKind::Manager:
        if (!fallback) {
          sink_.error(DiagnosticKind::ManagerFallbackOnly, target.span,
                      "`manager` can only be a router's `fallback`")
              .help = "route to a team or an owner here, and add `fallback manager` after the routes";
        }
        return;
      case TargetKind::Owner:
        expr(target.owner.get());
        return;
    }
  }

  void check_router(RouterDecl& decl) {
    for (Route& route : decl.routes) {
      expr(route.condition.get());
      check_target(route.target, false);
    }
    if (decl.fallback) check_target(*decl.fallback, true);
  }

  void check_team(TeamDecl& decl) {
    expr(decl.members.get());
    check_time_zone(decl.timezone, decl.timezone_span);
    if (decl.hours) check_clock(*decl.hours);
  }

  void check_sla(SlaDecl& decl) {
    expr(decl.duration.get());
    if (!decl.start_event.empty()) lookup_event(decl.start_event, decl.start_span);
    if (!decl.stop_event.empty()) lookup_event(decl.stop_event, decl.stop_span);
    for (const SlaLevel& level : decl.levels) {
      if (!(level.percent >= 1 && level.percent <= 1000)) {
        std::string shown(text(level.percent_span));
        if (shown.empty()) shown = std::to_string(static_cast<long long>(level.percent)) + "%";
        sink_.error(DiagnosticKind::InvalidPercent,
                    level.percent_span.valid() ? level.percent_span : level.span,
                    "SLA level " + code(shown) + " is outside 1%..1000%");
      }
      if (level.action == SlaAction::Notify) check_channel(notify_channels, level.channel, level.span, "notify");
    }
  }

  void check_calendar(CalendarDecl& decl) {
    check_time_zone(decl.timezone, decl.timezone_span);
    if (decl.hours) check_clock(*decl.hours);
    expr(decl.holidays.get());
  }

  void check_governance(GovernanceDecl& decl) {
    check_time_zone(decl.timezone, decl.timezone_span);
    for (const CapRule& cap : decl.caps) check_channel(cap_channels, cap.channel, cap.span, "cap");
    if (decl.send_window) check_clock(*decl.send_window);
  }

  Compilation& c_;
  Symbols& sym_;
  DiagnosticSink& sink_;
  const Visibility& vis_;
  SourceId cur_ = no_source;
  EventScope scope_;
  std::unordered_map<const ConstDecl*, int> const_index_;
  std::unordered_map<std::string, std::vector<SourceId>> stage_sources_;
  std::unordered_map<std::string, std::optional<std::string>> suggestions_;
};

}  // namespace

void resolve(Compilation& c, const Visibility& visibility) {
  Resolver(c, visibility).run();
}

}  // namespace leadflow::dsl
