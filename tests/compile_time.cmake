# tests/compile_time.cmake — a user's compile time with posenc, reported (issue 11, item 4).
#
# Two roles in one file (like tests/doxygen.cmake):
#  * included by tests/CMakeLists.txt: adds the CTest entry `compile_time`;
#  * run as a script (cmake -P, which is what the test does): compiles tests/compile_time/user_posenc.cpp
#    (posenc/posenc.hpp, a Gaussian ShiftedBasis in a Model<float>, Adam, train(): header-only, no
#    posenc target linked) and tests/compile_time/user_eigen.cpp (the same job by hand in plain
#    Eigen) the way a user would, `c++ -std=c++20 -O2`, without posenc's development flags; runs both
#    programs (each must print its final loss) and prints the wall and CPU seconds, the peak memory of
#    the compiler and the ratio posenc / Eigen. A report, not a timed assertion: it fails only when a
#    program does not compile or run. docs/development.md quotes and explains the figures.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- script mode: -DCXX=... -DSOURCE_DIR=... -DWORK_DIR=... -DEIGEN_INC=... -DTIME=/usr/bin/time|
  file(MAKE_DIRECTORY "${WORK_DIR}")
  set(results "")
  foreach(prog IN ITEMS user_eigen user_posenc)
    set(cmd "${CXX}" -std=c++20 -O2 "-I${SOURCE_DIR}/include" -isystem "${EIGEN_INC}"
            "${SOURCE_DIR}/tests/compile_time/${prog}.cpp" -o "${WORK_DIR}/${prog}")
    set(tfile "${WORK_DIR}/${prog}.time")
    file(REMOVE "${tfile}")
    if(TIME)
      set(cmd "${TIME}" -f "%U %S %M" -o "${tfile}" ${cmd})
    endif()
    string(TIMESTAMP t0 "%s%f")
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
    string(TIMESTAMP t1 "%s%f")
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "compile_time: ${prog}.cpp does not compile (exit code ${rc}):\n${err}")
    endif()
    math(EXPR ms "(${t1} - ${t0}) / 1000")
    set(cpu "")
    set(mem "")
    if(EXISTS "${tfile}")
      file(READ "${tfile}" tline)
      string(REGEX MATCH "([0-9.]+) ([0-9.]+) ([0-9]+)" _ "${tline}")
      set(cpu "${CMAKE_MATCH_1}+${CMAKE_MATCH_2}")
      math(EXPR mem "${CMAKE_MATCH_3} / 1024")
    endif()
    execute_process(COMMAND "${WORK_DIR}/${prog}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT out MATCHES "final loss")
      message(FATAL_ERROR "compile_time: ${prog} did not run (exit code ${rc}): ${out}${err}")
    endif()
    string(STRIP "${out}" out)
    set(ms_${prog} ${ms})
    message("compile_time: ${prog}.cpp: ${ms} ms wall, CPU user+sys ${cpu} s, compiler peak ${mem} MiB; runs: ${out}")
  endforeach()
  math(EXPR ratio_x100 "100 * ${ms_user_posenc} / ${ms_user_eigen}")
  math(EXPR whole "${ratio_x100} / 100")
  math(EXPR frac "${ratio_x100} % 100")
  if(frac LESS 10)
    set(frac "0${frac}")
  endif()
  message("compile_time: ratio posenc / plain Eigen = ${whole}.${frac} (wall; goal <= 3, docs/development.md)")
  return()
endif()

# ---- module mode (included from tests/CMakeLists.txt) -------------------------------------------
get_target_property(_posenc_eigen_inc Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
list(GET _posenc_eigen_inc 0 _posenc_eigen_inc)
find_program(POSENC_TIME_PROGRAM NAMES time PATHS /usr/bin NO_DEFAULT_PATH)
add_test(NAME compile_time
  COMMAND ${CMAKE_COMMAND} -DCXX=${CMAKE_CXX_COMPILER} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DWORK_DIR=${PROJECT_BINARY_DIR}/compile_time -DEIGEN_INC=${_posenc_eigen_inc}
          -DTIME=${POSENC_TIME_PROGRAM} -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(compile_time PROPERTIES TIMEOUT 600 LABELS "compile_time" RUN_SERIAL ON)
unset(_posenc_eigen_inc)
