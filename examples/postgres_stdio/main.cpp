// postgres_stdio: read-only SQL over MCP on stdio, the pattern of a local database server
// that an MCP client launches with credentials in its environment.
//
//     DATABASE_URL=postgresql://localhost:5432/shop DB_USER=reader DB_PASSWORD=... postgres_stdio
//
// Each variable can also come from a file (NAME_FILE=path, or $CREDENTIALS_DIRECTORY/NAME):
// a password never needs to sit in a client's configuration. Start-up refuses, naming every
// missing variable at once. See README.md.
#include <warden/warden.hpp>

#include <boost/describe/class.hpp>
#include <boost/json.hpp>

#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace w = warden;

namespace {
using definition = w::server_definition<w::transport::stdio, w::credentials::first_of<w::credentials::file, w::credentials::env>,
                                        w::auth::process_env, w::storage::memory>;

struct query_args {
    std::string sql;
    std::optional<std::vector<std::string>> params; ///< $1, $2, ... as text
};
BOOST_DESCRIBE_STRUCT(query_args, (), (sql, params))

struct table_args {
    std::string table;
    std::optional<std::string> schema;
};
BOOST_DESCRIBE_STRUCT(table_args, (), (table, schema))

constexpr int max_rows = 500;
constexpr const char* statement_timeout = "5s";

/// One connection, opened on first use and again after it breaks. Every query runs alone
/// in a READ ONLY transaction with a statement timeout, through the extended protocol
/// (one statement per call: "SELECT 1; DROP TABLE t" is refused by the server).
class database {
public:
    explicit database(const w::server<definition>& s) : server_(s) {}

    /// The rows of one read-only statement as JSON, or an error message for the caller.
    w::tool_result query(const std::string& sql, const std::vector<std::string>& params) {
        std::lock_guard lock(mutex_);
        if (auto problem = connect()) return w::tool_result::error(*problem);
        if (!run("BEGIN READ ONLY")) {
            // The server went away since the last call (a restart): connect again, once.
            if (PQstatus(conn_.get()) == CONNECTION_OK) return w::tool_result::error(last_error());
            conn_.reset();
            if (auto problem = connect()) return w::tool_result::error(*problem);
            if (!run("BEGIN READ ONLY")) return w::tool_result::error(last_error());
        }
        run(std::string("SET LOCAL statement_timeout = '") + statement_timeout + "'");
        std::vector<const char*> values;
        for (const auto& p : params) values.push_back(p.c_str());
        std::unique_ptr<PGresult, decltype(&PQclear)> r(
            PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                         nullptr, 0),
            PQclear);
        if (PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) {
            // The statement ended our transaction (COMMIT, ROLLBACK): start a clean session.
            PQreset(conn_.get());
            return w::tool_result::error("transaction control is not allowed here");
        }
        w::tool_result out = as_result(r.get());
        run("ROLLBACK");
        return out;
    }

    /// Connects now (for the start-up check); an error message when it cannot.
    std::optional<std::string> check() {
        std::lock_guard lock(mutex_);
        return connect();
    }

private:
    std::optional<std::string> connect() {
        if (conn_ && PQstatus(conn_.get()) == CONNECTION_OK) return std::nullopt;
        const auto& creds = server_.credentials();
        const auto url = creds.find_secret("DATABASE_URL");
        const auto user = creds.find_value("DB_USER");
        const auto password = creds.find_secret("DB_PASSWORD");
        if (!url || !user || !password) return "the database credentials are not loaded";
        const std::string url_text(url->reveal()), user_text(*user), password_text(password->reveal());
        // Later keywords win over what the URL holds: the user and password are ours.
        const char* keys[] = {"dbname", "user", "password", "application_name", "connect_timeout", "options", nullptr};
        const char* vals[] = {url_text.c_str(), user_text.c_str(), password_text.c_str(), "warden-postgres-stdio", "10",
                              "-c default_transaction_read_only=on", nullptr};
        conn_.reset(PQconnectdbParams(keys, vals, 1));
        if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
            std::string why = conn_ ? last_error() : std::string("out of memory");
            conn_.reset();
            return "cannot connect to the database: " + why;
        }
        return std::nullopt;
    }
    bool run(const std::string& sql) {
        std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_.get(), sql.c_str()), PQclear);
        return r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    }
    std::string last_error() const {
        std::string e = PQerrorMessage(conn_.get());
        while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
        return e;
    }
    w::tool_result as_result(PGresult* r) {
        if (!r) return w::tool_result::error(last_error());
        const auto status = PQresultStatus(r);
        if (status == PGRES_COMMAND_OK) return w::tool_result::error("only statements that return rows are run here");
        if (status != PGRES_TUPLES_OK) {
            std::string e = PQresultErrorMessage(r);
            while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
            return w::tool_result::error(e.empty() ? std::string("the query failed") : e);
        }
        boost::json::array columns, rows;
        const int nfields = PQnfields(r), ntuples = PQntuples(r);
        for (int c = 0; c < nfields; ++c) columns.emplace_back(PQfname(r, c));
        for (int i = 0; i < ntuples && i < max_rows; ++i) {
            boost::json::object row;
            for (int c = 0; c < nfields; ++c) row[PQfname(r, c)] = cell(r, i, c);
            rows.emplace_back(std::move(row));
        }
        boost::json::object body{{"columns", std::move(columns)}, {"rows", std::move(rows)},
                                 {"row_count", ntuples}, {"truncated", ntuples > max_rows}};
        w::tool_result out = w::tool_result::text(boost::json::serialize(body));
        out.structured = std::move(body);
        return out;
    }
    /// A cell as JSON: NULL, booleans, integers, floats and json as such; the rest as text.
    static boost::json::value cell(PGresult* r, int row, int col) {
        if (PQgetisnull(r, row, col)) return nullptr;
        const std::string_view text(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
        switch (PQftype(r, col)) {
        case 16: return text == "t"; // bool
        case 20: case 21: case 23: { // int8, int2, int4
            std::int64_t v = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc() && end == text.data() + text.size()) return v;
            break;
        }
        case 114: case 3802: { // json, jsonb
            boost::system::error_code ec;
            auto v = boost::json::parse(text, ec);
            if (!ec) return v;
            break;
        }
        default: break;
        }
        return boost::json::string(text);
    }

    const w::server<definition>& server_;
    std::mutex mutex_;
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_{nullptr, PQfinish};
};
} // namespace

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"DATABASE_URL", "postgresql://HOST:PORT/DATABASE (credentials in it are overridden)", true, true},
        {"DB_USER", "the database role; give it SELECT only", true, false},
        {"DB_PASSWORD", "its password", true, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "postgres_stdio",
                                         "Read-only SQL over MCP on stdio (PostgreSQL).", env, settings, cl))
        return *exit;
    if (!cl.stdio) {
        std::cerr << "postgres_stdio: this server runs on stdio only: the MCP client that launches it passes the "
                     "database credentials in its environment\n";
        return 2;
    }
    w::server<definition> server{{.name = "warden-postgres", .version = w::version_string}, settings};
    database db(server);
    const boost::json::object read_only{{"readOnlyHint", true}, {"openWorldHint", false}};
    server.tool(w::tool_spec{.name = "query",
                             .description = "Runs one read-only SQL statement (SELECT, WITH, SHOW, EXPLAIN) with "
                                            "optional $1, $2... parameters; returns up to 500 rows as JSON",
                             .annotations = read_only},
                [&](const query_args& a, w::call_context&) { return db.query(a.sql, a.params.value_or(std::vector<std::string>{})); });
    server.tool(w::tool_spec{.name = "list_tables", .description = "Tables and views outside the system schemas",
                             .annotations = read_only},
                [&](w::call_context&) {
                    return db.query("SELECT table_schema, table_name, table_type FROM information_schema.tables "
                                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                                    "ORDER BY 1, 2",
                                    {});
                });
    server.tool(w::tool_spec{.name = "describe_table", .description = "The columns of one table",
                             .annotations = read_only},
                [&](const table_args& a, w::call_context&) {
                    return db.query("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                                    "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                                    {a.schema.value_or("public"), a.table});
                });
    // Check the connection once at start-up, so a wrong password shows in the client's log
    // at once; a database that is down is not fatal (each call connects again).
    if (server.load_credentials())
        if (auto problem = db.check()) server.log().warn(*problem);
    return server.run(); // reports missing credentials (exit 78), or serves
}
