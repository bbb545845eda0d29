# tests/cmake/run_example.cmake — the common first half of the example checks' script mode
# (tests/examples_fit.cmake, tests/examples_paper.cmake): runs EXE with ARGS ('|'-separated), checks the
# exit code against EXPECT_RC (default 0) and, for EXPECT_RC 2, that the program printed exactly one
# error line on stderr and nothing on stdout, and that every file of FILES ('|'-separated) exists.
# Leaves `out`, `err`, `rc` and `ctx` (a failure context)
# for the caller's own checks. Included from script mode only (not a CTest module: it lives in cmake/).
if(NOT DEFINED EXPECT_RC)
  set(EXPECT_RC 0)
endif()
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${EXE}" ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(ctx "command: ${EXE} ${args}\nexit code: ${rc}\nstdout: ${out}\nstderr: ${err}")
if(NOT rc STREQUAL EXPECT_RC)
  message(FATAL_ERROR "expected exit code ${EXPECT_RC}\n${ctx}")
endif()
if(EXPECT_RC EQUAL 2)
  string(STRIP "${err}" e)
  string(FIND "${e}" "\n" nl)
  if(e STREQUAL "" OR NOT nl EQUAL -1 OR NOT out STREQUAL "")
    message(FATAL_ERROR "expected exactly one error line on stderr and nothing on stdout\n${ctx}")
  endif()
endif()
string(REPLACE "|" ";" files "${FILES}")
foreach(f IN LISTS files)
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "expected output file ${f} is missing\n${ctx}")
  endif()
endforeach()
