#include <warden/settings.hpp>

#include <catch2/catch.hpp>

TEST_CASE("settings: the defaults a server runs with when it says nothing", "[settings]") {
    const warden::settings s;
    CHECK(warden::exit_config_error == 78); // EX_CONFIG: what init systems read as a configuration error
    CHECK(s.log_threshold == warden::log_level::info);
    CHECK(s.worker_threads == 8);
    CHECK(s.shutdown_grace == std::chrono::seconds(5));
    CHECK(s.credential_reload_interval == std::chrono::seconds(2));
    CHECK(s.request_state_key_variable == "WARDEN_REQUEST_STATE_KEY");
    CHECK(s.credentials.empty());
    CHECK(s.session.session_era);
}
