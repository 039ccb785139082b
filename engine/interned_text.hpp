// Texts the engine repeats in every score line (`scoring engagement`, `on fit:12`, a rule's
// reason), stored once per process and referred to by a view.
//
// A score log entry that names its source by an InternedText is trivially copyable and costs no
// allocation, and it may outlive the Program it came from (a run pinned to an old version, a
// score log kept across a reload, a lead loaded from the store): the text it points at is never
// freed. The texts come from program sources (names, reasons, rule positions) and from stored
// lead states written by such programs, so the set stays as small as the programs ever loaded.
// Thread-safe; what a view reads does not depend on the order of the calls.
#pragma once

#include <cstddef>
#include <string_view>

namespace leadflow::engine {

// A view that cannot dangle: made only by intern() or from a string literal (static storage),
// never from a std::string that may go away.
class InternedText {
 public:
  constexpr InternedText() = default;
  template <std::size_t N>
  constexpr InternedText(const char (&literal)[N]) : view_(literal, N - 1) {}  // NOLINT: literals convert

  constexpr operator std::string_view() const { return view_; }  // NOLINT: reads as text
  constexpr std::string_view view() const { return view_; }
  constexpr bool empty() const { return view_.empty(); }
  constexpr const char* data() const { return view_.data(); }
  constexpr std::size_t size() const { return view_.size(); }

  friend constexpr bool operator==(InternedText a, std::string_view b) { return a.view_ == b; }

 private:
  friend InternedText intern(std::string_view text);
  constexpr explicit InternedText(std::string_view stored, int) : view_(stored) {}
  std::string_view view_;
};

// The same text, in storage that lives until the process exits; equal texts share one copy.
InternedText intern(std::string_view text);

}  // namespace leadflow::engine
