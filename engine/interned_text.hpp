// Texts the engine repeats in every score line and effect (`scoring engagement`, `on fit:12`, a
// rule's reason, a workflow's name), stored once per process and referred to by a view.
//
// A score log entry or an effect that names its source by a view is trivially copyable and costs
// no allocation, and it may outlive the Program it came from (a run pinned to an old version, a
// score log kept across a reload, a lead loaded from the store): the text it points at is never
// freed. The texts come from program sources (names, reasons, rule positions) and from stored
// lead states written by such programs, so the set stays as small as the programs ever loaded.
// Thread-safe; what a view reads does not depend on the order of the calls.
#pragma once

#include <string_view>

namespace leadflow::engine {

// The same text, in storage that lives until the process exits; equal texts share one copy.
std::string_view intern(std::string_view text);

}  // namespace leadflow::engine
