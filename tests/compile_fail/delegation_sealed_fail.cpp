// expect: private
// A handler holds the caller's token only as a capability: it cannot open it, so it cannot
// pass it upstream (the MCP specification forbids token passthrough).
#include <warden/auth/principal.hpp>
#include <warden/delegation.hpp>
#include <string>
std::string passthrough(const warden::principal& caller) { return caller.delegation->open().value(); }
