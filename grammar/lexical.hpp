// Tokens of the .flow language: whitespace and comments, words, keywords, literals.
// Rules only: no actions, no state. Token rules never consume trailing whitespace, so a rule's
// match is exactly the source span of what it recognised; `sep` sits between tokens.
#pragma once

#include <tao/pegtl.hpp>

namespace leadflow::grammar {

namespace pegtl = tao::pegtl;
using namespace pegtl;  // NOLINT: the grammar reads like EBNF only with PEGTL's combinators in scope

// ---- whitespace and comments: `# ...`, `// ...`, `/* ... */`
struct line_comment : seq<sor<one<'#'>, two<'/'>>, until<eolf>> {};
struct block_comment_end : string<'*', '/'> {};
struct block_comment_body : until<block_comment_end> {};
struct block_comment : if_must<string<'/', '*'>, block_comment_body> {};
struct comment : sor<line_comment, block_comment> {};
struct sep : star<sor<plus<space>, comment>> {};
// A token preceded by optional whitespace/comments: `s_<R>` inside if_must keeps errors keyed on R.
template <typename R>
struct s_ : seq<sep, R> {};
// `;` may end any step or entry; never required.
struct semis : star<sep, one<';'>> {};

// ---- words
struct word_first : ranges<'a', 'z', 'A', 'Z', '_'> {};
struct word_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
struct word : seq<word_first, star<word_other>> {};

template <typename Str>
struct kw : seq<Str, not_at<word_other>> {};
#define LEADFLOW_KW(name, text) \
  struct kw_##name : kw<TAO_PEGTL_STRING(text)> {}

// Reserved words: they can appear where an expression can, so they are never identifiers.
LEADFLOW_KW(and, "and");
LEADFLOW_KW(or, "or");
LEADFLOW_KW(not, "not");
LEADFLOW_KW(in, "in");
LEADFLOW_KW(matches, "matches");
LEADFLOW_KW(true, "true");
LEADFLOW_KW(false, "false");
LEADFLOW_KW(null, "null");
LEADFLOW_KW(now, "now");
LEADFLOW_KW(lead, "lead");
LEADFLOW_KW(event, "event");
struct reserved : sor<kw_and, kw_or, kw_not, kw_in, kw_matches, kw_true, kw_false, kw_null, kw_now,
                      kw_lead, kw_event> {};

// Contextual keywords: recognised only where the grammar expects them.
LEADFLOW_KW(import, "import");
LEADFLOW_KW(const, "const");
LEADFLOW_KW(schema, "schema");
LEADFLOW_KW(workflow, "workflow");
LEADFLOW_KW(when, "when");
LEADFLOW_KW(where, "where");
LEADFLOW_KW(becomes, "becomes");
LEADFLOW_KW(crosses, "crosses");
LEADFLOW_KW(above, "above");
LEADFLOW_KW(below, "below");
LEADFLOW_KW(unchanged, "unchanged");
LEADFLOW_KW(for, "for");
LEADFLOW_KW(enroll, "enroll");
LEADFLOW_KW(once, "once");
LEADFLOW_KW(per, "per");
LEADFLOW_KW(always, "always");
LEADFLOW_KW(again, "again");
LEADFLOW_KW(after, "after");
LEADFLOW_KW(exit, "exit");
LEADFLOW_KW(stop, "stop");
LEADFLOW_KW(wait, "wait");
LEADFLOW_KW(until, "until");
LEADFLOW_KW(up, "up");
LEADFLOW_KW(to, "to");
LEADFLOW_KW(on, "on");
LEADFLOW_KW(timeout, "timeout");
LEADFLOW_KW(business, "business");
LEADFLOW_KW(days, "days");
LEADFLOW_KW(hours, "hours");
LEADFLOW_KW(if, "if");
LEADFLOW_KW(else, "else");
LEADFLOW_KW(score, "score");
LEADFLOW_KW(stage, "stage");
LEADFLOW_KW(reason, "reason");
LEADFLOW_KW(set, "set");
LEADFLOW_KW(tag, "tag");
LEADFLOW_KW(assign, "assign");
LEADFLOW_KW(using, "using");
LEADFLOW_KW(team, "team");
LEADFLOW_KW(with, "with");
LEADFLOW_KW(sla, "sla");
LEADFLOW_KW(task, "task");
LEADFLOW_KW(due, "due");
LEADFLOW_KW(owner, "owner");
LEADFLOW_KW(priority, "priority");
LEADFLOW_KW(send, "send");
LEADFLOW_KW(from, "from");
LEADFLOW_KW(notify, "notify");
LEADFLOW_KW(manager, "manager");
LEADFLOW_KW(webhook, "webhook");
LEADFLOW_KW(validate, "validate");
LEADFLOW_KW(email, "email");
LEADFLOW_KW(enrich, "enrich");
LEADFLOW_KW(scoring, "scoring");
LEADFLOW_KW(inactive, "inactive");
LEADFLOW_KW(stages, "stages");
LEADFLOW_KW(by, "by");
LEADFLOW_KW(use, "use");
LEADFLOW_KW(router, "router");
LEADFLOW_KW(otherwise, "otherwise");
LEADFLOW_KW(round_robin, "round_robin");
LEADFLOW_KW(skip, "skip");
LEADFLOW_KW(fallback, "fallback");
LEADFLOW_KW(members, "members");
LEADFLOW_KW(capacity, "capacity");
LEADFLOW_KW(timezone, "timezone");
LEADFLOW_KW(first_activity, "first_activity");
LEADFLOW_KW(remind, "remind");
LEADFLOW_KW(alert, "alert");
LEADFLOW_KW(reassign, "reassign");
LEADFLOW_KW(at, "at");
LEADFLOW_KW(calendar, "calendar");
LEADFLOW_KW(workdays, "workdays");
LEADFLOW_KW(holidays, "holidays");
LEADFLOW_KW(governance, "governance");
LEADFLOW_KW(cap, "cap");
LEADFLOW_KW(sender, "sender");
LEADFLOW_KW(day, "day");
LEADFLOW_KW(window, "window");
LEADFLOW_KW(list, "list");
LEADFLOW_KW(test, "test");
LEADFLOW_KW(disable, "disable");
LEADFLOW_KW(given, "given");
LEADFLOW_KW(start, "start");
LEADFLOW_KW(expect, "expect");
LEADFLOW_KW(no, "no");
LEADFLOW_KW(final, "final");
LEADFLOW_KW(run, "run");
LEADFLOW_KW(account, "account");
LEADFLOW_KW(leads, "leads");
LEADFLOW_KW(of, "of");
LEADFLOW_KW(every, "every");
LEADFLOW_KW(order, "order");
LEADFLOW_KW(asc, "asc");
LEADFLOW_KW(desc, "desc");
#undef LEADFLOW_KW

// An identifier names something the user declared (never a reserved word).
struct identifier : seq<not_at<reserved>, word> {};
// A field or stage name: any word, reserved or not (`lead.owner`, `stage lead`).
struct member_name : word {};

// ---- punctuation
struct arrow : string<'-', '>'> {};
struct dot_dot : two<'.'> {};
struct lbrace : one<'{'> {};
struct rbrace : one<'}'> {};
struct lparen : one<'('> {};
struct rparen : one<')'> {};
struct lbracket : one<'['> {};
struct rbracket : one<']'> {};
struct comma : one<','> {};
struct colon : one<':'> {};
struct equals : seq<one<'='>, not_at<one<'='>>> {};
struct dot : one<'.'> {};

// ---- numbers: `42`, `4.5`, `30m`, `1h30m`; the action tells them apart by their text
struct digits : plus<digit> {};
struct duration_unit : seq<one<'s', 'm', 'h', 'd', 'w'>, not_at<word_first>> {};
struct duration_tail : plus<duration_unit, opt<digits, at<duration_unit>>> {};
struct decimal_tail : seq<one<'.'>, digits> {};
struct number_lit : seq<digits, opt<sor<duration_tail, decimal_tail>>, not_at<word_first>> {};
struct int_lit : seq<digits, not_at<word_other>> {};
struct points : seq<one<'+', '-'>, digits, not_at<word_other>> {};
struct percent_lit : seq<digits, opt<one<'.'>, digits>, one<'%'>> {};
struct clock_lit : seq<digit, digit, one<':'>, digit, digit> {};

// ---- strings: "text {lead.first_name} \"quoted\"" (single line; `{` opens an interpolation)
struct string_open : one<'"'> {};
struct string_close : one<'"'> {};
struct string_text : plus<not_one<'"', '\\', '{', '\n', '\r'>> {};
struct string_escape : seq<one<'\\'>, any> {};

// ---- regex: /pattern/flags (only right of `matches`)
struct regex_open : one<'/'> {};
struct regex_body : star<sor<seq<one<'\\'>, not_one<'\n'>>, not_one<'/', '\n', '\r'>>> {};
struct regex_close : one<'/'> {};
struct regex_flags : star<word_other> {};
struct regex_lit : if_must<regex_open, regex_body, regex_close, regex_flags> {};

}  // namespace leadflow::grammar
