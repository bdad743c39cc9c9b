// warden/version.hpp: the library version.
#pragma once

#define WARDEN_VERSION_MAJOR 0
#define WARDEN_VERSION_MINOR 1
#define WARDEN_VERSION_PATCH 0

namespace warden {
/// "MAJOR.MINOR.PATCH" of the warden headers in use.
inline constexpr const char* version_string = "0.1.0";
} // namespace warden
