// "Did you mean ...?": the closest known name to a misspelt one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadflow::dsl {

// Case-insensitive optimal-string-alignment (Damerau-Levenshtein) distance: insertions,
// deletions, substitutions and swaps of two adjacent characters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `wrong`, if within max(1, wrong.size() / 3) edits; ties go to the
// candidate first in name order. A candidate equal to `wrong` is never suggested.
std::optional<std::string> suggest(std::string_view wrong, const std::vector<std::string>& candidates);

}  // namespace leadflow::dsl
