// Value: storage, sharing, equality and ordering across kinds, and the text forms.
#include "engine/value.hpp"

#include <catch2/catch.hpp>

#include <limits>

using leadflow::engine::Value;
using leadflow::engine::ValueKind;
namespace engine = leadflow::engine;

TEST_CASE("a value is two words and a default value is null", "[engine][value]") {
  STATIC_REQUIRE(sizeof(Value) == 16);
  Value v;
  CHECK(v.kind() == ValueKind::Null);
  CHECK(v.is_null());
  CHECK_FALSE(v.truthy());
}

TEST_CASE("each factory makes a value of its kind", "[engine][value]") {
  CHECK(Value::boolean(true).kind() == ValueKind::Bool);
  CHECK(Value::integer(120).as_int() == 120);
  CHECK(Value::decimal(4.5).as_decimal() == 4.5);
  CHECK(Value::string("DE").as_string() == "DE");
  CHECK(Value::time(1767603600).as_time() == 1767603600);
  CHECK(Value::duration(1800).as_duration() == 1800);
  Value list = Value::list({Value::string("DE"), Value::string("AT")});
  REQUIRE(list.kind() == ValueKind::List);
  REQUIRE(list.as_list().size() == 2);
  CHECK(list.as_list()[1].as_string() == "AT");
}

TEST_CASE("copies of strings and lists share one buffer and outlive the original", "[engine][value]") {
  Value copy;
  {
    Value original = Value::string("a fairly long string that is not small-string optimised");
    copy = original;
    CHECK(copy.as_string().data() == original.as_string().data());
  }
  CHECK(copy.as_string() == "a fairly long string that is not small-string optimised");

  Value moved_from = Value::list({Value::integer(1)});
  Value moved = std::move(moved_from);
  CHECK(moved.as_list().size() == 1);
  CHECK(moved_from.is_null());  // NOLINT(bugprone-use-after-move): the moved-from state is specified

  Value self = Value::string("x");
  const Value& alias = self;
  self = alias;
  CHECK(self.as_string() == "x");
}

TEST_CASE("only the boolean true is truthy", "[engine][value]") {
  CHECK(Value::boolean(true).truthy());
  CHECK_FALSE(Value::boolean(false).truthy());
  CHECK_FALSE(Value::integer(1).truthy());
  CHECK_FALSE(Value::string("true").truthy());
  CHECK_FALSE(Value().truthy());
}

TEST_CASE("equality compares numbers across int and decimal and nothing else across kinds", "[engine][value]") {
  CHECK(Value::integer(2) == Value::decimal(2.0));
  CHECK_FALSE(Value::integer(2) == Value::decimal(2.5));
  CHECK(Value::string("DE") == Value::string("DE"));
  CHECK_FALSE(Value::string("DE") == Value::string("de"));
  CHECK_FALSE(Value::string("1") == Value::integer(1));
  CHECK_FALSE(Value::time(60) == Value::duration(60));
  CHECK(Value() == Value());
  CHECK_FALSE(Value() == Value::integer(0));
  CHECK(Value::list({Value::integer(1), Value::string("a")}) == Value::list({Value::decimal(1.0), Value::string("a")}));
  CHECK_FALSE(Value::list({Value::integer(1)}) == Value::list({Value::integer(1), Value::integer(2)}));
}

TEST_CASE("ordering is numeric, bytewise or by seconds, and unordered across kinds", "[engine][value]") {
  CHECK((Value::integer(3) <=> Value::decimal(3.5)) == std::partial_ordering::less);
  CHECK((Value::string("b") <=> Value::string("a")) == std::partial_ordering::greater);
  CHECK((Value::time(10) <=> Value::time(10)) == std::partial_ordering::equivalent);
  CHECK((Value::duration(60) <=> Value::duration(3600)) == std::partial_ordering::less);
  CHECK((Value::boolean(false) <=> Value::boolean(true)) == std::partial_ordering::less);
  CHECK((Value::list({Value::integer(1)}) <=> Value::list({Value::integer(1), Value::integer(0)})) ==
        std::partial_ordering::less);
  CHECK((Value() <=> Value::integer(1)) == std::partial_ordering::unordered);
  CHECK((Value::string("5") <=> Value::integer(5)) == std::partial_ordering::unordered);
  CHECK((Value::time(5) <=> Value::duration(5)) == std::partial_ordering::unordered);
}

TEST_CASE("the trace form quotes strings and spells times and durations", "[engine][value]") {
  CHECK(engine::to_trace(Value::string("DE")) == "\"DE\"");
  CHECK(engine::to_trace(Value::integer(120)) == "120");
  CHECK(engine::to_trace(Value::integer(-7)) == "-7");
  CHECK(engine::to_trace(Value::decimal(4.5)) == "4.5");
  CHECK(engine::to_trace(Value::decimal(2.0)) == "2.0");
  CHECK(engine::to_trace(Value::boolean(true)) == "true");
  CHECK(engine::to_trace(Value()) == "null");
  CHECK(engine::to_trace(Value::time(1767603600)) == "2026-01-05T09:00:00Z");
  CHECK(engine::to_trace(Value::duration(1800)) == "30m");
  CHECK(engine::to_trace(Value::duration(5400)) == "1h30m");
  CHECK(engine::to_trace(Value::list({Value::string("DE"), Value::string("AT")})) == "[\"DE\", \"AT\"]");
  CHECK(engine::to_trace(Value::string("say \"hi\"\n")) == "\"say \\\"hi\\\"\\n\"");
}

TEST_CASE("the JSON form makes times and durations strings and non-finite decimals null", "[engine][value]") {
  CHECK(engine::to_json(Value::time(0)) == "\"1970-01-01T00:00:00Z\"");
  CHECK(engine::to_json(Value::duration(86400 * 3)) == "\"3d\"");
  CHECK(engine::to_json(Value::list({Value::integer(1), Value()})) == "[1,null]");
  CHECK(engine::to_json(Value::decimal(std::numeric_limits<double>::infinity())) == "null");
  CHECK(engine::to_json(Value::string("\x01")) == "\"\\u0001\"");
}

TEST_CASE("the display form used by interpolation leaves strings bare and null empty", "[engine][value]") {
  CHECK(engine::to_display(Value::string("Ana")) == "Ana");
  CHECK(engine::to_display(Value()) == "");
  CHECK(engine::to_display(Value::integer(42)) == "42");
  CHECK(engine::to_display(Value::duration(300)) == "5m");
  CHECK(engine::to_display(Value::list({Value::string("a")})) == "[\"a\"]");
}

TEST_CASE("times print as ISO 8601 UTC, also before 1970 and on leap days", "[engine][value][time]") {
  CHECK(engine::format_time(0) == "1970-01-01T00:00:00Z");
  CHECK(engine::format_time(-1) == "1969-12-31T23:59:59Z");
  CHECK(engine::format_time(951782400) == "2000-02-29T00:00:00Z");
  CHECK(engine::format_time(1767603600 + 59) == "2026-01-05T09:00:59Z");
}

TEST_CASE("time parsing accepts dates, Z, offsets and fractions and rejects impossible days", "[engine][value][time]") {
  CHECK(engine::parse_time("2026-01-05T09:00:00Z") == 1767603600);
  CHECK(engine::parse_time("2026-01-05T10:00:00+01:00") == 1767603600);
  CHECK(engine::parse_time("2026-01-05T04:00:00-0500") == 1767603600);
  CHECK(engine::parse_time("2026-01-05T09:00:00.250Z") == 1767603600);
  CHECK(engine::parse_time("2026-01-05T09:00") == 1767603600);
  CHECK(engine::parse_time("2026-01-05") == 1767571200);
  CHECK(engine::parse_time("2024-02-29") == 1709164800);
  CHECK_FALSE(engine::parse_time("2026-02-29").has_value());
  CHECK_FALSE(engine::parse_time("2026-13-01").has_value());
  CHECK_FALSE(engine::parse_time("2026-01-05T25:00:00Z").has_value());
  CHECK_FALSE(engine::parse_time("2026-01-05T09:00:00Zjunk").has_value());
  CHECK_FALSE(engine::parse_time("").has_value());
  for (std::int64_t t : {std::int64_t{-86401}, std::int64_t{0}, std::int64_t{1767603600}, std::int64_t{4102444799}}) {
    CHECK(engine::parse_time(engine::format_time(t)) == t);
  }
}

TEST_CASE("durations print in the largest whole units and parse the .flow spelling", "[engine][value][time]") {
  CHECK(engine::format_duration(0) == "0s");
  CHECK(engine::format_duration(45) == "45s");
  CHECK(engine::format_duration(86400 + 3600 + 61) == "1d1h1m1s");
  CHECK(engine::format_duration(-300) == "-5m");
  CHECK(engine::format_duration(std::numeric_limits<std::int64_t>::min()).front() == '-');
  CHECK(engine::parse_duration("30m") == 1800);
  CHECK(engine::parse_duration("1h30m") == 5400);
  CHECK(engine::parse_duration("2w") == 14 * 86400);
  CHECK(engine::parse_duration("-5m") == -300);
  CHECK_FALSE(engine::parse_duration("30").has_value());
  CHECK_FALSE(engine::parse_duration("m").has_value());
  CHECK_FALSE(engine::parse_duration("5y").has_value());
  CHECK_FALSE(engine::parse_duration("99999999999999999999s").has_value());
}
