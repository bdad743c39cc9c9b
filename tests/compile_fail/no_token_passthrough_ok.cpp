// expect: compiles
// Its twin: what a handler may use of the caller, none of it a credential.
#include <warden/auth/principal.hpp>
#include <string>
std::string describe(const warden::principal& caller) {
    return caller.subject + " " + caller.scheme + " " + caller.issuer + " " + caller.client + " " + caller.tenant;
}
