// Edit distance and the nearest-name suggestion behind every "did you mean" help line.
#include "dsl/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace leadflow::dsl {

namespace {

char fold(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // Three rolling rows: the transposition case looks two rows back.
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const bool same = fold(a[i - 1]) == fold(b[j - 1]);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::optional<std::string> suggest(std::string_view wrong, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, wrong.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    if (c == wrong) continue;
    // The distance is at least the difference in length; skip the quadratic work early.
    const std::size_t gap = c.size() > wrong.size() ? c.size() - wrong.size() : wrong.size() - c.size();
    if (gap > limit) continue;
    const std::size_t d = edit_distance(wrong, c);
    if (d < best_distance || (d == best_distance && best && c < *best)) {
      best = &c;
      best_distance = d;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

}  // namespace leadflow::dsl
