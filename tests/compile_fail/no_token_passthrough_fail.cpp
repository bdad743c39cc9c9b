// expect: no member named[^a-z]*token
// No token passthrough, by construction: a handler sees the principal the gate made, and
// the principal has no member holding the token it was made from.
#include <warden/auth/principal.hpp>
#include <string>
std::string forward_upstream(const warden::principal& caller) { return caller.token; }
