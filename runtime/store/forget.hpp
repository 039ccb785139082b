// `leadflow forget --email X`: erases a person from a SQLite store in one transaction — their
// lead records (matched by normalised e-mail), pending timers and outbox rows are deleted, event
// log and audit rows that name them are redacted — with `secure_delete` on and a truncating WAL
// checkpoint after the commit, so the bytes leave the database file and its -wal file. A hashed
// suppression entry (outbox::suppression_hash) is kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::runtime::store {

struct ForgetResult {
  std::vector<std::string> leads;  // lead ids deleted, in store order
  std::int64_t events_redacted = 0;
  std::int64_t audit_redacted = 0;
  std::int64_t timers_deleted = 0;
  std::int64_t outbox_deleted = 0;
  std::string suppression_hash;    // the entry kept (written only when something was found)
  bool wal_truncated = true;       // false: another connection kept the checkpoint from finishing
  bool found() const {
    return !leads.empty() || events_redacted + audit_redacted + timers_deleted + outbox_deleted > 0;
  }
};

// Erases `email` (any case, surrounding spaces ignored) from `tenant` in the SQLite database at
// `path`, which must exist. When nothing names the person, writes nothing and returns a result
// whose found() is false. Throws std::runtime_error when the store fails.
ForgetResult forget_email(const std::string& path, const std::string& tenant, const std::string& email,
                          engine::TimePoint now);

}  // namespace leadflow::runtime::store
