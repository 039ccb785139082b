// Lowering: the checked AST and its Symbols become the engine's Program (as souffle's ast2ram
// turns its AST into RAM): graphs of steps, flat expression code, indices instead of names.
#include "dsl/lower.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/account_scope.hpp"
#include "engine/expr_code.hpp"
#include "engine/expr_eval.hpp"
#include "engine/program.hpp"
#include "engine/workflow_graph.hpp"

namespace leadflow::dsl {

namespace {

using engine::EdgeLabel;
using engine::ExprCode;
using engine::ExprCodeBuilder;
using engine::StepIndex;
using engine::Value;

std::string code(std::string_view s) { return "`" + std::string(s) + "`"; }

engine::ValueKind value_kind(TypeKind k) {
  switch (k) {
    case TypeKind::Bool: return engine::ValueKind::Bool;
    case TypeKind::Int: return engine::ValueKind::Int;
    case TypeKind::Decimal: return engine::ValueKind::Decimal;
    case TypeKind::String: return engine::ValueKind::String;
    case TypeKind::Time: return engine::ValueKind::Time;
    case TypeKind::Duration: return engine::ValueKind::Duration;
    case TypeKind::List: return engine::ValueKind::List;
    case TypeKind::Error:
    case TypeKind::Null:
    case TypeKind::Regex: return engine::ValueKind::Null;
  }
  return engine::ValueKind::Null;
}

engine::OpCode binary_opcode(Op op) {
  switch (op) {
    case Op::Add: return engine::OpCode::Add;
    case Op::Sub: return engine::OpCode::Sub;
    case Op::Mul: return engine::OpCode::Mul;
    case Op::Div: return engine::OpCode::Div;
    case Op::Mod: return engine::OpCode::Mod;
    case Op::Eq: return engine::OpCode::Eq;
    case Op::Ne: return engine::OpCode::Ne;
    case Op::Lt: return engine::OpCode::Lt;
    case Op::Le: return engine::OpCode::Le;
    case Op::Gt: return engine::OpCode::Gt;
    case Op::Ge: return engine::OpCode::Ge;
    case Op::In: return engine::OpCode::In;
    case Op::NotIn: return engine::OpCode::NotIn;
    default: return engine::OpCode::Eq;  // And, Or, Matches are lowered on their own
  }
}

// ---------------------------------------------------------------- labels

// Cuts after whole words so the result stays near `keep` bytes, marking the cut with `mark`.
constexpr std::size_t label_limit = 40;

std::string shorten(std::string_view text, std::string_view mark, std::size_t keep = label_limit - 2,
                    std::size_t limit = label_limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = 0;
  for (std::size_t i = 0; i <= keep && i < text.size(); ++i) {
    if (text[i] == ' ') cut = i;
  }
  if (cut == 0) {
    // One long word: cut inside it, but never inside a UTF-8 sequence.
    cut = keep;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out(text.substr(0, cut));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += mark;
  return out;
}

std::string short_expr(std::string_view source) { return shorten(source, " ..."); }

// A decoded string literal as the user would write it: shortened, then re-escaped.
std::string short_quoted(std::string_view decoded) {
  std::string out = "\"";
  for (char c : shorten(decoded, "...")) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '{': out += "\\{"; break;
      case '}': out += "\\}"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

// A string literal's source text (escapes and `{...}` kept), without its quotes, shortened.
std::string short_source_string(std::string_view source) {
  std::string_view inner = source;
  if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') inner = inner.substr(1, inner.size() - 2);
  std::string cut = shorten(inner, "");
  if (cut.size() < inner.size()) {
    // Never end on half an escape sequence.
    std::size_t backslashes = 0;
    while (backslashes < cut.size() && cut[cut.size() - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 1) cut.pop_back();
    cut += "...";
  }
  return "\"" + cut + "\"";
}

std::string points_text(std::int64_t points) {
  return (points >= 0 ? "+" : "") + std::to_string(points);
}

// ---------------------------------------------------------------- graph building

// A dangling edge: `from` continues with label `label` to whatever step comes next.
struct Exit {
  StepIndex from;
  EdgeLabel label;
};

struct PendingEdge {
  StepIndex from;
  StepIndex to;
  EdgeLabel label;
};

constexpr StepIndex end_marker = engine::no_step - 1;

class GraphBuilder {
 public:
  StepIndex add(engine::Step step) {
    // Two steps of one kind on one line: the second gets `#2`, the third `#3`.
    int& seen = ids_[step.id];
    ++seen;
    if (seen > 1) step.id += "#" + std::to_string(seen);
    steps_.push_back(std::move(step));
    return static_cast<StepIndex>(steps_.size() - 1);
  }

  // The id the step finally got (with `#2` when it needed one).
  const std::string& id(StepIndex v) const { return steps_[v].id; }

  void connect(const std::vector<Exit>& exits, StepIndex to) {
    for (const Exit& e : exits) edges_.push_back({e.from, to, e.label});
  }

  std::shared_ptr<engine::WorkflowGraph> finish(engine::Step end, std::string* error) {
    const auto end_index = static_cast<StepIndex>(steps_.size());
    steps_.push_back(std::move(end));
    for (PendingEdge& e : edges_) {
      if (e.to == end_marker) e.to = end_index;
    }
    // A canonical edge order (by source, label, target) keeps every export byte-stable.
    std::sort(edges_.begin(), edges_.end(), [](const PendingEdge& a, const PendingEdge& b) {
      return std::tie(a.from, a.label, a.to) < std::tie(b.from, b.label, b.to);
    });
    auto graph = std::make_shared<engine::WorkflowGraph>();
    for (engine::Step& s : steps_) graph->add_step(std::move(s));
    for (const PendingEdge& e : edges_) graph->add_edge(e.from, e.to, e.label);
    if (!graph->seal(error)) return nullptr;
    return graph;
  }

 private:
  std::vector<engine::Step> steps_;
  std::vector<PendingEdge> edges_;
  std::map<std::string, int> ids_;
};

// ---------------------------------------------------------------- the lowerer

class Lowerer {
 public:
  Lowerer(const Compilation& c, DiagnosticSink& sink) : c_(c), sym_(c.symbols), sink_(sink) {}

  std::shared_ptr<const engine::Program> run() {
    p_ = std::make_shared<engine::Program>();
    version();
    collect();
    schema();
    constants();
    for (std::size_t i = 0; i < workflows_.size(); ++i) workflow(*workflows_[i], static_cast<std::int32_t>(i));
    // The `for` bodies of account workflows, after every declared workflow (whose indices the
    // steps already refer to).
    for (engine::Workflow& body : bodies_) p_->workflows.push_back(std::move(body));
    bodies_.clear();
    for (const ScoringDecl* d : scorings_) scoring(*d);
    for (const StagesDecl* d : stage_sets_) stages(*d);
    for (const RouterDecl* d : routers_) router(*d);
    for (const TeamDecl* d : teams_) team(*d);
    for (const SlaDecl* d : slas_) sla(*d);
    for (const CalendarDecl* d : calendars_) calendar(*d);
    governance();
    selection();
    for (const std::string& name : c_.symbols.disabled_workflows) {
      for (engine::Workflow& w : p_->workflows) {
        if (w.name != name) continue;
        w.disabled = true;
        w.triggers.clear();
      }
    }
    p_->build_indices();
    if (failed_) return nullptr;
    return p_;
  }

 private:
  // ------------------------------------------------------------ declarations

  void version() {
    std::vector<std::string_view> texts;
    for (SourceId id = 0; id < c_.sources.size(); ++id) {
      texts.push_back(c_.sources.file(id).text);
      p_->files.push_back(c_.sources.file(id).path);
    }
    p_->version = engine::source_set_version(texts);
  }

  // Each name's first definition, in load order; the indices the steps refer to.
  void collect() {
    for (const auto& file : c_.files) {
      for (const WorkflowDecl& d : file->workflows) take(sym_.workflows, d, workflows_, workflow_index_);
      for (const ScoringDecl& d : file->scorings) take(sym_.scorings, d, scorings_, scoring_index_);
      for (const StagesDecl& d : file->stages) take(sym_.stage_sets, d, stage_sets_, stage_set_index_);
      for (const RouterDecl& d : file->routers) take(sym_.routers, d, routers_, router_index_);
      for (const TeamDecl& d : file->teams) take(sym_.teams, d, teams_, team_index_);
      for (const SlaDecl& d : file->slas) take(sym_.slas, d, slas_, sla_index_);
      for (const CalendarDecl& d : file->calendars) take(sym_.calendars, d, calendars_, calendar_index_);
    }
  }

  template <typename Decl, typename SymbolMap>
  static void take(const SymbolMap& symbols, const Decl& d, std::vector<const Decl*>& out,
                   std::map<std::string, std::int32_t>& index) {
    auto it = symbols.find(d.name);
    // Unnamed or not registered (a checker that did not see it): still the first wins.
    if (it != symbols.end() && it->second != &d) return;
    if (index.count(d.name)) return;
    index.emplace(d.name, static_cast<std::int32_t>(out.size()));
    out.push_back(&d);
  }

  static std::int32_t lookup(const std::map<std::string, std::int32_t>& index, const std::string& name) {
    auto it = index.find(name);
    return it == index.end() ? engine::no_index : it->second;
  }

  void schema() {
    for (const LeadFieldInfo& f : sym_.lead_fields) {
      engine::FieldDef def;
      def.name = f.name;
      def.type = value_kind(f.type.kind);
      def.element = f.type.kind == TypeKind::List ? value_kind(f.type.element) : engine::ValueKind::Null;
      def.slot = f.slot;
      def.builtin = f.builtin;
      p_->lead_fields.push_back(std::move(def));
    }
    // Symbols keeps fields in slot order; make sure the table is indexable by slot regardless.
    std::sort(p_->lead_fields.begin(), p_->lead_fields.end(),
              [](const engine::FieldDef& a, const engine::FieldDef& b) { return a.slot < b.slot; });

    for (const EventInfo& e : sym_.events) {
      engine::EventDef def;
      def.name = e.name;
      def.index = e.index;
      for (const EventFieldInfo& f : e.fields) {
        engine::FieldDef field;
        field.name = f.name;
        field.type = value_kind(f.type.kind);
        field.element = f.type.kind == TypeKind::List ? value_kind(f.type.element) : engine::ValueKind::Null;
        field.slot = f.index;
        def.fields.push_back(std::move(field));
      }
      std::sort(def.fields.begin(), def.fields.end(),
                [](const engine::FieldDef& a, const engine::FieldDef& b) { return a.slot < b.slot; });
      if (e.decl) {
        for (const SetClause& set : e.decl->sets) {
          if (!set.value) continue;
          def.sets.push_back({field_slot(set), lower_expr(*set.value)});
        }
      }
      p_->events.push_back(std::move(def));
    }
    std::sort(p_->events.begin(), p_->events.end(),
              [](const engine::EventDef& a, const engine::EventDef& b) { return a.index < b.index; });
  }

  void constants() {
    for (const auto& [name, decl] : sym_.consts) {
      if (!decl || !decl->value) continue;
      auto v = fold_value(*decl->value);
      p_->constants.push_back({name, v ? std::move(*v) : Value()});
    }
  }

  // ------------------------------------------------------------ workflows

  void workflow(const WorkflowDecl& d, std::int32_t index) {
    engine::Workflow w;
    w.name = d.name;
    w.index = index;
    w.line = line(d.name_span.valid() ? d.name_span : d.span);
    if (d.span.valid()) w.file = c_.sources.file(d.span.source).path;

    for (const Trigger& t : d.triggers) w.triggers.push_back(trigger(t));
    if (!d.policies.empty()) {
      const EnrollPolicy& p = d.policies.front();
      switch (p.kind) {
        case EnrollPolicyKind::Always: w.policy.kind = engine::EnrollPolicyKind::Always; break;
        case EnrollPolicyKind::Once: w.policy.kind = engine::EnrollPolicyKind::Once; break;
        case EnrollPolicyKind::AgainAfter:
          w.policy.kind = engine::EnrollPolicyKind::AgainAfter;
          w.policy.cooldown_seconds = p.cooldown ? constant_seconds(*p.cooldown, "an `enroll again after` cooldown") : 0;
          break;
      }
    } else {
      // docs/language.md: `enroll once` is the default.
      w.policy.kind = engine::EnrollPolicyKind::Once;
    }
    for (const ExitRule& rule : d.exits) {
      for (const std::string& name : rule.events) {
        std::int32_t e = event_index(name);
        if (e != engine::no_index) w.exits.events.push_back(e);
      }
      if (rule.condition) w.exits.conditions.push_back(lower_expr(*rule.condition));
    }
    std::sort(w.exits.events.begin(), w.exits.events.end());
    w.exits.events.erase(std::unique(w.exits.events.begin(), w.exits.events.end()), w.exits.events.end());

    std::shared_ptr<engine::AccountPlan> plan;
    if (d.account_scoped()) {
      plan = std::make_shared<engine::AccountPlan>();
      account_ = {&w, index, &plan->steps};
    }

    GraphBuilder g;
    engine::Step start;
    start.kind = engine::StepKind::Start;
    start.id = d.name + "/start";
    start.line = w.line;
    start.label = "start";
    StepIndex s = g.add(std::move(start));
    std::vector<Exit> open = block(g, d.steps, d.name, {Exit{s, EdgeLabel::Next}});
    g.connect(open, end_marker);
    account_ = {};
    w.account = std::move(plan);

    engine::Step end;
    end.kind = engine::StepKind::End;
    end.id = d.name + "/end";
    end.line = d.span.valid() && d.span.end > d.span.begin ? line_at(d.span.source, d.span.end - 1) : w.line;
    end.label = "end";
    std::string error;
    w.graph = g.finish(std::move(end), &error);
    if (!w.graph) {
      // The graph is built from a tree of blocks, so this is a bug in the lowering, not the input.
      sink_.error(DiagnosticKind::UnreachableStep, d.name_span,
                  "internal error: cannot build the graph of workflow " + code(d.name) + ": " + error);
      failed_ = true;
    }
    p_->workflows.push_back(std::move(w));
  }

  engine::TriggerDef trigger(const Trigger& t) {
    engine::TriggerDef def;
    def.text = text(t.span);
    switch (t.kind) {
      case TriggerKind::Event:
        def.kind = engine::TriggerKind::Event;
        if (t.subject) {
          def.event = t.subject->resolved_slot >= 0 ? t.subject->resolved_slot : event_index(t.subject->name);
        }
        if (t.where) def.where = lower_expr(*t.where);
        break;
      case TriggerKind::Becomes:
      case TriggerKind::Crosses:
        def.kind = t.kind == TriggerKind::Becomes ? engine::TriggerKind::Becomes : engine::TriggerKind::Crosses;
        if (t.subject) def.field = lead_slot(*t.subject);
        if (t.value) def.value = lower_expr(*t.value);
        def.below = t.crosses_below;
        break;
      case TriggerKind::Unchanged:
        def.kind = engine::TriggerKind::Unchanged;
        if (t.subject) def.condition = lower_expr(*t.subject);
        if (t.value) def.held_seconds = constant_seconds(*t.value, "an `unchanged for` duration");
        break;
    }
    return def;
  }

  std::string step_id(const std::string& prefix, engine::StepKind kind, std::uint32_t at) {
    return prefix + "/" + engine::step_kind_name(kind) + "@" + std::to_string(at);
  }

  // Lowers `steps` whose first step is entered through `in`; returns the edges left dangling
  // at its end (they go to whatever follows the block).
  std::vector<Exit> block(GraphBuilder& g, const Block& steps, const std::string& prefix, std::vector<Exit> in) {
    for (const StepPtr& sp : steps) {
      if (!sp) continue;
      // After `stop` nothing flows on; the checker rejects steps there (UnreachableStep).
      if (in.empty()) break;
      in = step(g, *sp, prefix, std::move(in));
    }
    return in;
  }

  std::vector<Exit> step(GraphBuilder& g, const Step& s, const std::string& prefix, std::vector<Exit> in) {
    engine::Step out;
    out.line = line(s.keyword_span.valid() ? s.keyword_span : s.span);
    switch (s.kind) {
      case StepKind::If: return if_step(g, s, prefix, std::move(in), out.line);
      case StepKind::For: return for_step(g, s, prefix, std::move(in), out.line);
      case StepKind::Score: {
        out.kind = engine::StepKind::Score;
        out.label = "score " + points_text(s.points) + " " + short_quoted(s.text);
        out.payload = engine::ScoreStep{s.points, s.text};
        break;
      }
      case StepKind::Stage:
        out.kind = engine::StepKind::Stage;
        out.label = "stage " + s.name;
        out.payload = engine::StageStep{s.name, s.text};
        break;
      case StepKind::Set: {
        out.kind = engine::StepKind::Set;
        engine::SetStep set;
        if (s.set) {
          set.slot = field_slot(*s.set);
          set.field = s.set->field;
          if (s.set->value) set.value = lower_expr(*s.set->value);
          out.label = "set lead." + s.set->field + " = " + short_expr(set.value.source);
        } else {
          out.label = "set";
        }
        out.payload = std::move(set);
        break;
      }
      case StepKind::Tag:
        out.kind = engine::StepKind::Tag;
        out.label = "tag " + short_quoted(s.text);
        out.payload = engine::TagStep{s.text};
        break;
      case StepKind::Assign: {
        out.kind = engine::StepKind::Assign;
        engine::AssignStep a;
        switch (s.assign_kind) {
          case AssignKind::Router:
            a.mode = engine::AssignMode::Router;
            a.router = lookup(router_index_, s.name);
            out.label = "assign using " + s.name;
            break;
          case AssignKind::Team:
            a.mode = engine::AssignMode::Team;
            a.team = lookup(team_index_, s.name);
            out.label = "assign to team " + s.name;
            break;
          case AssignKind::Owner:
            a.mode = engine::AssignMode::Owner;
            if (s.owner) a.owner = lower_expr(*s.owner);
            out.label = "assign to " + short_expr(a.owner.source);
            break;
        }
        if (!s.sla.empty()) a.sla = lookup(sla_index_, s.sla);
        out.payload = std::move(a);
        break;
      }
      case StepKind::Task: {
        out.kind = engine::StepKind::Task;
        engine::TaskStep t;
        if (s.title) {
          t.title = lower_expr(*s.title);
          out.label = "task " + short_source_string(text(s.title->span));
        } else {
          ExprCodeBuilder b(&regexes_);
          b.push_const(Value::string(s.text));
          t.title = b.finish("\"" + s.text + "\"");
          out.label = "task " + short_quoted(s.text);
        }
        if (s.due) t.due = lower_expr(*s.due);
        if (s.owner) t.owner = lower_expr(*s.owner);
        t.priority = s.priority;
        out.payload = std::move(t);
        break;
      }
      case StepKind::Send: {
        out.kind = engine::StepKind::Send;
        engine::SendStep send;
        send.channel = s.name;
        send.template_name = s.text;
        send.sender = s.sender;
        if (s.owner) send.to = lower_expr(*s.owner);
        out.label = "send " + s.name + " " + short_quoted(s.text);
        out.payload = std::move(send);
        break;
      }
      case StepKind::Notify: {
        out.kind = engine::StepKind::Notify;
        engine::NotifyStep n;
        switch (s.notify_target) {
          case NotifyTarget::Channel:
            n.target = engine::NotifyTarget::Channel;
            n.channel = s.name;
            n.destination = s.text;
            out.label = "notify " + s.name + " " + short_quoted(s.text);
            break;
          case NotifyTarget::Owner:
            n.target = engine::NotifyTarget::Owner;
            out.label = "notify owner";
            break;
          case NotifyTarget::Manager:
            n.target = engine::NotifyTarget::Manager;
            out.label = "notify manager";
            break;
        }
        if (s.message) n.message = lower_expr(*s.message);
        out.payload = std::move(n);
        break;
      }
      case StepKind::Webhook:
        out.kind = engine::StepKind::Webhook;
        out.label = "webhook " + short_quoted(s.text);
        out.payload = engine::WebhookStep{s.text};
        break;
      case StepKind::Validate:
        out.kind = engine::StepKind::Validate;
        out.label = "validate email";
        break;
      case StepKind::Enrich:
        out.kind = engine::StepKind::Enrich;
        out.label = "enrich";
        break;
      case StepKind::Enroll:
        out.kind = engine::StepKind::Enroll;
        out.label = "enroll " + s.name;
        out.payload = engine::EnrollStep{lookup(workflow_index_, s.name), s.name};
        break;
      case StepKind::Stop: {
        out.kind = engine::StepKind::Stop;
        out.label = "stop";
        out.id = step_id(prefix, out.kind, out.line);
        StepIndex v = g.add(std::move(out));
        g.connect(in, v);
        g.connect({Exit{v, EdgeLabel::Next}}, end_marker);
        return {};
      }
      case StepKind::Wait: return wait_step(g, s, prefix, std::move(in), std::move(out));
    }
    out.id = step_id(prefix, out.kind, out.line);
    StepIndex v = g.add(std::move(out));
    g.connect(in, v);
    return {Exit{v, EdgeLabel::Next}};
  }

  std::vector<Exit> wait_step(GraphBuilder& g, const Step& s, const std::string& prefix, std::vector<Exit> in,
                              engine::Step out) {
    out.kind = engine::StepKind::Wait;
    engine::WaitStep w;
    if (s.amount) w.amount = lower_expr(*s.amount);
    const std::string amount = short_expr(w.amount.source);
    switch (s.wait_kind) {
      case WaitKind::Duration:
        w.mode = engine::WaitMode::Duration;
        out.label = "wait " + amount;
        break;
      case WaitKind::BusinessDays:
      case WaitKind::BusinessHours:
        w.mode = s.wait_kind == WaitKind::BusinessDays ? engine::WaitMode::BusinessDays : engine::WaitMode::BusinessHours;
        if (!s.name.empty()) w.calendar = lookup(calendar_index_, s.name);
        out.label = "wait " + amount + (s.wait_kind == WaitKind::BusinessDays ? " business days" : " business hours");
        break;
      case WaitKind::Until:
        w.mode = engine::WaitMode::Until;
        out.label = "wait until " + amount;
        break;
      case WaitKind::ForEvent:
        w.mode = engine::WaitMode::ForEvent;
        w.event = event_index(s.name);
        if (s.where) w.where = lower_expr(*s.where);
        w.has_timeout_block = s.has_timeout;
        out.label = "wait up to " + amount + " for " + s.name;
        break;
    }
    out.payload = std::move(w);
    out.id = step_id(prefix, out.kind, out.line);
    StepIndex v = g.add(std::move(out));
    g.connect(in, v);
    if (s.wait_kind != WaitKind::ForEvent) return {Exit{v, EdgeLabel::Next}};
    // The event arrived: Next. The limit passed: Timeout, into the `on timeout` block (its steps
    // are under `.../wait@L/timeout/`) if there is one, else straight on to the next step.
    std::vector<Exit> open{Exit{v, EdgeLabel::Next}};
    std::vector<Exit> timeout = s.has_timeout
                                    ? block(g, s.timeout_body, g.id(v) + "/timeout", {Exit{v, EdgeLabel::Timeout}})
                                    : std::vector<Exit>{Exit{v, EdgeLabel::Timeout}};
    open.insert(open.end(), timeout.begin(), timeout.end());
    return open;
  }

  // A condition for a label: whole when short; else the first operand of a top-level
  // `and`/`or` (`if lead.employees > 50 and ...`), else cut after whole words.
  std::string short_condition(const Expr& e) const {
    std::string whole = text(e.span);
    if (whole.size() <= label_limit) return whole;
    if (e.kind == ExprKind::Binary && (e.op == Op::And || e.op == Op::Or) && e.children.size() == 2 &&
        e.children[0]) {
      std::string left = text(e.children[0]->span);
      if (left.size() <= label_limit) {
        return left + (e.op == Op::And ? " and ..." : " or ...");
      }
      return short_condition(*e.children[0]);
    }
    return short_expr(whole);
  }

  std::vector<Exit> if_step(GraphBuilder& g, const Step& s, const std::string& prefix, std::vector<Exit> in,
                            std::uint32_t at) {
    if (s.arms.empty()) return in;
    engine::Step head;
    head.kind = engine::StepKind::If;
    head.line = at;
    const IfArm& first = s.arms.front();
    engine::BranchStep branch;
    if (first.condition) branch.condition = lower_expr(*first.condition);
    head.label = "if " + (first.condition ? short_condition(*first.condition) : std::string());
    head.payload = std::move(branch);
    head.id = step_id(prefix, head.kind, at);
    StepIndex v = g.add(std::move(head));
    const std::string if_path = g.id(v);
    g.connect(in, v);

    std::vector<Exit> open = block(g, first.body, if_path + "/then", {Exit{v, EdgeLabel::Then}});
    Exit otherwise{v, EdgeLabel::Else};
    for (std::size_t i = 1; i < s.arms.size(); ++i) {
      const IfArm& arm = s.arms[i];
      engine::Step elif;
      elif.kind = engine::StepKind::ElseIf;
      elif.line = line(arm.span.valid() ? arm.span : (arm.condition ? arm.condition->span : s.span));
      engine::BranchStep cond;
      if (arm.condition) cond.condition = lower_expr(*arm.condition);
      elif.label = "else if " + (arm.condition ? short_condition(*arm.condition) : std::string());
      elif.payload = std::move(cond);
      elif.id = step_id(if_path, elif.kind, elif.line);
      StepIndex e = g.add(std::move(elif));
      g.connect({otherwise}, e);
      const std::string elif_path = g.id(e);
      std::vector<Exit> arm_open = block(g, arm.body, elif_path + "/then", {Exit{e, EdgeLabel::Then}});
      open.insert(open.end(), arm_open.begin(), arm_open.end());
      otherwise = Exit{e, EdgeLabel::Else};
    }
    if (s.has_else) {
      std::vector<Exit> else_open = block(g, s.else_body, if_path + "/else", {otherwise});
      open.insert(open.end(), else_open.begin(), else_open.end());
    } else {
      open.push_back(otherwise);
    }
    return open;
  }

  // `for ... of account`: a For node in the account workflow's graph (its body on the Then edge,
  // the else block on the Else edge, for display), a selection in the account plan, and a hidden
  // per-lead workflow that runs the body on each lead chosen.
  std::vector<Exit> for_step(GraphBuilder& g, const Step& s, const std::string& prefix, std::vector<Exit> in,
                             std::uint32_t at) {
    if (s.arms.empty() || !account_.workflow) return in;  // the checker reports a `for` elsewhere
    const IfArm& arm = s.arms.front();
    engine::Step head;
    head.kind = engine::StepKind::For;
    head.line = at;
    head.label = (s.for_limit > 0 ? "for up to " + std::to_string(s.for_limit) + (s.for_limit == 1 ? " lead" : " leads")
                                  : std::string("for every lead")) +
                 " of account" + (arm.condition ? " where " + short_condition(*arm.condition) : std::string());
    head.id = step_id(prefix, head.kind, at);
    const std::string label = head.label;
    StepIndex v = g.add(std::move(head));
    const std::string for_path = g.id(v);
    g.connect(in, v);
    std::vector<Exit> open = block(g, arm.body, for_path + "/then", {Exit{v, EdgeLabel::Then}});

    engine::AccountSelection selection;
    selection.label = label;
    selection.line = at;
    selection.limit = s.for_limit;
    if (arm.condition) selection.where = lower_expr(*arm.condition);
    if (s.order_by) selection.order_by = lower_expr(*s.order_by);
    selection.descending = s.order_descending;
    selection.body = static_cast<std::int32_t>(workflows_.size() + bodies_.size());
    bodies_.push_back(for_body(arm.body, for_path, at, s.span));

    std::vector<engine::AccountSelection>* outer = account_.selections;
    account_.selections = &selection.otherwise;
    if (s.has_else) {
      std::vector<Exit> else_open = block(g, s.else_body, for_path + "/else", {Exit{v, EdgeLabel::Else}});
      open.insert(open.end(), else_open.begin(), else_open.end());
    } else {
      open.push_back(Exit{v, EdgeLabel::Else});
    }
    account_.selections = outer;
    outer->push_back(std::move(selection));
    return open;
  }

  // The per-lead workflow behind a `for` body: the account workflow's name (so its lines read as
  // that workflow's), its exit rules, and a graph of the body alone with the display graph's ids.
  engine::Workflow for_body(const Block& body, const std::string& for_path, std::uint32_t at, Span span) {
    const engine::Workflow& parent = *account_.workflow;
    engine::Workflow w;
    w.name = parent.name;
    w.file = parent.file;
    w.line = at;
    w.index = static_cast<std::int32_t>(workflows_.size() + bodies_.size());
    w.policy.kind = engine::EnrollPolicyKind::Always;
    w.exits = parent.exits;
    w.body_of = account_.index;
    GraphBuilder g;
    engine::Step start;
    start.kind = engine::StepKind::Start;
    start.id = for_path + "/start";
    start.line = at;
    start.label = "start";
    StepIndex v = g.add(std::move(start));
    AccountContext saved = account_;
    account_ = {};  // a body is per lead: no `for` in it (the checker says so)
    std::vector<Exit> open = block(g, body, for_path + "/then", {Exit{v, EdgeLabel::Next}});
    account_ = saved;
    g.connect(open, end_marker);
    engine::Step end;
    end.kind = engine::StepKind::End;
    end.id = for_path + "/end";
    end.line = span.valid() && span.end > span.begin ? line_at(span.source, span.end - 1) : at;
    end.label = "end";
    std::string error;
    w.graph = g.finish(std::move(end), &error);
    if (!w.graph) {
      sink_.error(DiagnosticKind::UnreachableStep, span, "internal error: cannot build the graph of a `for` body: " + error);
      failed_ = true;
    }
    return w;
  }

  // ------------------------------------------------------------ scoring, stages

  void scoring(const ScoringDecl& d) {
    engine::ScoringModel m;
    m.name = d.name;
    for (const ScoringRule& r : d.rules) {
      switch (r.kind) {
        case ScoringRuleKind::Fit: {
          engine::FitRule f;
          if (r.condition) f.condition = lower_expr(*r.condition);
          f.points = r.points;
          f.reason = r.reason;
          f.line = line(r.span);
          m.fit.push_back(std::move(f));
          break;
        }
        case ScoringRuleKind::OnEvent: {
          engine::EventPointsRule e;
          e.event = event_index(r.event);
          if (r.condition) e.where = lower_expr(*r.condition);
          e.points = r.points;
          e.reason = r.reason;
          e.line = line(r.span);
          m.on_event.push_back(std::move(e));
          break;
        }
        case ScoringRuleKind::Inactive: {
          engine::DecayRule decay;
          decay.after_seconds = r.condition ? constant_seconds(*r.condition, "an `inactive` duration") : 0;
          decay.points = r.points;
          decay.reason = r.reason;
          decay.line = line(r.span);
          m.decay.push_back(std::move(decay));
          break;
        }
      }
    }
    p_->scorings.push_back(std::move(m));
  }

  void stages(const StagesDecl& d) {
    engine::StageSet set;
    set.name = d.name.empty() ? "default" : d.name;
    set.by_score = d.by_score;
    for (const StageRange& r : d.ranges) set.bands.push_back({r.name, r.low, r.high});
    p_->stage_sets.push_back(std::move(set));
  }

  void selection() {
    if (sym_.active_scorings.empty()) {
      for (std::size_t i = 0; i < p_->scorings.size(); ++i) p_->active_scorings.push_back(static_cast<std::int32_t>(i));
    } else {
      for (const std::string& name : sym_.active_scorings) {
        std::int32_t i = lookup(scoring_index_, name);
        if (i != engine::no_index &&
            std::find(p_->active_scorings.begin(), p_->active_scorings.end(), i) == p_->active_scorings.end()) {
          p_->active_scorings.push_back(i);
        }
      }
    }
    if (!sym_.active_stages.empty()) {
      p_->active_stages = lookup(stage_set_index_, sym_.active_stages);
    } else {
      for (std::size_t i = 0; i < p_->stage_sets.size(); ++i) {
        if (p_->stage_sets[i].by_score) {
          p_->active_stages = static_cast<std::int32_t>(i);
          break;
        }
      }
    }
  }

  // ------------------------------------------------------------ routing, teams, SLAs

  engine::RouteTarget target(const RouteTarget& t) {
    engine::RouteTarget out;
    switch (t.kind) {
      case TargetKind::Team: out.kind = engine::RouteTargetKind::Team; break;
      case TargetKind::RoundRobin: out.kind = engine::RouteTargetKind::RoundRobin; break;
      case TargetKind::Manager: out.kind = engine::RouteTargetKind::Manager; break;
      case TargetKind::Owner: out.kind = engine::RouteTargetKind::Owner; break;
    }
    if (!t.team.empty()) out.team = lookup(team_index_, t.team);
    out.skip_away = t.skip_away;
    out.skip_at_capacity = t.skip_at_capacity;
    if (t.owner) out.owner = lower_expr(*t.owner);
    return out;
  }

  void router(const RouterDecl& d) {
    engine::Router r;
    r.name = d.name;
    for (const Route& route : d.routes) {
      engine::RouteRule rule;
      if (route.condition) {
        rule.condition = lower_expr(*route.condition);
        rule.text = rule.condition->source;
      } else {
        rule.text = "otherwise";
      }
      rule.target = target(route.target);
      rule.line = line(route.span);
      r.rules.push_back(std::move(rule));
    }
    if (d.fallback) r.fallback = target(*d.fallback);
    p_->routers.push_back(std::move(r));
  }

  static std::optional<engine::ClockWindow> window(const std::optional<ClockRange>& r) {
    if (!r) return std::nullopt;
    return engine::ClockWindow{r->begin_minute, r->end_minute};
  }

  void team(const TeamDecl& d) {
    engine::Team t;
    t.name = d.name;
    t.manager = d.manager;
    if (d.members) {
      if (auto v = fold_value(*d.members)) {
        if (v->kind() == engine::ValueKind::List) {
          for (const Value& m : v->as_list()) {
            if (m.kind() == engine::ValueKind::String) t.members.emplace_back(m.as_string());
          }
        } else if (v->kind() == engine::ValueKind::String) {
          t.members.emplace_back(v->as_string());
        }
      }
    }
    t.capacity = d.capacity;
    t.timezone = d.timezone;
    t.hours = window(d.hours);
    p_->teams.push_back(std::move(t));
  }

  static engine::SlaAction sla_action(SlaAction a) {
    switch (a) {
      case SlaAction::RemindOwner: return engine::SlaAction::RemindOwner;
      case SlaAction::AlertManager: return engine::SlaAction::AlertManager;
      case SlaAction::AlertTeam: return engine::SlaAction::AlertTeam;
      case SlaAction::Reassign: return engine::SlaAction::Reassign;
      case SlaAction::Notify: return engine::SlaAction::Notify;
    }
    return engine::SlaAction::RemindOwner;
  }

  void sla(const SlaDecl& d) {
    engine::Sla s;
    s.name = d.name;
    s.seconds = d.duration ? constant_seconds(*d.duration, "an SLA duration") : 0;
    if (!d.start_event.empty()) s.start_event = event_index(d.start_event);
    if (!d.stop_event.empty()) s.stop_event = event_index(d.stop_event);
    for (const SlaLevel& l : d.levels) {
      engine::SlaLevel level;
      level.percent = l.percent;
      level.after_seconds = std::llround(static_cast<double>(s.seconds) * l.percent / 100.0);
      level.action = sla_action(l.action);
      level.channel = l.channel;
      level.target = l.target;
      s.levels.push_back(std::move(level));
    }
    std::stable_sort(s.levels.begin(), s.levels.end(),
                     [](const engine::SlaLevel& a, const engine::SlaLevel& b) { return a.percent < b.percent; });
    p_->slas.push_back(std::move(s));
  }

  void calendar(const CalendarDecl& d) {
    engine::Calendar cal;
    cal.name = d.name;
    cal.timezone = d.timezone;
    cal.first_workday = d.first_workday;
    cal.last_workday = d.last_workday;
    cal.hours = window(d.hours);
    if (d.holidays) {
      if (auto v = fold_value(*d.holidays); v && v->kind() == engine::ValueKind::List) {
        for (const Value& day : v->as_list()) {
          if (day.kind() != engine::ValueKind::String) continue;
          if (auto t = engine::parse_time(day.as_string())) cal.holidays.push_back(*t / 86400);
        }
      }
    }
    std::sort(cal.holidays.begin(), cal.holidays.end());
    cal.holidays.erase(std::unique(cal.holidays.begin(), cal.holidays.end()), cal.holidays.end());
    p_->calendars.push_back(std::move(cal));
  }

  void governance() {
    const GovernanceDecl* d = sym_.governance;
    if (!d) {
      for (const auto& file : c_.files) {
        if (!file->governance.empty()) {
          d = &file->governance.front();
          break;
        }
      }
    }
    if (!d) return;
    engine::Governance& g = p_->governance;
    g.declared = true;
    g.timezone = d->timezone;
    for (const CapRule& cap : d->caps) g.caps.push_back({cap.channel, cap.limit, cap.per_sender});
    g.send_window = window(d->send_window);
  }

  // ------------------------------------------------------------ expressions

  ExprCode lower_expr(const Expr& e) {
    ExprCodeBuilder b(&regexes_);
    emit(b, e);
    return b.finish(text(e.span));
  }

  std::optional<Value> fold_value(const Expr& e) {
    ExprCode code = lower_expr(e);
    if (!code.is_constant()) return std::nullopt;
    return engine::evaluate(code, {}, {}, 0);
  }

  // Header durations (cooldowns, `unchanged for`, SLAs, decay) are constants the engine
  // schedules with; the checker has made them durations.
  std::int64_t constant_seconds(const Expr& e, const char* what) {
    auto v = fold_value(e);
    if (v && v->kind() == engine::ValueKind::Duration) return v->as_duration();
    sink_.error(DiagnosticKind::DurationExpected, e.span, std::string(what) + " must be a constant duration")
        .help = "write a duration literal, e.g. `30d`";
    failed_ = true;
    return 0;
  }

  const Expr* const_value(const Expr& e) const {
    if (e.kind != ExprKind::Name) return nullptr;
    if (e.resolved_const) return e.resolved_const->value.get();
    auto it = sym_.consts.find(e.name);
    return it != sym_.consts.end() && it->second ? it->second->value.get() : nullptr;
  }

  // No lead, event or clock reads below `e`: it can be evaluated now, once.
  bool is_constant(const Expr& e, int depth = 0) const {
    if (depth > 256) return false;
    switch (e.kind) {
      case ExprKind::LeadField:
      case ExprKind::EventField:
      case ExprKind::Now: return false;
      case ExprKind::Name: {
        const Expr* v = const_value(e);
        return v && is_constant(*v, depth + 1);
      }
      case ExprKind::Call:
        if (e.name == "days_since" || e.name == "hours_since" || e.name == "minutes_since") return false;
        if (!engine::builtin_by_name(e.name)) return false;
        break;
      case ExprKind::StringLit:
        for (const StringPart& part : e.parts) {
          if (part.is_expr && (!part.expr || !is_constant(*part.expr, depth + 1))) return false;
        }
        return true;
      default: break;
    }
    for (const ExprPtr& child : e.children) {
      if (!child || !is_constant(*child, depth + 1)) return false;
    }
    return true;
  }

  static bool is_literal(const Expr& e) {
    switch (e.kind) {
      case ExprKind::IntLit:
      case ExprKind::DecimalLit:
      case ExprKind::DurationLit:
      case ExprKind::BoolLit:
      case ExprKind::NullLit:
      case ExprKind::RegexLit: return true;
      case ExprKind::StringLit:
        return std::none_of(e.parts.begin(), e.parts.end(), [](const StringPart& p) { return p.is_expr; });
      default: return false;
    }
  }

  bool is_null_literal(const Expr& e) const {
    if (e.kind == ExprKind::NullLit) return true;
    const Expr* v = const_value(e);
    return v && v->kind == ExprKind::NullLit;
  }

  void emit(ExprCodeBuilder& b, const Expr& e) {
    if (!folding_ && !is_literal(e) && is_constant(e)) {
      // Fold the whole constant subtree into one pooled value.
      folding_ = true;
      ExprCodeBuilder scratch(&regexes_);
      emit_raw(scratch, e);
      folding_ = false;
      ExprCode code = scratch.finish({});
      b.push_const(engine::evaluate(code, {}, {}, 0));
      return;
    }
    emit_raw(b, e);
  }

  void emit_raw(ExprCodeBuilder& b, const Expr& e) {
    switch (e.kind) {
      case ExprKind::IntLit: b.push_const(Value::integer(e.int_value)); return;
      case ExprKind::DecimalLit: b.push_const(Value::decimal(e.decimal_value)); return;
      case ExprKind::DurationLit: b.push_const(Value::duration(e.int_value)); return;
      case ExprKind::BoolLit: b.push_const(Value::boolean(e.bool_value)); return;
      case ExprKind::NullLit: b.push_const(Value()); return;
      case ExprKind::Now: b.load_now(); return;
      case ExprKind::RegexLit: b.push_const(Value::string(e.name)); return;
      case ExprKind::StringLit: {
        std::int32_t count = 0;
        bool interpolated = false;
        std::string pending;
        for (const StringPart& part : e.parts) {
          if (!part.is_expr) {
            pending += part.text;
            continue;
          }
          if (!pending.empty()) {
            b.push_const(Value::string(std::move(pending)));
            pending.clear();
            ++count;
          }
          if (part.expr) {
            emit(b, *part.expr);
          } else {
            b.push_const(Value());
          }
          ++count;
          interpolated = true;
        }
        if (!interpolated) {
          b.push_const(Value::string(std::move(pending)));
          return;
        }
        if (!pending.empty()) {
          b.push_const(Value::string(std::move(pending)));
          ++count;
        }
        b.concat(count);
        return;
      }
      case ExprKind::List: {
        std::int32_t count = 0;
        for (const ExprPtr& child : e.children) {
          if (!child) continue;
          emit(b, *child);
          ++count;
        }
        b.make_list(count);
        return;
      }
      case ExprKind::LeadField: b.load_lead(lead_slot(e)); return;
      case ExprKind::EventField: b.load_event(e.resolved_slot); return;
      case ExprKind::Name:
        if (const Expr* v = const_value(e)) {
          emit(b, *v);
        } else {
          b.push_const(Value());
        }
        return;
      case ExprKind::Call: {
        auto fn = engine::builtin_by_name(e.name);
        std::int32_t argc = 0;
        for (const ExprPtr& child : e.children) {
          if (!child) continue;
          emit(b, *child);
          ++argc;
        }
        if (fn) {
          b.call(*fn, argc);
        } else {
          // The checker rejects unknown functions; keep the stack balanced regardless.
          b.make_list(argc);
          b.unary(engine::OpCode::IsNotNull);
        }
        return;
      }
      case ExprKind::Unary:
        if (e.children.empty() || !e.children[0]) {
          b.push_const(Value());
          return;
        }
        emit(b, *e.children[0]);
        b.unary(e.op == Op::Neg ? engine::OpCode::Neg : engine::OpCode::Not);
        return;
      case ExprKind::Binary: binary(b, e); return;
    }
  }

  void binary(ExprCodeBuilder& b, const Expr& e) {
    if (e.children.size() != 2 || !e.children[0] || !e.children[1]) {
      b.push_const(Value());
      return;
    }
    const Expr& l = *e.children[0];
    const Expr& r = *e.children[1];
    switch (e.op) {
      case Op::And:
      case Op::Or: {
        // Short-circuit: the right side runs only when the left does not decide.
        emit(b, l);
        auto skip = e.op == Op::And ? b.jump_if_false() : b.jump_if_true();
        emit(b, r);
        b.unary(engine::OpCode::Truthy);
        b.bind(skip);
        return;
      }
      case Op::Matches: {
        emit(b, l);
        std::optional<std::string> pattern;
        bool icase = false;
        if (r.kind == ExprKind::RegexLit) {
          pattern = r.name;
          icase = r.flags.find('i') != std::string::npos;
        } else if (r.kind == ExprKind::StringLit && is_literal(r)) {
          std::string p;
          for (const StringPart& part : r.parts) p += part.text;
          pattern = std::move(p);
        }
        if (!pattern) {
          emit(b, r);
          b.match_dynamic(false);
          return;
        }
        std::string error;
        std::int32_t re = b.add_regex(*pattern, icase, &error);
        if (re < 0) {
          sink_.error(DiagnosticKind::InvalidRegex, r.span, "invalid regular expression: " + error);
          failed_ = true;
          b.unary(engine::OpCode::IsNull);  // keeps the code well-formed; the program is dropped
          return;
        }
        b.match_regex(re);
        return;
      }
      case Op::Eq:
      case Op::Ne:
        // `null == x` is `x == null`, which the builder turns into a null test.
        if (is_null_literal(l) && !is_null_literal(r)) {
          emit(b, r);
          emit(b, l);
        } else {
          emit(b, l);
          emit(b, r);
        }
        b.binary(binary_opcode(e.op));
        return;
      default:
        emit(b, l);
        emit(b, r);
        b.binary(binary_opcode(e.op));
        return;
    }
  }

  // ------------------------------------------------------------ small helpers

  engine::Slot lead_slot(const Expr& e) const {
    if (e.resolved_slot >= 0) return e.resolved_slot;
    auto it = sym_.lead_field_slot.find(e.name);
    return it == sym_.lead_field_slot.end() ? engine::no_index : it->second;
  }

  engine::Slot field_slot(const SetClause& set) const {
    if (set.resolved_slot >= 0) return set.resolved_slot;
    auto it = sym_.lead_field_slot.find(set.field);
    return it == sym_.lead_field_slot.end() ? engine::no_index : it->second;
  }

  std::int32_t event_index(const std::string& name) const {
    auto it = sym_.event_index.find(name);
    return it == sym_.event_index.end() ? engine::no_index : it->second;
  }

  std::uint32_t line(Span s) const {
    if (!s.valid() || s.source >= c_.sources.size()) return 0;
    return c_.sources.line_col(s.source, s.begin).line;
  }

  std::uint32_t line_at(SourceId source, std::uint32_t offset) const {
    if (source >= c_.sources.size()) return 0;
    return c_.sources.line_col(source, offset).line;
  }

  std::string text(Span s) const {
    if (!s.valid() || s.source >= c_.sources.size()) return {};
    return engine::collapse_whitespace(c_.sources.text(s));
  }


  const Compilation& c_;
  const Symbols& sym_;
  DiagnosticSink& sink_;
  std::shared_ptr<engine::Program> p_;
  engine::RegexPool regexes_;
  bool folding_ = false;
  bool failed_ = false;
  // While an account workflow is lowered: it, its index, and where its `for` steps go.
  struct AccountContext {
    const engine::Workflow* workflow = nullptr;
    std::int32_t index = engine::no_index;
    std::vector<engine::AccountSelection>* selections = nullptr;
  };
  AccountContext account_;
  std::vector<engine::Workflow> bodies_;  // hidden `for` body workflows, appended after the rest

  std::vector<const WorkflowDecl*> workflows_;
  std::vector<const ScoringDecl*> scorings_;
  std::vector<const StagesDecl*> stage_sets_;
  std::vector<const RouterDecl*> routers_;
  std::vector<const TeamDecl*> teams_;
  std::vector<const SlaDecl*> slas_;
  std::vector<const CalendarDecl*> calendars_;
  std::map<std::string, std::int32_t> workflow_index_, scoring_index_, stage_set_index_, router_index_,
      team_index_, sla_index_, calendar_index_;
};

}  // namespace

std::shared_ptr<const engine::Program> lower(const Compilation& c, DiagnosticSink& sink) {
  return Lowerer(c, sink).run();
}

}  // namespace leadflow::dsl
