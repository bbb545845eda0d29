# tests/include_rule.cmake — the include rule of docs/design.md ("What may include what"), checked.
#
# Two roles in one file (like tests/headers.cmake):
#  * included by tests/CMakeLists.txt: adds the CTest entry `include_rule` (label headers);
#  * run as a script (cmake -P -DSOURCE_DIR=...): reads every include/posenc/**/*.hpp and fails,
#    naming the header, the line and the rule, when
#      - a posenc header includes one of a layer above it: core <- encoding <- nn <- analysis <- io
#        (a header may include its own layer and the layers to its left; the umbrella headers
#        posenc.hpp, compiled.hpp and fwd.hpp may include any);
#      - a quoted include does not start with "posenc/" (nothing in include/ may reach examples/,
#        bench/, tests/ or use relative paths);
#      - an angle include is neither a standard header nor Eigen's, apart from the guarded platform
#        headers listed below and nlohmann/json.hpp in io/json_spec.hpp (optional, docs/nn.md).

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_minimum_required(VERSION 3.25)
  set(layers core encoding nn analysis io)
  # Non-standard angle includes allowed, and where.
  set(platform_headers "unistd.h" "io.h" "ext/stdio_sync_filebuf.h" "omp.h")
  set(json_header "nlohmann/json.hpp")
  set(json_home "posenc/io/json_spec.hpp")
  file(GLOB_RECURSE headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/posenc/*.hpp")
  list(SORT headers)
  set(problems "")
  set(count 0)
  foreach(h IN LISTS headers)
    math(EXPR count "${count} + 1")
    string(REGEX MATCH "^posenc/([a-z_]+)/" m "${h}")
    set(layer "${CMAKE_MATCH_1}")
    if(layer STREQUAL "")
      set(rank 99)  # umbrella headers: anything of posenc
    else()
      list(FIND layers "${layer}" rank)
      if(rank LESS 0)
        string(APPEND problems "  ${h}: folder '${layer}' is not a layer of the rule (core encoding nn analysis io)\n")
        continue()
      endif()
    endif()
    file(STRINGS "${SOURCE_DIR}/include/${h}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS lines)
      if(line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
        set(inc "${CMAKE_MATCH_1}")
        if(NOT inc MATCHES "^posenc/")
          string(APPEND problems "  ${h}: #include \"${inc}\": a quoted include must be a posenc header (\"posenc/...\")\n")
        elseif(inc MATCHES "^posenc/([a-z_]+)/")
          list(FIND layers "${CMAKE_MATCH_1}" inc_rank)
          if(inc_rank GREATER rank)
            string(APPEND problems "  ${h}: #include \"${inc}\": ${layer} may not include ${CMAKE_MATCH_1} (core <- encoding <- nn <- analysis <- io)\n")
          endif()
        elseif(NOT rank EQUAL 99)
          string(APPEND problems "  ${h}: #include \"${inc}\": only the umbrella headers include posenc/*.hpp\n")
        endif()
      elseif(line MATCHES "#[ \t]*include[ \t]*<([^>]+)>")
        set(inc "${CMAKE_MATCH_1}")
        if(inc MATCHES "^Eigen/[A-Za-z]+$" OR inc MATCHES "^[a-z_]+$")
          # Eigen module or a standard header (no extension, lower case)
        elseif(inc IN_LIST platform_headers)
          # guarded by __has_include / _OPENMP where it is included
        elseif(inc STREQUAL json_header AND h STREQUAL json_home)
        else()
          string(APPEND problems "  ${h}: #include <${inc}>: the library headers need only Eigen and the standard library\n")
        endif()
      endif()
    endforeach()
  endforeach()
  if(count LESS 10)
    message(FATAL_ERROR "include_rule: only ${count} headers found under ${SOURCE_DIR}/include: wrong SOURCE_DIR?")
  endif()
  if(problems)
    message(FATAL_ERROR "include_rule: headers break the include rule of docs/design.md:\n${problems}")
  endif()
  message(STATUS "include_rule: ${count} headers follow the rule")
  return()
endif()

add_test(NAME include_rule
         COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(include_rule PROPERTIES TIMEOUT 60 LABELS "headers")
