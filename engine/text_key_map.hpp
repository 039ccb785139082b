// A map from a program-made text (a workflow name, "workflow#trigger", "model:line") to a value,
// kept as a vector of pairs sorted by the text. A lead holds a handful of these entries for its
// whole life (explanation facts, fit points), so a std::map<std::string, V> node per entry (32
// bytes of tree links, a 32-byte key and an allocation of its own, often a second one for the
// key's characters) cost more than the entry itself. The keys are interned
// (engine/interned_text.hpp): the set of them is bounded by the programs ever loaded. Iteration
// is in the same (byte-wise) order as the std::map it replaces, so what is written from it (the
// store's lead JSON) does not change.
#pragma once

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/interned_text.hpp"

namespace leadflow::engine {

template <typename V>
class TextKeyMap {
 public:
  using key_type = InternedText;
  using value_type = std::pair<key_type, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void clear() { items_.clear(); }

  iterator find(std::string_view key) {
    auto it = lower(key);
    return it != items_.end() && it->first.view() == key ? it : items_.end();
  }
  const_iterator find(std::string_view key) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), key,
                               [](const value_type& item, std::string_view k) { return item.first.view() < k; });
    return it != items_.end() && it->first.view() == key ? it : items_.end();
  }
  std::size_t count(std::string_view key) const { return find(key) == end() ? 0 : 1; }

  // The value for `key`, default-constructed and inserted in order when missing (the key is
  // interned then, and only then).
  V& operator[](std::string_view key) {
    auto it = lower(key);
    if (it == items_.end() || it->first.view() != key) it = items_.insert(it, value_type{intern(key), V{}});
    return it->second;
  }
  // The same for a key interned already (no look-up in the process-wide set on insertion). Not
  // an operator[] overload: a string literal converts to both key types.
  V& at_interned(InternedText key) {
    auto it = lower(key.view());
    if (it == items_.end() || it->first.view() != key.view()) it = items_.insert(it, value_type{key, V{}});
    return it->second;
  }

  std::size_t erase(std::string_view key) {
    auto it = find(key);
    if (it == items_.end()) return 0;
    items_.erase(it);
    return 1;
  }

 private:
  iterator lower(std::string_view key) {
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& item, std::string_view k) { return item.first.view() < k; });
  }
  std::vector<value_type> items_;
};

}  // namespace leadflow::engine
