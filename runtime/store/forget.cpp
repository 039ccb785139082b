// `leadflow forget`: one transaction on its own SQLite connection, secure_delete on, then a
// truncating checkpoint so no copy of the erased pages stays in the WAL.
#include "runtime/store/forget.hpp"

#include <sqlite3.h>

#include <boost/json.hpp>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "runtime/outbox/audit.hpp"
#include "runtime/store/sqlite_statement.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime::store {

namespace {

namespace json = boost::json;

class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw std::runtime_error("cannot open database '" + path + "': " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  sqlite3* get() const { return db_; }
  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw std::runtime_error("sqlite: " + text);
    }
  }

 private:
  sqlite3* db_ = nullptr;
};


std::string lead_email(const std::string& state) {
  boost::system::error_code ec;
  json::value v = json::parse(state, ec);
  if (ec || !v.is_object()) return {};
  const json::value* fields = v.get_object().if_contains("fields");
  if (fields == nullptr || !fields->is_object()) return {};
  const json::value* email = fields->get_object().if_contains("email");
  if (email == nullptr || !email->is_string()) return {};
  return std::string(email->get_string());
}

std::string event_lead(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return {};
  const json::value* lead = v.get_object().if_contains("lead");
  return lead != nullptr && lead->is_string() ? std::string(lead->get_string()) : std::string();
}

bool contains(const std::string& haystack_lower, const std::string& needle_lower) {
  return !needle_lower.empty() && haystack_lower.find(needle_lower) != std::string::npos;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

ForgetResult forget_email(const std::string& path, const std::string& tenant, const std::string& email,
                          engine::TimePoint now) {
  if (!std::filesystem::exists(path)) throw std::runtime_error("no database '" + path + "'");
  open_sqlite(path);  // migrates an older schema first (and closes)

  const std::string target = outbox::normalize_email(email);
  if (target.empty()) throw std::runtime_error("--email is empty");
  ForgetResult result;
  Db db(path);
  db.exec("PRAGMA secure_delete=ON");
  db.exec("BEGIN IMMEDIATE");
  try {
    {
      Statement s(db.get(), "SELECT id, state FROM leads WHERE tenant=? ORDER BY seq");
      s.bind(1, tenant);
      while (s.step()) {
        if (outbox::normalize_email(lead_email(s.text(1))) == target) result.leads.push_back(s.text(0));
      }
    }
    const std::set<std::string> ids(result.leads.begin(), result.leads.end());
    std::vector<std::string> needles{target};
    needles.insert(needles.end(), result.leads.begin(), result.leads.end());

    {
      Statement del(db.get(), "DELETE FROM leads WHERE tenant=? AND id=?");
      Statement timers(db.get(), "DELETE FROM timers WHERE tenant=? AND lead=?");
      Statement out(db.get(), "DELETE FROM outbox WHERE tenant=? AND lead=?");
      for (const std::string& id : result.leads) {
        del.bind(1, tenant).bind(2, id).run();
        result.timers_deleted += timers.bind(1, tenant).bind(2, id).run();
        result.outbox_deleted += out.bind(1, tenant).bind(2, id).run();
      }
      // Effects of other leads that carry the address (a notification about them, say).
      Statement more(db.get(), "DELETE FROM outbox WHERE tenant=? AND instr(lower(payload), ?) > 0");
      result.outbox_deleted += more.bind(1, tenant).bind(2, target).run();
    }

    {
      std::vector<std::pair<std::int64_t, std::string>> redacted;
      Statement s(db.get(), "SELECT id, body FROM events WHERE tenant=? ORDER BY id");
      s.bind(1, tenant);
      while (s.step()) {
        std::string body = s.text(1);
        if (contains(lower(body), target) || ids.count(event_lead(body)) > 0) {
          redacted.emplace_back(s.integer(0), outbox::redact_json(body, needles));
        }
      }
      Statement u(db.get(), "UPDATE events SET body=? WHERE id=?");
      for (const auto& [id, body] : redacted) u.bind(1, body).bind(2, id).run();
      result.events_redacted = static_cast<std::int64_t>(redacted.size());
    }

    {
      struct Row {
        std::int64_t id;
        std::string lead, recipient, outcome;
      };
      std::vector<Row> rows;
      Statement s(db.get(), "SELECT id, lead, recipient, outcome FROM audit WHERE tenant=? ORDER BY id");
      s.bind(1, tenant);
      while (s.step()) {
        Row r{s.integer(0), s.text(1), s.text(2), s.text(3)};
        if (ids.count(r.lead) > 0 || contains(lower(r.recipient), target) || contains(lower(r.outcome), target)) {
          rows.push_back(std::move(r));
        }
      }
      Statement u(db.get(), "UPDATE audit SET recipient=?, outcome=? WHERE id=?");
      const std::vector<std::string> address{target};
      for (const Row& r : rows) {
        // The recipient of the person's own effects is them; of an `assign`, the owner, who stays.
        std::string recipient = contains(lower(r.recipient), target) ? std::string(outbox::redacted)
                                                                     : outbox::redact_json(r.recipient, address);
        u.bind(1, recipient).bind(2, outbox::redact_json(r.outcome, address)).bind(3, r.id).run();
      }
      result.audit_redacted = static_cast<std::int64_t>(rows.size());
    }

    if (!result.found()) {
      db.exec("ROLLBACK");
      return result;
    }
    result.suppression_hash = outbox::suppression_hash(tenant, target);
    Statement sup(db.get(), "INSERT OR IGNORE INTO suppression (tenant, hash, reason, at) VALUES (?, ?, 'forget', ?)");
    sup.bind(1, tenant).bind(2, result.suppression_hash).bind(3, now).run();
    db.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }

  // Copy the pages into the database file and empty the WAL: the erased bytes leave both.
  Statement checkpoint(db.get(), "PRAGMA wal_checkpoint(TRUNCATE)");
  if (checkpoint.step() && checkpoint.integer(0) != 0) result.wal_truncated = false;
  return result;
}

}  // namespace leadflow::runtime::store
