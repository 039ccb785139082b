// A map from a small integer index (a workflow or event type of the Program) to a value, kept
// as a sorted vector of pairs. A lead holds a handful of these entries for its whole life
// (enrollments, event arrivals), so a std::map node per entry (32 bytes of tree links and its
// own allocation) cost more than the entry itself; this is one allocation for all of them,
// with the same find / operator[] / ordered iteration as the std::map it replaces.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace leadflow::engine {

template <typename V>
class IndexMap {
 public:
  using key_type = std::int32_t;
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

  iterator find(key_type key) {
    auto it = lower(key);
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  const_iterator find(key_type key) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), key,
                               [](const value_type& item, key_type k) { return item.first < k; });
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  std::size_t count(key_type key) const { return find(key) == end() ? 0 : 1; }

  // The value for `key`, default-constructed and inserted in order when missing.
  V& operator[](key_type key) {
    auto it = lower(key);
    if (it == items_.end() || it->first != key) it = items_.insert(it, value_type{key, V{}});
    return it->second;
  }

 private:
  iterator lower(key_type key) {
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& item, key_type k) { return item.first < k; });
  }
  std::vector<value_type> items_;
};

}  // namespace leadflow::engine
