// warden/concepts.hpp: one concept per slot of a server definition.
//
// A policy is any type with its slot's traits as `static constexpr` members; the concepts
// check that they are there and are constant expressions. Runtime behaviour (serving a
// transport, loading credentials, authenticating a request, storing a value) is asked of a
// policy only when a server actually uses it. Each slot's complete table, traits and run-time
// members, is in the slot's folder:
//
// | slot              | concept                    | table                                  |
// |-------------------|----------------------------|----------------------------------------|
// | transport         | `transport_policy`         | warden/transport/requirements.hpp      |
// | credential source | `credential_source_policy` | warden/credentials/requirements.hpp    |
// | auth scheme       | `auth_scheme_policy`       | warden/auth/requirements.hpp           |
// | storage           | `storage_policy`           | warden/storage/requirements.hpp        |
// | profile           | `profile_policy`           | warden/profile.hpp                     |
#pragma once

#include <warden/auth/requirements.hpp>
#include <warden/credentials/requirements.hpp>
#include <warden/profile.hpp>
#include <warden/storage/requirements.hpp>
#include <warden/traits.hpp>
#include <warden/transport/requirements.hpp>
