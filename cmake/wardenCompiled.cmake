# warden::compiled: warden's implementation compiled once (warden/config.hpp), as a static
# library built in the consumer's own build with its compiler and flags. Everything that
# links it compiles with WARDEN_SEPARATE_COMPILATION. Not built unless something links it.
function(warden_add_compiled_target header_target source)
  add_library(warden_compiled STATIC EXCLUDE_FROM_ALL ${source})
  target_link_libraries(warden_compiled PUBLIC ${header_target})
  target_compile_definitions(warden_compiled PUBLIC WARDEN_SEPARATE_COMPILATION)
  add_library(warden::compiled ALIAS warden_compiled)
endfunction()
