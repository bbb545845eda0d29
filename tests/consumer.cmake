# tests/consumer.cmake — posenc works as a dependency of another CMake project (issue 6).
#
# Two roles in one file:
#  * included by tests/CMakeLists.txt: adds the CTest entries
#      consumer_install       `cmake --install` this build tree into a fresh prefix, then configure,
#                             build and run tests/consumer against it with find_package(posenc CONFIG);
#                             the full program: umbrella header, encoders, training, model files
#                             (every public header must compile with -Werror and without OpenMP)
#      consumer_subdirectory  configure, build and run tests/consumer with add_subdirectory(<source tree>)
#                             (encoders and factory only: POSENC_CONSUMER_FULL=OFF)
#      consumer_fetchcontent  configure only, through FetchContent_Declare(SOURCE_DIR) + FetchContent_MakeAvailable
#                             (the compile would repeat consumer_subdirectory's; ~15 s of CPU saved)
#  * run as a script (cmake -P, which is what the tests do) to perform one of them.
# Everything happens under <build>/consumer/<mode>/ and is recreated on every run.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- script mode: -DMODE=... -DSOURCE_DIR=... -DBINARY_DIR=... -DWORK_DIR=... -DCXX=... -DGENERATOR=... -DBUILD=ON|OFF
  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}")

  function(posenc_consumer_step what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(NOTICE "${out}\n${err}")
      message(FATAL_ERROR "consumer (${MODE}): ${what} failed (exit code ${rc}): ${ARGN}")
    endif()
    set(step_output "${out}" PARENT_SCOPE)
  endfunction()

  # No build type: plain -O0 compiles are ~2x cheaper than Release, and what is checked here is the
  # packaging (posenc's own tests already compile every header at -O3 with -Werror).
  set(args -DCMAKE_BUILD_TYPE= "-DCMAKE_CXX_COMPILER=${CXX}"
           -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
  if(MODE STREQUAL "package")
    set(prefix "${WORK_DIR}/prefix")
    posenc_consumer_step("install" "${CMAKE_COMMAND}" --install "${BINARY_DIR}" --prefix "${prefix}")
    foreach(f include/posenc/core/error.hpp share/cmake/posenc/posencConfig.cmake
              share/cmake/posenc/posencConfigVersion.cmake share/cmake/posenc/posencTargets.cmake)
      if(NOT EXISTS "${prefix}/${f}")
        message(FATAL_ERROR "consumer (package): the install tree lacks ${f}")
      endif()
    endforeach()
    list(APPEND args "-DCMAKE_PREFIX_PATH=${prefix}")
  else()
    # The full program (umbrella header, training, model files) is compiled once, in the package
    # variant; the source-tree variants only need to prove that the target works.
    list(APPEND args "-DPOSENC_CONSUMER_MODE=${MODE}" "-DPOSENC_SOURCE_DIR=${SOURCE_DIR}" -DPOSENC_CONSUMER_FULL=OFF)
  endif()

  posenc_consumer_step("configure" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/consumer" -B "${WORK_DIR}/build"
                       -G "${GENERATOR}" ${args})
  if(MODE STREQUAL "package")
    # It must have found the freshly installed copy, not some other posenc on the system.
    file(STRINGS "${WORK_DIR}/build/CMakeCache.txt" found REGEX "^posenc_DIR:")
    if(NOT found MATCHES "^posenc_DIR:PATH=${prefix}/")
      message(FATAL_ERROR "consumer (package): found posenc outside the test prefix: ${found}")
    endif()
  endif()
  if(NOT BUILD)
    # Configure-only variant: the target posenc::posenc exists (checked by the consumer's CMakeLists).
    message("consumer (${MODE}): configured; posenc::posenc is available (build skipped: same compile as consumer_subdirectory)")
    return()
  endif()
  posenc_consumer_step("build" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
  posenc_consumer_step("run" "${WORK_DIR}/build/posenc_consumer")
  message("${step_output}")
  if(NOT step_output MATCHES "posenc_consumer: OK")
    message(FATAL_ERROR "consumer (${MODE}): the program did not report OK")
  endif()
  return()
endif()

# ---- module mode (included from tests/CMakeLists.txt) -------------------------------------------
foreach(_posenc_mode IN ITEMS install subdirectory fetchcontent)
  set(_posenc_script_mode ${_posenc_mode})
  set(_posenc_build ON)
  if(_posenc_mode STREQUAL "fetchcontent")
    set(_posenc_build OFF)
  endif()
  if(_posenc_mode STREQUAL "install")
    set(_posenc_script_mode package)
  endif()
  add_test(NAME consumer_${_posenc_mode}
    COMMAND ${CMAKE_COMMAND} -DMODE=${_posenc_script_mode} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
            -DBINARY_DIR=${PROJECT_BINARY_DIR} -DWORK_DIR=${PROJECT_BINARY_DIR}/consumer/${_posenc_mode}
            -DCXX=${CMAKE_CXX_COMPILER} -DGENERATOR=${CMAKE_GENERATOR} -DBUILD=${_posenc_build}
            -P ${CMAKE_CURRENT_LIST_FILE})
  set_tests_properties(consumer_${_posenc_mode} PROPERTIES TIMEOUT 600 LABELS "consumer")
endforeach()
unset(_posenc_mode)
unset(_posenc_script_mode)
unset(_posenc_build)
