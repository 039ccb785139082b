// "Did you mean": edit distance and choosing the closest candidate.
#include "dsl/suggest.hpp"

#include <catch2/catch.hpp>

using leadflow::dsl::edit_distance;
using leadflow::dsl::suggest;

TEST_CASE("edit distance counts insertions, deletions, substitutions and adjacent swaps", "[dsl][suggest]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("employes", "employees") == 1);
  CHECK(edit_distance("contry", "country") == 1);
  CHECK(edit_distance("titel", "title") == 1);  // swap
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("ca", "abc") == 3);  // optimal string alignment, not full Damerau
}

TEST_CASE("edit distance ignores case", "[dsl][suggest]") {
  CHECK(edit_distance("Employees", "employees") == 0);
  CHECK(edit_distance("EMAIL", "emial") == 1);
}

TEST_CASE("suggest returns the closest candidate within a third of the length", "[dsl][suggest]") {
  std::vector<std::string> fields{"email", "employees", "country", "company", "title"};
  CHECK(suggest("employes", fields) == std::optional<std::string>("employees"));
  CHECK(suggest("contry", fields) == std::optional<std::string>("country"));
  CHECK(suggest("titel", fields) == std::optional<std::string>("title"));
  CHECK(suggest("Email", fields) == std::optional<std::string>("email"));
  CHECK(suggest("revenue", fields) == std::nullopt);
}

TEST_CASE("suggest allows one edit for short names and len/3 for long ones", "[dsl][suggest]") {
  CHECK(suggest("ab", {"abc"}) == std::optional<std::string>("abc"));
  CHECK(suggest("ab", {"xyz"}) == std::nullopt);
  CHECK(suggest("abcdef", {"abxdxf"}) == std::optional<std::string>("abxdxf"));  // 2 <= 6/3
  CHECK(suggest("abcdef", {"axxdxf"}) == std::nullopt);                         // 3 > 6/3
}

TEST_CASE("suggest breaks ties by name order and never suggests the same name", "[dsl][suggest]") {
  CHECK(suggest("cat", {"cot", "bat", "cut"}) == std::optional<std::string>("bat"));
  CHECK(suggest("same", {"same"}) == std::nullopt);
  CHECK(suggest("anything", {}) == std::nullopt);
}

TEST_CASE("suggest prefers a smaller distance over name order", "[dsl][suggest]") {
  CHECK(suggest("employees_x", {"aemployees", "employees_xy"}) == std::optional<std::string>("employees_xy"));
  CHECK(suggest("stage", {"stages", "stage_changed_at"}) == std::optional<std::string>("stages"));
}
