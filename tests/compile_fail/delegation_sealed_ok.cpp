// expect: compiles
// What a handler can do with it: have it exchanged for a token of the configured upstream.
#include <warden/auth/principal.hpp>
#include <warden/delegation.hpp>
#include <warden/upstream/exchange.hpp>
#include <string>
warden::result<std::string> exchanged(warden::upstream::token_exchange& billing, const warden::principal& caller) {
    return billing.token_for(*caller.delegation);
}
