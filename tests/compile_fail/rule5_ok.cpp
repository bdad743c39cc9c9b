// expect: compiles
#include "policies.hpp"
#include <warden/credentials/literal.hpp>
using def = warden::server_definition<example::pipe, warden::credentials::literal, example::process, example::ram,
                                      warden::profile::test>;
static_assert(sizeof(def) > 0);
