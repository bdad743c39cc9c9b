# Builds and runs tests/packaging/consumer against warden, either through find_package on
# an installed tree (MODE=find_package) or through add_subdirectory (MODE=add_subdirectory).
cmake_minimum_required(VERSION 3.20)
set(consumer_src ${WARDEN_SOURCE_DIR}/tests/packaging/consumer)
set(dir ${WORK_DIR}/${MODE})
file(REMOVE_RECURSE ${dir})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "packaging (${MODE}): command failed (${rc}): ${ARGN}")
  endif()
endfunction()

if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} -S ${WARDEN_SOURCE_DIR} -B ${dir}/warden-build -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX} -DWARDEN_BUILD_TESTS=OFF -DWARDEN_BUILD_EXAMPLES=OFF
      -DCMAKE_INSTALL_PREFIX=${dir}/install)
  run(${CMAKE_COMMAND} --install ${dir}/warden-build)
  if(NOT EXISTS ${dir}/install/include/warden/warden.hpp OR
     NOT EXISTS ${dir}/install/share/cmake/warden/wardenConfigVersion.cmake)
    message(FATAL_ERROR "packaging: the install tree lacks headers or the package config")
  endif()
  run(${CMAKE_COMMAND} -S ${consumer_src} -B ${dir}/consumer-build -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DWARDEN_CONSUME=find_package -DCMAKE_PREFIX_PATH=${dir}/install)
else()
  run(${CMAKE_COMMAND} -S ${consumer_src} -B ${dir}/consumer-build -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DWARDEN_CONSUME=add_subdirectory -DWARDEN_SOURCE_DIR=${WARDEN_SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${dir}/consumer-build)
run(${dir}/consumer-build/consumer)
if(MODE STREQUAL "find_package")
  run(${dir}/consumer-build/consumer_compiled)
endif()
