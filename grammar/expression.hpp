// Expressions, lowest precedence first: or, and, not, comparison (== != < <= > >= in, not in,
// matches), additive, multiplicative, unary minus, primary. Every alternative commits on its
// first token (if_must), so parse actions never run on input that is later backtracked.
#pragma once

#include "grammar/lexical.hpp"

namespace leadflow::grammar {

struct expr;

// ---- primaries
struct interp_open : one<'{'> {};
struct interp_close : one<'}'> {};
struct string_interp : if_must<interp_open, s_<expr>, s_<interp_close>> {};
struct string_lit : if_must<string_open, star<sor<string_text, string_escape, string_interp>>, string_close> {};

struct true_lit : kw_true {};
struct false_lit : kw_false {};
struct null_lit : kw_null {};
struct now_lit : kw_now {};

struct list_open : lbracket {};
struct list_close : rbracket {};
struct list_lit : if_must<list_open, sep, opt<expr, star<sep, comma, sep, expr>, opt<sep, comma>>, s_<list_close>> {};

struct paren_expr : if_must<lparen, s_<expr>, s_<rparen>> {};

struct lead_field_ref : if_must<kw_lead, s_<dot>, s_<member_name>> {};
struct event_field_ref : if_must<kw_event, s_<dot>, s_<member_name>> {};

struct name_ref : identifier {};
struct call_open : lparen {};
struct call_close : rparen {};
struct call_args : if_must<call_open, sep, opt<expr, star<sep, comma, sep, must<expr>>>, s_<call_close>> {};
struct name_or_call : seq<name_ref, opt<sep, call_args>> {};

struct primary : sor<number_lit, string_lit, true_lit, false_lit, null_lit, now_lit, list_lit, paren_expr,
                     lead_field_ref, event_field_ref, name_or_call> {};

// ---- operators
struct minus_op : seq<one<'-'>, not_at<one<'>'>>> {};
struct neg_expr;
struct unary : sor<neg_expr, primary> {};
struct neg_expr : if_must<minus_op, s_<unary>> {};

struct mul_op : sor<one<'*'>, seq<one<'/'>, not_at<one<'/', '*'>>>, one<'%'>> {};
struct mul_tail : if_must<seq<sep, mul_op>, s_<unary>> {};
struct multiplicative : seq<unary, star<mul_tail>> {};

struct add_op : sor<one<'+'>, minus_op> {};
struct add_tail : if_must<seq<sep, add_op>, s_<multiplicative>> {};
struct additive : seq<multiplicative, star<add_tail>> {};

struct cmp_op : sor<two<'='>, string<'!', '='>, string<'<', '='>, string<'>', '='>, one<'<'>, one<'>'>> {};
struct cmp_tail : if_must<seq<sep, cmp_op>, s_<additive>> {};
struct not_in_tail : if_must<seq<sep, kw_not, sep, kw_in>, s_<additive>> {};
struct in_tail : if_must<seq<sep, kw_in>, s_<additive>> {};
struct match_pattern : sor<regex_lit, string_lit> {};
struct matches_tail : if_must<seq<sep, kw_matches>, s_<match_pattern>> {};
struct comparison : seq<additive, opt<sor<cmp_tail, not_in_tail, in_tail, matches_tail>>> {};

struct not_expr;
struct not_tail : if_must<kw_not, s_<not_expr>> {};
struct not_expr : sor<not_tail, comparison> {};

struct and_tail : if_must<seq<sep, kw_and>, s_<not_expr>> {};
struct and_expr : seq<not_expr, star<and_tail>> {};

struct or_tail : if_must<seq<sep, kw_or>, s_<and_expr>> {};
struct or_expr : seq<and_expr, star<or_tail>> {};

struct expr : or_expr {};

}  // namespace leadflow::grammar
