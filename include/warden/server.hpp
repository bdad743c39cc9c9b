// warden/server.hpp: `server<Definition>`, what users write their servers with.
//
//     using local = warden::local_stdio_server;
//     warden::server<local> s{{.name = "github-tools", .version = "1.0.0"}, std::move(settings)};
//     s.tool("github_search", "Search GitHub repositories", warden::requires_scopes{"repo:read"},
//            [](const search_args& args, warden::call_context& ctx) -> warden::tool_result { ... });
//     return s.run();
//
// Naming `server<Definition>` checks every composition rule (warden/rules.hpp). `run()`
// loads the declared credentials through the definition's credential source (all missing
// required ones reported at once; exit status 78 before serving anything), then serves
// through the definition's transport until it is told to stop.
#pragma once

#include <warden/auth/scheme.hpp>
#include <warden/definition.hpp>
#include <warden/detail/server_core.hpp>
#include <warden/mcp/registry.hpp>
#include <warden/mcp/tasks.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/rules.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace warden {

namespace detail {
/// A transport that serves the stateless era only (`transport::modern_only<T>`).
template <class T>
concept modern_only_transport = requires { T::serves_session_era; } && !T::serves_session_era;

/// A storage policy that opens its store from the loaded credentials (`S::open`).
template <class S>
concept opens_with_credentials = requires(const storage::open_context& c) {
    { S::open(c) } -> std::same_as<result<std::shared_ptr<storage::store>>>;
};
} // namespace detail

/// What `server<Definition>` offers that does not depend on its definition: registering
/// tools, resources and prompts, telling clients about changes, the log and the loaded
/// credentials. Code that registers what a program offers can take a `server_base&` and be
/// compiled once, however many definitions the program serves (examples/everything serves
/// five, and registers its fixtures this way); a function template over the definition would
/// compile every tool's conversions once per definition.
class server_base {
public:
    server_base(const server_base&) = delete;
    server_base& operator=(const server_base&) = delete;

    /// A tool whose input schema comes from the handler's argument type (see
    /// warden/mcp/registry.hpp for the handler shapes).
    template <class F>
    server_base& tool(std::string name, std::string description, F handler) {
        return tool(tool_spec{.name = std::move(name), .description = std::move(description)}, std::move(handler));
    }
    /// A tool that only callers holding every scope in `scopes` may call.
    template <class F>
    server_base& tool(std::string name, std::string description, requires_scopes scopes, F handler) {
        return tool(tool_spec{.name = std::move(name), .description = std::move(description),
                              .scopes = std::move(scopes.scopes)},
                    std::move(handler));
    }
    /// A tool declared in full (title, annotations, a raw input schema, scopes).
    template <class F>
    server_base& tool(tool_spec spec, F handler) {
        core_.registry().add_tool(std::move(spec), mcp::make_tool_handler(std::move(handler)),
                                  mcp::input_schema_for<F>(), mcp::output_schema_for<F>());
        changed("tools");
        return *this;
    }

    /// A resource; `handler(uri[, ctx])` returns resource_contents or a vector of them.
    template <class F>
    server_base& resource(resource_spec spec, F handler) {
        core_.registry().add_resource(std::move(spec), [h = std::move(handler)](const std::string& uri,
                                                                                call_context& ctx) {
            if constexpr (std::is_invocable_v<F&, const std::string&, call_context&>)
                return as_contents(h(uri, ctx));
            else
                return as_contents(h(uri));
        });
        changed("resources");
        return *this;
    }

    /// A resource template; `handler(uri, variables[, ctx])`.
    template <class F>
    server_base& resource_template(resource_template_spec spec, F handler) {
        core_.registry().add_resource_template(
            std::move(spec),
            [h = std::move(handler)](const std::string& uri, const uri_variables& vars, call_context& ctx) {
                if constexpr (std::is_invocable_v<F&, const std::string&, const uri_variables&, call_context&>)
                    return as_contents(h(uri, vars, ctx));
                else
                    return as_contents(h(uri, vars));
            });
        changed("resources");
        return *this;
    }

    /// A prompt; `handler(arguments[, ctx])` returns a prompt_result.
    template <class F>
    server_base& prompt(prompt_spec spec, F handler) {
        core_.registry().add_prompt(std::move(spec),
                                    [h = std::move(handler)](const prompt_arguments& args, call_context& ctx) {
                                        if constexpr (std::is_invocable_v<F&, const prompt_arguments&, call_context&>)
                                            return prompt_result(h(args, ctx));
                                        else
                                            return prompt_result(h(args));
                                    });
        changed("prompts");
        return *this;
    }

    /// Completions for a prompt's argument.
    server_base& prompt_completion(std::string prompt_name, std::string argument, completion_handler handler) {
        core_.registry().add_prompt_completion(std::move(prompt_name), std::move(argument), std::move(handler));
        return *this;
    }
    /// Completions for a resource template's variable.
    server_base& template_completion(std::string uri_template, std::string argument, completion_handler handler) {
        core_.registry().add_template_completion(std::move(uri_template), std::move(argument), std::move(handler));
        return *this;
    }

    /// Declares a scope hierarchy: a caller holding `broader` holds each of `narrower` (and
    /// what they imply), for every scope check; `broader` is advertised in the resource
    /// metadata too. E.g. `scope_implies("notes:admin", {"notes:read", "notes:write"})`.
    server_base& scope_implies(std::string broader, std::vector<std::string> narrower) {
        core_.registry().scope_implies(std::move(broader), std::move(narrower));
        return *this;
    }

    /// Tells clients that the list of "tools", "prompts" or "resources" changed (sessions,
    /// and subscriptions/listen requests that asked for it). Registering after `run()`
    /// does this by itself.
    void notify_list_changed(std::string_view what) { changed(what); }

    /// Tells every subscribed client that the resource at `uri` changed.
    void notify_resource_updated(std::string_view uri) {
        core_.for_each_session([&](mcp::session& s) { s.notify_resource_updated(uri); });
    }

    /// The server's diagnostic log (stderr).
    const logger& log() const noexcept { return core_.log(); }

    /// Loads the credentials again now (as SIGHUP does); true when they changed.
    result<bool> reload_credentials() { return core_.reload_credentials(); }
    const credential_set& credentials() const noexcept { return core_.credentials(); }

    /// Stops a running server as SIGTERM would (in-flight requests get the shutdown grace
    /// period). Safe from any thread, including a handler's.
    void stop() { core_.request_stop(); }

    /// The port the HTTP transport listens on once it has started (0 before, and on stdio).
    std::uint16_t port() const noexcept { return core_.listening_port(); }
    /// The port of the metrics listener (`http_settings::metrics_port`), once it started.
    std::uint16_t metrics_port() const noexcept { return core_.metrics_port(); }

protected:
    server_base(server_info info, settings s) : core_(std::move(info), std::move(s)) {}
    ~server_base() = default;

    void changed(std::string_view what) {
        if (running_) core_.for_each_session([&](mcp::session& s) { s.notify_list_changed(what); });
    }

    detail::server_core core_;
    std::atomic<bool> running_{false};

private:
    template <class R>
    static std::vector<resource_contents> as_contents(R&& r) {
        if constexpr (std::is_same_v<std::remove_cvref_t<R>, resource_contents>)
            return {std::forward<R>(r)};
        else
            return std::vector<resource_contents>(std::forward<R>(r));
    }
};

/// A server of `Definition`: its rules are checked when the type is named, and `run()`
/// serves it (what it offers is registered through `server_base`).
template <definition Definition>
class server : public server_base {
public:
    using definition_type = Definition;
    static_assert(auth::detail::hooks_fit<typename Definition::auth>::value);

    explicit server(server_info info, settings s = {}) : server_base(std::move(info), from_profile(std::move(s))) {
        // A store that needs nothing from the credentials (storage::memory) is there at once.
        if constexpr (!detail::opens_with_credentials<storage_policy_type> &&
                      requires { typename storage_policy_type::store_type; })
            install_store(std::make_shared<typename storage_policy_type::store_type>());
    }

    /// Lets tools run as tasks (the tasks extension, io.modelcontextprotocol/tasks; see
    /// warden/mcp/tasks.hpp): call it before adding a tool with `tool_spec::task`. Tasks are
    /// kept in the definition's storage (rule 8: a replicated profile needs storage::redis).
    server& enable_tasks(task_settings ts = {}) {
        static_assert(rules::check_task_rules<storage_policy_type, typename Definition::profile>::value);
        if (!core_.tasks()) {
            auto t = std::make_shared<mcp::task_manager>(ts, storage_policy_type::shared_across_instances,
                                                         core_.log_handle());
            if (core_.store()) t->set_store(core_.store());
            core_.set_tasks(std::move(t));
            core_.registry().enable_tasks();
        }
        return *this;
    }

    /// Loads the declared credentials, and those the auth scheme needs, through the
    /// definition's credential source; every missing or unusable one is reported at once.
    result<void> load_credentials() {
        auto req = std::make_shared<credential_request>();
        req->variables = core_.config().credentials;
        auto needed = auth::scheme_variables<typename Definition::auth>(core_.config().auth);
        if (!core_.config().request_state_key_variable.empty())
            needed.push_back({core_.config().request_state_key_variable,
                              "base64 of 32 random bytes: the key sealing requestState (MCP 2026-07-28); "
                              "without it a random key of this process is used",
                              false, true});
        if constexpr (requires { storage_policy_type::variables(core_.config().storage); })
            for (auto& v : storage_policy_type::variables(core_.config().storage)) needed.push_back(std::move(v));
        // Tasks in storage other hosts read (Redis) are sealed with the storage key.
        if (core_.tasks() && storage_policy_type::shared_across_instances) {
            const auto& st = core_.config().storage;
            needed.push_back({st.key_variable, "base64 of 32 random bytes: the key sealing task records in the "
                                               "shared storage (openssl rand -base64 32)", false, true});
            needed.push_back({st.previous_key_variable, "the key task records were sealed with before a rotation",
                              false, true});
        }
        // Handlers see what the author declared, less what verifies callers or guards storage.
        std::vector<std::string> for_handlers;
        for (const auto& d : req->variables)
            if (std::none_of(needed.begin(), needed.end(), [&](const variable& v) { return v.name == d.name; }))
                for_handlers.push_back(d.name);
        core_.set_handler_credential_names(std::move(for_handlers));
        for (auto& v : needed) {
            const bool declared = std::any_of(req->variables.begin(), req->variables.end(),
                                              [&](const variable& d) { return d.name == v.name; });
            if (!declared) req->variables.push_back(std::move(v));
        }
        req->literal_values = core_.config().literal_credentials;
        req->directory = core_.config().credentials_directory;
        req->commands = core_.config().credential_commands;
        req->warn = [this](std::string_view line) { core_.log().warn(line); };
        req->degraded = [this](std::string_view line) { core_.log().warn(line); };
        auto loaded = Definition::credentials::load(*req);
        if (!loaded) return loaded.error();
        core_.set_credentials(std::move(loaded).value());
        if (auto sealed = install_state_key(core_.credentials()); !sealed) return sealed.error();
        if constexpr (Definition::profile::multi_instance)
            if (!core_.state_sealer())
                core_.log().warn(core_.config().request_state_key_variable +
                                 " is not set: each instance seals requestState with its own key, so an "
                                 "input-required retry that reaches another instance is refused");
        if (!credentials_loaded_) { // a rotated key takes over on reload (a malformed one is refused)
            core_.on_credentials_changed([this](const credential_set& c) { return install_state_key(c); });
            core_.on_credentials_changed([this](const credential_set& c) { return seal_tasks(c); });
        }
        req->warn = nullptr; // reloads do not repeat the warnings about optional credentials
        core_.set_credential_loader([req] { return Definition::credentials::load(*req); });
        credentials_loaded_ = true;
        return success();
    }
    /// The definition's store: opened (once) from the loaded credentials by storage
    /// policies that need them (keys, passwords), so call it after `load_credentials()`.
    /// Upstream token managers and handlers keep their state here. Not synchronized: call
    /// it from `main` before `run()` (which calls it too), not from handlers concurrently.
    result<std::shared_ptr<storage::store>> storage() {
        if (auto s = core_.store()) return s;
        if constexpr (detail::opens_with_credentials<storage_policy_type>) {
            if (!credentials_loaded_)
                return failure(errc::invalid_argument, "the storage opens after the credentials are loaded");
            const storage::open_context ctx{core_.config().storage, core_.credentials(), core_.log(),
                                            core_.info().name};
            auto opened = storage_policy_type::open(ctx);
            if (!opened) return opened.error();
            install_store(opened.value());
            return std::move(opened).value();
        } else {
            return failure(errc::storage_error, "this storage policy has no store");
        }
    }

    /// Loads credentials, then serves until the transport stops. Returns the exit status.
    int run() {
        auto prepared = load_credentials();
        if constexpr (detail::opens_with_credentials<storage_policy_type>) {
            if (prepared)
                if (auto st = storage(); !st) prepared = st.error();
        }
        if (prepared)
            if (auto sealed = seal_tasks(core_.credentials()); !sealed) prepared = sealed.error();
        if (prepared && !core_.audit()) {
            auto audit = audit_log::open(core_.config().audit, profile::audits_by_default<typename Definition::profile>);
            if (audit) core_.set_audit(std::move(audit).value());
            else prepared = audit.error();
        }
        if (auto r = std::move(prepared); !r) {
            // One log line per problem (the logger escapes newlines inside a line).
            const std::string text = r.error().message();
            for (std::string_view rest = text; !rest.empty();) {
                const auto nl = rest.find('\n');
                core_.log().error(rest.substr(0, nl));
                rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            }
            return exit_config_error;
        }
        running_ = true;
        const int status = Definition::transport::template serve<typename Definition::auth>(core_);
        if (const auto& tasks = core_.tasks()) tasks->shutdown(core_.config().shutdown_grace);
        return status;
    }

    /// What the profile and the transport decide in the settings, whatever they said: the
    /// settings a server made with `s` runs with.
    static settings from_profile(settings s) {
        s.auth.oauth.allow_loopback_http = profile::allows_loopback_http_fetch<typename Definition::profile>;
        s.auth.basic.accept_weak_hashes = profile::accepts_weak_password_hashes<typename Definition::profile>;
        if constexpr (profile::allows_plaintext_redis<typename Definition::profile>) s.storage.redis_plaintext_network = true;
        s.http.any_host_by_profile = profile::accepts_any_host<typename Definition::profile>;
        if constexpr (detail::modern_only_transport<typename Definition::transport>) {
            // The stateless era only: no initialize, no sessions, no session-era transports.
            s.session.session_era = false;
            s.http.stateless = true;
            s.http.legacy_sse = false;
        }
        return s;
    }

private:
    using storage_policy_type = typename Definition::storage;

    void install_store(std::shared_ptr<storage::store> s) {
        // A scheme that refuses replays keeps what it has seen in the definition's storage.
        if constexpr (Definition::auth::requires_replay_store)
            core_.set_replay(std::make_shared<auth::storage_replay_store>(s));
        // Brute-force buckets in a store every instance shares, so that limits hold across
        // the fleet; a store of this process alone would only add disk writes per failure.
        if constexpr (storage_policy_type::shared_across_instances) core_.set_failure_store(s);
        if (const auto& tasks = core_.tasks()) tasks->set_store(s);
        core_.set_store(std::move(s));
    }

    /// The requestState key from `creds`, when there is one. States sealed under a key that
    /// was rotated away no longer open: their clients start the call again.
    result<void> install_state_key(const credential_set& creds) {
        const auto& name = core_.config().request_state_key_variable;
        const secret* key = name.empty() ? nullptr : creds.find_secret(name);
        if (!key) return success();
        auto bytes = crypto::base64_decode(key->reveal());
        if (!bytes || bytes.value().size() != crypto::aes256_gcm_key_size)
            return failure(errc::invalid_credentials, name + " must be base64 of 32 random bytes (openssl rand -base64 32)");
        auto sealer = mcp::request_state_sealer::from_key(std::string(bytes.value().begin(), bytes.value().end()));
        crypto::cleanse(bytes.value().data(), bytes.value().size());
        if (!sealer) return sealer.error();
        core_.set_state_sealer(std::make_shared<const mcp::request_state_sealer>(std::move(sealer).value()));
        return success();
    }
    /// Task records go into a store other hosts read (Redis) only sealed: with the storage
    /// key, or the server does not start (and a reload without it is refused). A reload with
    /// a rotated key seals with the new one; `_PREVIOUS` keeps older records readable.
    result<void> seal_tasks(const credential_set& creds) {
        const auto& tasks = core_.tasks();
        const auto& store = core_.store();
        if (!tasks || !store || !store->keeps_values_in_clear()) return success();
        const auto& st = core_.config().storage;
        auto current = storage::detail::storage_key(creds, st.key_variable);
        if (!current) return current.error();
        auto previous = storage::detail::storage_key(creds, st.previous_key_variable);
        if (!previous) return previous.error();
        if (current.value().empty())
            return failure(errc::missing_credentials,
                           "tasks would keep their results in the clear where other hosts read them (Redis); set " +
                               st.key_variable + " (openssl rand -base64 32) to seal them");
        auto codec = storage::aead_codec::make(std::move(current).value(), std::move(previous).value());
        if (!codec) return codec.error();
        tasks->set_codec(std::move(codec).value());
        return success();
    }
    bool credentials_loaded_ = false;
};

} // namespace warden
