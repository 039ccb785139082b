// engine/text_key_map.hpp: the sorted-vector map that replaced std::map<std::string, V> in the
// lead state behaves like it (order, look-up, insertion, removal).
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/text_key_map.hpp"

using namespace leadflow::engine;

TEST_CASE("TextKeyMap keeps its entries in the byte order of std::map, one per key", "[engine][text_key_map]") {
  TextKeyMap<std::int64_t> map;
  std::map<std::string, std::int64_t> reference;
  const std::vector<std::string> keys = {"scoring:12", "fit:3", "fit:12", "Fit:1", "fit:3", "", "a#10", "a#2", "é"};
  std::int64_t n = 0;
  for (const std::string& k : keys) {
    map[k] += ++n;
    reference[k] += n;
  }
  REQUIRE(map.size() == reference.size());
  auto ref = reference.begin();
  for (const auto& [k, v] : map) {
    CHECK(std::string(k.view()) == ref->first);
    CHECK(v == ref->second);
    ++ref;
  }
  CHECK(map.find("fit:3")->second == 2 + 5);
  CHECK(map.find("fit:4") == map.end());
  CHECK(map.count("a#2") == 1);
  CHECK(map.erase("fit:3") == 1);
  CHECK(map.erase("fit:3") == 0);
  CHECK(map.count("fit:3") == 0);
  map.at_interned(intern("fit:3")) = 7;
  CHECK(map.find("fit:3")->second == 7);
  CHECK(map.size() == reference.size());
}
