// expect: warden: rule 5 \(literal credentials only in tests\)
#include "policies.hpp"
#include <warden/credentials/literal.hpp>
using def = warden::server_definition<example::pipe, warden::credentials::literal, example::process, example::ram,
                                      warden::profile::production>;
static_assert(sizeof(def) > 0);
