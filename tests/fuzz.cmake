# tests/fuzz.cmake — libFuzzer targets (tests/fuzz/) built with clang and run for a bounded time (issue 6).
#
# Two roles in one file:
#  * included by tests/CMakeLists.txt: builds the separate project tests/fuzz/ as an ExternalProject
#    (target `posenc_fuzzers`, part of the normal build) configured with clang++ — the main compiler
#    when it is clang, otherwise the first clang++ found (Debian: clang-14) — into <build>/fuzz/, and
#    adds one CTest entry fuzz_<name> per tests/fuzz/fuzz_<name>.cpp;
#  * run as a script (cmake -P, which is what the tests do): replays the committed crash reproducers
#    tests/fuzz/crashes/<name>/* (each must now be handled without a crash), then fuzzes for
#    POSENC_FUZZ_SECONDS seconds starting from the seed corpus tests/fuzz/corpus/<name>/. New corpus
#    entries go to <build>/fuzz/work/<name>/, crash inputs to <build>/fuzz/artifacts/<name>/; the
#    source tree is never written.
# A fuzzer that was not built (no clang/libFuzzer, or the header it tests does not exist) is reported
# as skipped. Options: POSENC_BUILD_FUZZERS (ON when a clang++ is found), POSENC_FUZZ_CXX,
# POSENC_FUZZ_SECONDS (default 60). Longer runs: see docs/reliability.md.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- script mode: -DFUZZER=<exe> -DNAME=<fuzz_x> -DSOURCE_DIR=... -DWORK_DIR=... -DSECONDS=...
  if(NOT EXISTS "${FUZZER}")
    message("POSENC_SKIP: ${NAME} was not built (no clang with libFuzzer, or the header it fuzzes does not exist yet)")
    return()
  endif()
  # malloc_fill_byte / max_malloc_fill_size: every new allocation is filled with 0xff, so reads of
  # uninitialised heap memory behave the same in every run (ASan's default fills only 4 KiB).
  set(env "ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:allocator_may_return_null=0:malloc_fill_byte=255:max_malloc_fill_size=268435456"
          "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  set(work "${WORK_DIR}/work/${NAME}")
  set(artifacts "${WORK_DIR}/artifacts/${NAME}")
  file(MAKE_DIRECTORY "${work}" "${artifacts}")
  set(common -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=30 "-artifact_prefix=${artifacts}/")

  # 1. Regression: every committed reproducer must run cleanly now.
  file(GLOB crashes "${SOURCE_DIR}/tests/fuzz/crashes/${NAME}/*")
  list(FILTER crashes EXCLUDE REGEX "README")
  if(crashes)
    execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${env} "${FUZZER}" ${common} ${crashes}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(NOTICE "${out}${err}")
      message(FATAL_ERROR "${NAME}: a committed reproducer in tests/fuzz/crashes/${NAME}/ still fails (exit code ${rc})")
    endif()
    list(LENGTH crashes n)
    message("${NAME}: ${n} committed reproducer(s) handled cleanly")
  endif()

  # 2. Bounded fuzzing from the seed corpus.
  set(seeds "${SOURCE_DIR}/tests/fuzz/corpus/${NAME}")
  set(seed_arg "")
  if(SEED AND NOT SEED EQUAL 0)
    set(seed_arg "-seed=${SEED}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${env} "${FUZZER}" ${common} ${seed_arg}
                          -max_total_time=${SECONDS} -print_final_stats=1 "${work}" "${seeds}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCHALL "(stat::[a-z_]+: *[0-9]+)|(Done [0-9]+ runs[^\n]*)" stats "${err}")
  list(JOIN stats "\n" stats)
  if(NOT rc EQUAL 0)
    # Keep the tail of the log: the sanitizer report and the name of the crash file.
    string(LENGTH "${err}" len)
    if(len GREATER 12000)
      math(EXPR start "${len} - 12000")
      string(SUBSTRING "${err}" ${start} -1 err)
    endif()
    message(NOTICE "${err}")
    message(FATAL_ERROR "${NAME}: the fuzzer found a failing input (exit code ${rc}); it is in ${artifacts}/. "
                        "Commit it under tests/fuzz/crashes/${NAME}/ once reported.")
  endif()
  message("${NAME}: ${SECONDS} s without a failure\n${stats}")
  return()
endif()

# ---- module mode (included from tests/CMakeLists.txt) -------------------------------------------
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(_posenc_fuzz_default_cxx "${CMAKE_CXX_COMPILER}")
else()
  find_program(_posenc_fuzz_found_cxx NAMES clang++ clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++-14)
  set(_posenc_fuzz_default_cxx "${_posenc_fuzz_found_cxx}")
endif()
set(POSENC_FUZZ_CXX "${_posenc_fuzz_default_cxx}" CACHE FILEPATH "clang++ used to build the libFuzzer targets")
if(POSENC_FUZZ_CXX)
  set(_posenc_fuzz_on ON)
else()
  set(_posenc_fuzz_on OFF)
endif()
option(POSENC_BUILD_FUZZERS "Build the libFuzzer targets of tests/fuzz/ with clang (ExternalProject)" ${_posenc_fuzz_on})
set(POSENC_FUZZ_SECONDS 60 CACHE STRING "How long each fuzz_* CTest entry fuzzes (seconds)")
# A fixed seed makes the CTest run reproducible: a machine that fuzzes for the same time explores the
# same inputs, so a red CI run can be replayed locally. 0 = a fresh random seed per run (exploration).
set(POSENC_FUZZ_SEED 1 CACHE STRING "libFuzzer -seed of the fuzz_* CTest entries (0: random)")

set(_posenc_fuzz_dir "${PROJECT_BINARY_DIR}/fuzz")
if(POSENC_BUILD_FUZZERS AND POSENC_FUZZ_CXX)
  include(ExternalProject)
  ExternalProject_Add(posenc_fuzzers
    SOURCE_DIR "${PROJECT_SOURCE_DIR}/tests/fuzz"
    BINARY_DIR "${_posenc_fuzz_dir}"
    CMAKE_ARGS "-DCMAKE_CXX_COMPILER=${POSENC_FUZZ_CXX}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
               "-DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}"
               "-DPOSENC_SOURCE_DIR=${PROJECT_SOURCE_DIR}" "-DEigen3_DIR=${Eigen3_DIR}"
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON)
elseif(NOT POSENC_FUZZ_CXX)
  message(STATUS "posenc: no clang++ found, the fuzz_* tests will be skipped (set POSENC_FUZZ_CXX)")
endif()

file(GLOB _posenc_fuzz_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_*.cpp")
foreach(_posenc_fuzz_src IN LISTS _posenc_fuzz_sources)
  get_filename_component(_posenc_fuzz_name "${_posenc_fuzz_src}" NAME_WE)
  add_test(NAME ${_posenc_fuzz_name}
    COMMAND ${CMAKE_COMMAND} -DFUZZER=${_posenc_fuzz_dir}/${_posenc_fuzz_name} -DNAME=${_posenc_fuzz_name}
            -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DWORK_DIR=${_posenc_fuzz_dir} -DSECONDS=${POSENC_FUZZ_SECONDS}
            -DSEED=${POSENC_FUZZ_SEED}
            -P ${CMAKE_CURRENT_LIST_FILE})
  math(EXPR _posenc_fuzz_timeout "${POSENC_FUZZ_SECONDS} + 240")
  set_tests_properties(${_posenc_fuzz_name} PROPERTIES TIMEOUT ${_posenc_fuzz_timeout} LABELS "fuzz"
                       SKIP_REGULAR_EXPRESSION "POSENC_SKIP: ")
endforeach()
unset(_posenc_fuzz_dir)
unset(_posenc_fuzz_on)
unset(_posenc_fuzz_default_cxx)
unset(_posenc_fuzz_sources)
unset(_posenc_fuzz_src)
unset(_posenc_fuzz_name)
unset(_posenc_fuzz_timeout)
