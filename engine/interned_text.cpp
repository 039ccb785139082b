#include "engine/interned_text.hpp"

#include <mutex>
#include <set>
#include <string>

namespace leadflow::engine {

InternedText intern(std::string_view text) {
  if (text.empty()) return {};
  // A node-based set: a text never moves once inserted, so the views stay valid.
  static std::mutex mutex;
  static auto* texts = new std::set<std::string, std::less<>>();  // never destroyed: views outlive static teardown
  std::lock_guard lock(mutex);
  auto it = texts->find(text);
  if (it == texts->end()) it = texts->emplace(text).first;
  return InternedText(*it, 0);
}

}  // namespace leadflow::engine
