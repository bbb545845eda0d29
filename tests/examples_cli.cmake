# tests/examples_cli.cmake — command-line checks of the example programs (exit codes, one-line errors,
# JSON output).
#
# Two roles in one file (like tests/doxygen.cmake):
#  * included by tests/CMakeLists.txt: defines posenc_cli_test() and adds the CTest entries below;
#  * run as a script by each entry (cmake -P): runs the program and checks
#      - the exit code is EXACTLY the expected one;
#      - for a non-zero exit: stdout is empty and stderr is ONE line "<prog>: error: ...";
#      - for every JSON_HAS item "a.b" (or "a.b=N"): stdout is one JSON object with member a.b
#        (an array of length N).
#
# Adding checks for your example:
#   posenc_has_example(_have <example>)
#   if(_have)
#     posenc_cli_test(<test name> <example> EXIT <code> [JSON_HAS key.path[=length] ...] ARGS <arg> ...)
#   endif()
# (if(TARGET <example>) does not work here: tests/ is added before examples/, so the example targets
# do not exist yet when this file is included; generator expressions resolve them later.)
# Arguments must not contain '|' (used to pass the list through CTest).

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- script mode: -DEXE=... -DEXIT=... -DARGS=a|b|c -DJSON_HAS=x|y=3 ------------------------------
  string(REPLACE "|" ";" args "${ARGS}")
  string(REPLACE "|" ";" json_has "${JSON_HAS}")
  execute_process(COMMAND "${EXE}" ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  get_filename_component(prog "${EXE}" NAME)
  string(REPLACE ";" " " shown "${args}")
  set(cmd "${prog} ${shown}")
  if(NOT "${rc}" STREQUAL "${EXIT}")
    message(FATAL_ERROR "${cmd}: exit code ${rc}, expected ${EXIT}\nstdout: ${out}\nstderr: ${err}")
  endif()
  if(NOT EXIT EQUAL 0)
    if(NOT out STREQUAL "")
      message(FATAL_ERROR "${cmd}: an error run must print nothing on stdout (got: ${out})")
    endif()
    # exactly one line: "<prog>: error: <message>\n"
    if(NOT err MATCHES "^${prog}: error: [^\n]+\n$")
      message(FATAL_ERROR "${cmd}: stderr must be ONE line '${prog}: error: ...' (got: '${err}')")
    endif()
    message("ok: ${cmd} -> exit ${rc}: ${err}")
  endif()
  foreach(item IN LISTS json_has)
    string(REPLACE "=" ";" kv "${item}")
    list(GET kv 0 path)
    string(REPLACE "." ";" members "${path}")
    string(JSON type ERROR_VARIABLE jerr TYPE "${out}" ${members})
    if(jerr)
      message(FATAL_ERROR "${cmd}: stdout has no JSON member '${path}' (${jerr})\nstdout: ${out}")
    endif()
    list(LENGTH kv n)
    if(n EQUAL 2)
      list(GET kv 1 want)
      string(JSON len ERROR_VARIABLE jerr LENGTH "${out}" ${members})
      if(jerr OR NOT len EQUAL want)
        message(FATAL_ERROR "${cmd}: JSON member '${path}' must have length ${want} (got '${len}' ${jerr})")
      endif()
    endif()
  endforeach()
  return()
endif()

# ---- module mode (included from tests/CMakeLists.txt) ---------------------------------------------
set(POSENC_EXAMPLES_CLI_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

# posenc_has_example(<out-var> <name>): TRUE when examples are built (POSENC_BUILD_EXAMPLES) and
# examples/<name>.cpp exists, i.e. the target <name> will exist.
function(posenc_has_example out name)
  if(POSENC_BUILD_EXAMPLES AND EXISTS "${PROJECT_SOURCE_DIR}/examples/${name}.cpp")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# posenc_cli_test(<name> <target> EXIT <code> [JSON_HAS path[=length] ...] ARGS <args...>)
# adds the CTest entry cli.<name>.
function(posenc_cli_test name target)
  cmake_parse_arguments(PARSE_ARGV 2 T "" "EXIT" "ARGS;JSON_HAS")
  if(NOT DEFINED T_EXIT)
    message(FATAL_ERROR "posenc_cli_test(${name}): EXIT <code> is required")
  endif()
  string(REPLACE ";" "|" args "${T_ARGS}")
  string(REPLACE ";" "|" json_has "${T_JSON_HAS}")
  add_test(NAME cli.${name}
    COMMAND ${CMAKE_COMMAND} "-DEXE=$<TARGET_FILE:${target}>" "-DEXIT=${T_EXIT}" "-DARGS=${args}"
            "-DJSON_HAS=${json_has}" -P "${POSENC_EXAMPLES_CLI_SCRIPT}")
  set_tests_properties(cli.${name} PROPERTIES TIMEOUT 120 LABELS "examples" ENVIRONMENT "OMP_NUM_THREADS=2")
endfunction()

# ---- rank_curves ---------------------------------------------------------------------------------
posenc_has_example(_have rank_curves)
if(_have)
  set(_g --encoder gaussian --param 0.01 --dim 1000)
  posenc_cli_test(rank_curves.no_args rank_curves EXIT 2 ARGS)
  posenc_cli_test(rank_curves.unknown_encoder rank_curves EXIT 2 ARGS --encoder gausian --dim 10 --samples 1)
  posenc_cli_test(rank_curves.missing_param rank_curves EXIT 2 ARGS --encoder gaussian --dim 10 --samples 1)
  posenc_cli_test(rank_curves.negative_sigma rank_curves EXIT 2 ARGS --encoder gaussian --param -1 --dim 10 --samples 1)
  posenc_cli_test(rank_curves.nan_param rank_curves EXIT 2 ARGS --encoder triangle --param nan --dim 10 --samples 1)
  posenc_cli_test(rank_curves.zero_dim rank_curves EXIT 2 ARGS --encoder gaussian --param 0.01 --dim 0 --samples 1)
  posenc_cli_test(rank_curves.missing_dim rank_curves EXIT 2 ARGS --encoder gaussian --param 0.01 --samples 1)
  posenc_cli_test(rank_curves.zero_samples rank_curves EXIT 2 ARGS ${_g} --samples 1,0)
  posenc_cli_test(rank_curves.bad_samples rank_curves EXIT 2 ARGS ${_g} --samples 1,x)
  posenc_cli_test(rank_curves.missing_samples rank_curves EXIT 2 ARGS ${_g})
  posenc_cli_test(rank_curves.unknown_flag rank_curves EXIT 2 ARGS ${_g} --samples 1 --bogus)
  posenc_cli_test(rank_curves.param_without_parameter rank_curves EXIT 2 ARGS --encoder impulse --param 3 --dim 10 --samples 1)
  posenc_cli_test(rank_curves.offset_not_sine rank_curves EXIT 2 ARGS ${_g} --offset 1 --samples 1)
  posenc_cli_test(rank_curves.rff_odd_dim rank_curves EXIT 2 ARGS --encoder rff --param 1 --dim 11 --samples 1)
  posenc_cli_test(rank_curves.negative_seed rank_curves EXIT 2 ARGS --encoder rff --param 1 --dim 10 --seed -1 --samples 1)
  posenc_cli_test(rank_curves.composite rank_curves EXIT 2 ARGS --encoder concat --dim 10 --samples 1)
  posenc_cli_test(rank_curves.help rank_curves EXIT 0 ARGS --help)
  posenc_cli_test(rank_curves.table rank_curves EXIT 0 ARGS --encoder sine --offset 0.5 --dim 500 --periodic --samples 1,10)
  posenc_cli_test(rank_curves.json rank_curves EXIT 0
    JSON_HAS encoder param dim samples=3 stable_rank=3 stable_rank_l1=3 method=3 dp.delta=201 dp.k=201 half_width
    ARGS ${_g} --periodic --samples 1,10,50 --json)
  # --grid: the weight matrices of multiresolution grids (analysis/grid_embedding.hpp)
  posenc_cli_test(rank_curves.grid_json rank_curves EXIT 0
    JSON_HAS mode input_dim points resolution.base=9 resolution.dense.stable_rank=9 resolution.hashed.half_width=9
             levels.levels=8 levels.hashed.stable_rank=8 table.log2_table=10 table.stable_rank=10 dp.delta=201
    ARGS --grid --grid-points 64 --json)
  posenc_cli_test(rank_curves.grid_2d_json rank_curves EXIT 0 JSON_HAS resolution.dense.stable_rank=9
    ARGS --grid --grid-dim 2 --grid-points 64 --interpolation smoothstep --grid-alignment vertex --json)
  posenc_cli_test(rank_curves.grid_with_encoder rank_curves EXIT 2 ARGS --grid --encoder gaussian)
  posenc_cli_test(rank_curves.grid_with_all rank_curves EXIT 2 ARGS --grid --all)
  posenc_cli_test(rank_curves.grid_with_levels rank_curves EXIT 2 ARGS --grid --levels 4)
  posenc_cli_test(rank_curves.grid_bad_dim rank_curves EXIT 2 ARGS --grid --grid-dim 3)
  posenc_cli_test(rank_curves.grid_bad_points rank_curves EXIT 2 ARGS --grid --grid-points 2)
  posenc_cli_test(rank_curves.grid_bad_interpolation rank_curves EXIT 2 ARGS --grid --interpolation cubic)
  posenc_cli_test(rank_curves.grid_points_without_grid rank_curves EXIT 2 ARGS ${_g} --samples 1 --grid-points 64)
  unset(_g)
endif()
unset(_have)
