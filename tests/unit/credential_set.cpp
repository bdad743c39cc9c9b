#include <warden/credentials/credential_set.hpp>

#include <catch2/catch.hpp>

#include <map>

TEST_CASE("loading lists every missing required credential at once", "[credentials]") {
    warden::credential_request req;
    req.variables = {{"A_TOKEN", "token for A", true, true},
                     {"B_TOKEN", "token for B", true, true},
                     {"C_URL", "where C lives", true, false},
                     {"D_OPTIONAL", "nice to have", false, true}};
    std::vector<std::string> warnings;
    req.warn = [&](std::string_view w) { warnings.emplace_back(w); };
    std::map<std::string, std::string> present = {{"C_URL", "https://c.example"}, {"B_TOKEN", ""}};
    auto r = warden::detail::load_variables(req, "test source", [&](const std::string& n) -> std::optional<std::string> {
        auto it = present.find(n);
        if (it == present.end()) return std::nullopt;
        return it->second;
    });
    REQUIRE_FALSE(r);
    CHECK(r.error() == warden::errc::missing_credentials);
    const auto msg = r.error().message();
    CHECK(msg.find("2 required credentials missing") != std::string::npos);
    CHECK(msg.find("A_TOKEN - token for A") != std::string::npos);
    CHECK(msg.find("B_TOKEN - token for B") != std::string::npos); // empty counts as missing
    CHECK(msg.find("C_URL") == std::string::npos);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("D_OPTIONAL") != std::string::npos);
}

TEST_CASE("loaded credentials keep secrets apart from plain values", "[credentials]") {
    warden::credential_set set;
    set.insert({"TOKEN", "", true, true}, std::string("s3cr3t"));
    set.insert({"REGION", "", true, false}, std::string("eu-west-1"));
    REQUIRE(set.find_secret("TOKEN"));
    CHECK(set.find_secret("TOKEN")->matches("s3cr3t"));
    CHECK_FALSE(set.find_value("TOKEN"));
    CHECK(set.find_value("REGION") == std::optional<std::string_view>("eu-west-1"));
    CHECK(set.contains("REGION"));
    CHECK_FALSE(set.contains("MISSING"));
    CHECK(set.size() == 2);
}
