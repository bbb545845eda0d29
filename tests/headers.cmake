# tests/headers.cmake — every public header compiles on its own (issue 11, item 5).
#
# Two roles in one file (like tests/doxygen.cmake):
#  * included by tests/CMakeLists.txt: adds the CTest entry `headers_standalone`;
#  * run as a script (cmake -P, which is what the test does): for every include/posenc/**/*.hpp,
#    compiles a translation unit that includes only that header (-fsyntax-only: parsing and template
#    checks, no code generation) with -Wall -Wextra -Wpedantic -Werror and without OpenMP, two at a
#    time, and fails naming every header that does not compile alone; then posenc/fwd.hpp without
#    Eigen on the include path, and before every public header (its declarations must match the
#    definitions).
# io/json_spec.hpp needs nlohmann_json, which is on the include path only when it is installed.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- script mode: -DCXX=... -DSOURCE_DIR=... -DWORK_DIR=... -DINCLUDES=a|b -----------------------
  string(REPLACE "|" ";" includes "${INCLUDES}")
  set(flags -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror "-I${SOURCE_DIR}/include")
  foreach(dir IN LISTS includes)
    list(APPEND flags "-isystem" "${dir}")
  endforeach()
  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}")
  file(GLOB_RECURSE headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/posenc/*.hpp")
  list(SORT headers)
  set(all_headers ${headers})
  set(failed "")
  set(pending "")
  list(LENGTH headers total)
  # Two compiles at a time: execute_process runs the COMMANDs of one call concurrently.
  while(headers)
    list(POP_FRONT headers h1)
    set(cmds "")
    set(batch "${h1}")
    string(MAKE_C_IDENTIFIER "${h1}" id1)
    file(WRITE "${WORK_DIR}/${id1}.cpp" "#include \"${h1}\"\n")
    list(APPEND cmds COMMAND "${CXX}" ${flags} "${WORK_DIR}/${id1}.cpp")
    if(headers)
      list(POP_FRONT headers h2)
      list(APPEND batch "${h2}")
      string(MAKE_C_IDENTIFIER "${h2}" id2)
      file(WRITE "${WORK_DIR}/${id2}.cpp" "#include \"${h2}\"\n")
      list(APPEND cmds COMMAND "${CXX}" ${flags} "${WORK_DIR}/${id2}.cpp")
    endif()
    execute_process(${cmds} RESULTS_VARIABLE rcs ERROR_VARIABLE err OUTPUT_VARIABLE out)
    foreach(h rc IN ZIP_LISTS batch rcs)
      if(NOT rc EQUAL 0)
        list(APPEND failed "${h}")
      endif()
    endforeach()
    if(NOT err STREQUAL "")
      message(NOTICE "${err}")
    endif()
  endwhile()
  # posenc/fwd.hpp: needs nothing but the standard library (compiled without the Eigen path), and its
  # declarations match the definitions (included before every public header).
  file(WRITE "${WORK_DIR}/fwd_alone.cpp" "#include \"posenc/fwd.hpp\"\n")
  set(all_includes "#include \"posenc/fwd.hpp\"\n")
  foreach(h IN LISTS all_headers)
    string(APPEND all_includes "#include \"${h}\"\n")
  endforeach()
  file(WRITE "${WORK_DIR}/fwd_then_all.cpp"
       "${all_includes}#include <type_traits>\nstatic_assert(std::is_same_v<posenc::Index, Eigen::Index>);\n")
  execute_process(COMMAND "${CXX}" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror "-I${SOURCE_DIR}/include"
                          "${WORK_DIR}/fwd_alone.cpp"
                  COMMAND "${CXX}" ${flags} "${WORK_DIR}/fwd_then_all.cpp"
                  RESULTS_VARIABLE rcs ERROR_VARIABLE err)
  set(fwd_checks "posenc/fwd.hpp without Eigen" "posenc/fwd.hpp before the umbrella")
  foreach(what rc IN ZIP_LISTS fwd_checks rcs)
    if(NOT rc EQUAL 0)
      list(APPEND failed "${what}")
    endif()
  endforeach()
  if(NOT err STREQUAL "")
    message(NOTICE "${err}")
  endif()
  if(failed)
    list(JOIN failed ", " failed)
    message(FATAL_ERROR "headers that do not compile on their own: ${failed}")
  endif()
  message("headers_standalone: all ${total} public headers compile on their own")
  return()
endif()

# ---- module mode (included from tests/CMakeLists.txt) -------------------------------------------
get_target_property(_posenc_eigen_inc Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
set(_posenc_hdr_inc ${_posenc_eigen_inc})
find_package(nlohmann_json 3 QUIET)
if(TARGET nlohmann_json::nlohmann_json)
  get_target_property(_posenc_json_inc nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
  list(APPEND _posenc_hdr_inc ${_posenc_json_inc})
endif()
# The compiler's own directories (/usr/include) must not be repeated as -isystem: that breaks the
# #include_next chain of libstdc++'s <cmath>/<cstdlib>.
list(REMOVE_ITEM _posenc_hdr_inc ${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES})
list(REMOVE_DUPLICATES _posenc_hdr_inc)
list(JOIN _posenc_hdr_inc "|" _posenc_hdr_inc)
add_test(NAME headers_standalone
  COMMAND ${CMAKE_COMMAND} -DCXX=${CMAKE_CXX_COMPILER} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DWORK_DIR=${PROJECT_BINARY_DIR}/headers_standalone "-DINCLUDES=${_posenc_hdr_inc}"
          -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(headers_standalone PROPERTIES TIMEOUT 600 LABELS "headers")
unset(_posenc_eigen_inc)
unset(_posenc_json_inc)
unset(_posenc_hdr_inc)
