# The include boundaries of docs/design.md §5, checked on every header's #include lines:
#
#   cmake -DINCLUDE_DIR=<repo>/include -P tests/boundaries.cmake
#
# Each rule names the headers it applies to (a path prefix under include/), what they must
# not reach, and how: through any chain of includes ("reaches"), or through any chain that
# does not pass through an implementation file under an impl/ folder ("sees": what a unit
# sees in separate compilation, where <warden/src.hpp> compiles the impl/ files once).
# Prints every violation and fails if there is one.
cmake_minimum_required(VERSION 3.20)
if(NOT INCLUDE_DIR)
  message(FATAL_ERROR "boundaries.cmake: pass -DINCLUDE_DIR=<repo>/include")
endif()

set(rules
  "warden/mcp/|reaches|warden/transport/|mcp never includes transport"
  "warden/auth/|reaches|warden/mcp/|auth never includes mcp"
  "warden/upstream/|reaches|warden/auth/|upstream never includes auth"
  "warden/crypto/|reaches|warden/transport/|crypto never includes transport"
  "warden/crypto/|reaches|warden/mcp/|crypto never includes mcp"
  "warden/crypto/|reaches|warden/auth/|crypto never includes auth"
  "warden/credentials/|reaches|warden/transport/|credentials never include transport"
  "warden/credentials/|reaches|warden/mcp/|credentials never include mcp"
  "warden/storage/|reaches|warden/transport/|storage never includes transport"
  "warden/storage/|reaches|warden/mcp/|storage never includes mcp"
  # A transport asks mcp::dispatcher (warden/mcp/dispatcher.hpp); the session's and the
  # server core's own members, in impl/ files, are the only way in.
  "warden/transport/|sees|warden/mcp/registry.hpp|transport never includes the registry")
# definition.hpp and rules.hpp see only traits and concepts.
set(traits_only warden/definition.hpp warden/rules.hpp)
set(traits_and_concepts warden/concepts.hpp warden/traits.hpp warden/profile.hpp warden/rules.hpp
    warden/transport/requirements.hpp warden/credentials/requirements.hpp warden/auth/requirements.hpp
    warden/storage/requirements.hpp)

file(GLOB_RECURSE headers RELATIVE ${INCLUDE_DIR} ${INCLUDE_DIR}/warden/*.hpp)
list(LENGTH headers count)
if(count LESS 50)
  message(FATAL_ERROR "boundaries.cmake: only ${count} headers under ${INCLUDE_DIR}")
endif()
foreach(h IN LISTS headers)
  file(STRINGS ${INCLUDE_DIR}/${h} lines REGEX "^#include <warden/[^>]+>")
  set(direct "")
  foreach(l IN LISTS lines)
    string(REGEX REPLACE "^#include <(warden/[^>]+)>.*" "\\1" target "${l}")
    list(APPEND direct ${target})
  endforeach()
  string(MAKE_C_IDENTIFIER "${h}" key)
  set("direct_${key}" ${direct})
endforeach()

# reach(H OUT [INTERFACE]): every header H includes, directly or not; with INTERFACE, not
# through impl/ files.
function(reach h out)
  set(seen "")
  string(MAKE_C_IDENTIFIER "${h}" key)
  set(todo ${direct_${key}})
  while(todo)
    list(POP_FRONT todo next)
    if(ARGV2 STREQUAL "INTERFACE" AND next MATCHES "/impl/")
      continue()
    endif()
    if(NOT next IN_LIST seen)
      list(APPEND seen ${next})
      string(MAKE_C_IDENTIFIER "${next}" key)
      list(APPEND todo ${direct_${key}})
    endif()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

set(violations 0)
foreach(h IN LISTS headers)
  reach(${h} reached)
  reach(${h} seen INTERFACE)
  foreach(rule IN LISTS rules)
    string(REPLACE "|" ";" parts "${rule}")
    list(GET parts 0 from)
    list(GET parts 1 how)
    list(GET parts 2 to)
    list(GET parts 3 why)
    string(FIND "${h}" "${from}" at)
    if(NOT at EQUAL 0)
      continue()
    endif()
    if(how STREQUAL "reaches")
      set(candidates ${reached})
    elseif(how STREQUAL "sees")
      set(candidates ${seen})
    else()
      string(MAKE_C_IDENTIFIER "${h}" key)
      set(candidates ${direct_${key}})
    endif()
    foreach(c IN LISTS candidates)
      string(FIND "${c}" "${to}" hit)
      if(hit EQUAL 0)
        message("boundary broken: ${h} ${how} ${c} (rule: ${why})")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
  if(h IN_LIST traits_only)
    foreach(c IN LISTS reached)
      if(NOT c IN_LIST traits_and_concepts)
        message("boundary broken: ${h} reaches ${c} (rule: definition.hpp and rules.hpp see only traits and concepts)")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endif()
endforeach()
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} include boundaries broken")
endif()
message(STATUS "include boundaries hold (${count} headers)")
