// The translation unit of warden::compiled (warden/src.hpp).
#include <warden/src.hpp>
