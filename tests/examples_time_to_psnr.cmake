# tests/examples_time_to_psnr.cmake — CTest entries for examples/time_to_psnr (docs/examples.md, "Time to quality").
#
# Two roles, like tests/examples_fit.cmake:
#  * included by tests/CMakeLists.txt (project mode): adds the CTest entries below;
#  * run as `cmake -DEXE=... -DARGS=a|b|c [-DEXPECT_RC=0] [-DCSV=path] [-DMETHODS=m1|m2] [-DMIN_PSNR=m=dB|...]
#    [-DFILES=f1|f2] -P examples_time_to_psnr.cmake` (script mode): runs EXE with ARGS and checks the exit
#    code (and the one-line error for 2); with CSV, that the file starts with the header
#    method,step,seconds,test_psnr, that every row has four fields (a known method, an integer step,
#    finite seconds >= 0, a finite PSNR), that steps and seconds never decrease within a method, that
#    exactly the METHODS occur, and that each MIN_PSNR method's best checkpoint is above its bound.
#
# The run is tiny (S = 64, a 2 s budget, at most 200 steps: a few seconds); the PSNR bounds are loose
# (measured on the built-in image: kronecker 24.9 dB, the grids 27 dB by step 100), so they catch a
# broken pipeline, not a drift.

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_policy(SET CMP0057 NEW)  # if(... IN_LIST ...) in script mode
  include("${CMAKE_CURRENT_LIST_DIR}/cmake/run_example.cmake")
  if(DEFINED CSV)
    if(NOT EXISTS "${CSV}")
      message(FATAL_ERROR "no CSV file ${CSV}\n${ctx}")
    endif()
    file(STRINGS "${CSV}" lines)
    list(LENGTH lines n)
    if(n LESS 2)
      message(FATAL_ERROR "CSV ${CSV} has ${n} lines (header + rows expected)\n${ctx}")
    endif()
    list(GET lines 0 header)
    if(NOT header STREQUAL "method,step,seconds,test_psnr")
      message(FATAL_ERROR "CSV header is '${header}', expected 'method,step,seconds,test_psnr'\n${ctx}")
    endif()
    list(REMOVE_AT lines 0)
    set(seen "")
    set(num "-?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?")
    foreach(line IN LISTS lines)
      if(NOT line MATCHES "^(posenc_[a-z0-9_]+),([0-9]+),(${num}),(${num})$")
        message(FATAL_ERROR "bad CSV row '${line}'\n${ctx}")
      endif()
      set(m "${CMAKE_MATCH_1}")
      set(step "${CMAKE_MATCH_2}")
      set(sec "${CMAKE_MATCH_3}")
      set(psnr "${CMAKE_MATCH_6}")
      if(sec LESS 0)
        message(FATAL_ERROR "negative seconds in '${line}'\n${ctx}")
      endif()
      if(NOT m IN_LIST seen)
        list(APPEND seen "${m}")
        set(last_step_${m} -1)
        set(last_sec_${m} -1)
        set(best_${m} -1000)
      endif()
      if(step LESS last_step_${m} OR sec LESS last_sec_${m})
        message(FATAL_ERROR "steps or seconds decrease for ${m} at '${line}'\n${ctx}")
      endif()
      set(last_step_${m} ${step})
      set(last_sec_${m} ${sec})
      if(psnr GREATER best_${m})
        set(best_${m} ${psnr})
      endif()
    endforeach()
    string(REPLACE "|" ";" want "${METHODS}")
    list(SORT want)
    set(have ${seen})
    list(SORT have)
    if(NOT have STREQUAL want)
      message(FATAL_ERROR "methods in the CSV are [${have}], expected [${want}]\n${ctx}")
    endif()
    string(REPLACE "|" ";" mins "${MIN_PSNR}")
    foreach(c IN LISTS mins)
      if(NOT c MATCHES "^([a-z0-9_]+)=([0-9.]+)$")
        message(FATAL_ERROR "bad MIN_PSNR entry '${c}'")
      endif()
      if(NOT best_${CMAKE_MATCH_1} GREATER ${CMAKE_MATCH_2})
        message(FATAL_ERROR "${CMAKE_MATCH_1}: best test PSNR ${best_${CMAKE_MATCH_1}} dB is not above ${CMAKE_MATCH_2}\n${ctx}")
      endif()
    endforeach()
  endif()
  return()
endif()

# ------------------------------------------------------------------------ project mode: the tests
if(NOT POSENC_BUILD_EXAMPLES OR NOT EXISTS "${PROJECT_SOURCE_DIR}/examples/time_to_psnr.cpp")
  return()
endif()

set(_ttp_script "${CMAKE_CURRENT_LIST_FILE}")
set(_ttp_dir "${CMAKE_CURRENT_BINARY_DIR}/examples_time_to_psnr")
file(MAKE_DIRECTORY "${_ttp_dir}")

function(posenc_ttp_test name)
  cmake_parse_arguments(P "" "RC;CSV;FIXTURES_SETUP;FIXTURES_REQUIRED" "ARGS;METHODS;MIN_PSNR;FILES" ${ARGN})
  if(NOT DEFINED P_RC)
    set(P_RC 0)
  endif()
  string(REPLACE ";" "|" a "${P_ARGS}")
  string(REPLACE ";" "|" f "${P_FILES}")
  set(defs "-DEXE=$<TARGET_FILE:time_to_psnr>" "-DARGS=${a}" "-DEXPECT_RC=${P_RC}" "-DFILES=${f}")
  if(P_CSV)
    string(REPLACE ";" "|" m "${P_METHODS}")
    string(REPLACE ";" "|" q "${P_MIN_PSNR}")
    list(APPEND defs "-DCSV=${P_CSV}" "-DMETHODS=${m}" "-DMIN_PSNR=${q}")
  endif()
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${defs} -P "${_ttp_script}")
  set_tests_properties(${name} PROPERTIES TIMEOUT 120 ENVIRONMENT "OMP_NUM_THREADS=1" LABELS examples)
  if(P_FIXTURES_SETUP)
    set_tests_properties(${name} PROPERTIES FIXTURES_SETUP ${P_FIXTURES_SETUP})
  endif()
  if(P_FIXTURES_REQUIRED)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED ${P_FIXTURES_REQUIRED})
  endif()
endfunction()

# all four methods on the built-in image at S = 64, a 2 s budget per method, at most 200 steps
posenc_ttp_test(time_to_psnr_csv
  ARGS --size 64 --budget 2 --steps 200 --quiet --out ${_ttp_dir}/ttp.csv
  CSV ${_ttp_dir}/ttp.csv
  METHODS posenc_gaussian2_mlp posenc_kronecker_closed_form posenc_hashgrid posenc_densegrid
  MIN_PSNR posenc_gaussian2_mlp=10 posenc_kronecker_closed_form=20 posenc_hashgrid=20 posenc_densegrid=20
  FIXTURES_SETUP posenc_ttp_csv)
# --methods selects which methods run (and in which order)
posenc_ttp_test(time_to_psnr_one_method
  ARGS --size 32 --budget 1 --steps 20 --methods kronecker,hashgrid --quiet --out ${_ttp_dir}/two.csv
  CSV ${_ttp_dir}/two.csv
  METHODS posenc_kronecker_closed_form posenc_hashgrid)
# --plot: the data and gnuplot script beside the chart (the PNG itself only when gnuplot is installed)
posenc_ttp_test(time_to_psnr_plot
  ARGS --plot ${_ttp_dir}/ttp.csv --png ${_ttp_dir}/plot/ttp.png
  FILES ${_ttp_dir}/plot/ttp.dat ${_ttp_dir}/plot/ttp.gp
  FIXTURES_REQUIRED posenc_ttp_csv)
# bad arguments: one line on stderr, exit code 2
posenc_ttp_test(time_to_psnr_bad_method RC 2 ARGS --size 32 --methods kronecker,fourier)
posenc_ttp_test(time_to_psnr_bad_budget RC 2 ARGS --size 32 --budget 0)
posenc_ttp_test(time_to_psnr_plot_needs_png RC 2 ARGS --plot ${_ttp_dir}/ttp.csv)
posenc_ttp_test(time_to_psnr_plot_not_csv RC 2 ARGS --plot ${_ttp_script} --png ${_ttp_dir}/bad.png)
