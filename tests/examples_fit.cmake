# tests/examples_fit.cmake — CTest entries for the fit_1d / fit_2d examples (protocols B and C).
#
# This file has two roles:
#  * included by tests/CMakeLists.txt (project mode): adds the CTest entries below;
#  * run as `cmake -DEXE=... -DARGS=a|b|c [-DEXPECT_RC=0] [-DKEYS=k1|k2] [-DCHECKS=key>num|key<num|key=text]
#    [-DFILES=f1|f2] -P examples_fit.cmake` (script mode, by those entries): runs EXE with ARGS and checks
#    the exit code; for exit code 0 with KEYS, that stdout is exactly one JSON object with exactly those
#    keys and that every CHECK holds; for exit code 2, that stderr is one line and stdout is empty;
#    that every FILE exists afterwards. Lists use '|' so they survive add_test's argument handling.
#
# The checks are on the built-in signal / image (no data files), a few hundred steps, each well under
# a few seconds. Thresholds are deliberately loose lower bounds measured on the built-in data (see
# docs/results.md), so they catch a broken pipeline, not a 0.1 dB drift.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---------------------------------------------------------------- script mode: run one check
  include("${CMAKE_CURRENT_LIST_DIR}/cmake/run_example.cmake")  # run, exit code, one-line errors
  if(DEFINED KEYS)
    string(STRIP "${out}" json)
    string(JSON type ERROR_VARIABLE jerr TYPE "${json}")
    if(jerr OR NOT type STREQUAL "OBJECT")
      message(FATAL_ERROR "stdout is not one JSON object (${jerr})\n${ctx}")
    endif()
    string(REPLACE "|" ";" want "${KEYS}")
    list(SORT want)
    string(JSON n LENGTH "${json}")
    set(have "")
    if(n GREATER 0)
      math(EXPR last "${n} - 1")
      foreach(i RANGE ${last})
        string(JSON k MEMBER "${json}" ${i})
        list(APPEND have "${k}")
      endforeach()
    endif()
    list(SORT have)
    if(NOT have STREQUAL want)
      message(FATAL_ERROR "JSON keys are [${have}], expected [${want}]\n${ctx}")
    endif()
    string(REPLACE "|" ";" checks "${CHECKS}")
    foreach(c IN LISTS checks)
      if(NOT c MATCHES "^([a-z0-9_]+)([<>=])(.*)$")
        message(FATAL_ERROR "bad check '${c}'")
      endif()
      set(key "${CMAKE_MATCH_1}")
      set(op "${CMAKE_MATCH_2}")
      set(ref "${CMAKE_MATCH_3}")
      string(JSON v GET "${json}" "${key}")
      if(op STREQUAL "=")
        set(ok FALSE)
        if(v STREQUAL ref)
          set(ok TRUE)
        endif()
      elseif(NOT v MATCHES "^-?[0-9]")
        set(ok FALSE)  # null (inf / nan) or text where a number is expected
      elseif(op STREQUAL ">")
        set(ok FALSE)
        if(v GREATER ref)
          set(ok TRUE)
        endif()
      else()
        set(ok FALSE)
        if(v LESS ref)
          set(ok TRUE)
        endif()
      endif()
      if(NOT ok)
        message(FATAL_ERROR "check ${key} ${op} ${ref} failed: ${key} = ${v}\n${ctx}")
      endif()
    endforeach()
  endif()
  # STDOUT_HAS: every '|'-separated word must occur in stdout (e.g. the encoder names of --help)
  if(DEFINED STDOUT_HAS)
    string(REPLACE "|" ";" words "${STDOUT_HAS}")
    foreach(w IN LISTS words)
      string(FIND "${out}" "${w}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "stdout does not contain '${w}'\n${ctx}")
      endif()
    endforeach()
  endif()
  return()
endif()

# ------------------------------------------------------------------------ project mode: the tests
# tests/ is configured before examples/, so the example targets do not exist yet here: guard on the
# sources instead of if(TARGET ...); $<TARGET_FILE:...> is resolved at generate time.
if(NOT POSENC_BUILD_EXAMPLES OR NOT EXISTS "${PROJECT_SOURCE_DIR}/examples/fit_1d.cpp"
   OR NOT EXISTS "${PROJECT_SOURCE_DIR}/examples/fit_2d.cpp")
  return()
endif()

set(_fit_script "${CMAKE_CURRENT_LIST_FILE}")
set(_fit_dir "${CMAKE_CURRENT_BINARY_DIR}/examples_fit")
file(MAKE_DIRECTORY "${_fit_dir}")
file(WRITE "${_fit_dir}/not_an_image.png" "this is text, not a PNG\n")
file(WRITE "${_fit_dir}/grid.sweep" "# N_max test_psnr (made-up values: only drawn)\n8 20.5\n16 24.0\n32 22.1\n")

# posenc_fit_test(NAME EXE ARGS <args...> [RC n] [KEYS k...] [CHECKS c...] [FILES f...] [FIXTURES_SETUP f]
#                 [FIXTURES_REQUIRED f])
function(posenc_fit_test name exe)
  cmake_parse_arguments(P "" "RC;FIXTURES_SETUP;FIXTURES_REQUIRED" "ARGS;KEYS;CHECKS;FILES;STDOUT_HAS" ${ARGN})
  if(NOT DEFINED P_RC)
    set(P_RC 0)
  endif()
  string(REPLACE ";" "|" a "${P_ARGS}")
  string(REPLACE ";" "|" k "${P_KEYS}")
  string(REPLACE ";" "|" c "${P_CHECKS}")
  string(REPLACE ";" "|" f "${P_FILES}")
  set(defs "-DEXE=$<TARGET_FILE:${exe}>" "-DARGS=${a}" "-DEXPECT_RC=${P_RC}" "-DFILES=${f}")
  if(P_KEYS)
    list(APPEND defs "-DKEYS=${k}" "-DCHECKS=${c}")
  endif()
  if(P_STDOUT_HAS)
    string(REPLACE ";" "|" h "${P_STDOUT_HAS}")
    list(APPEND defs "-DSTDOUT_HAS=${h}")
  endif()
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${defs} -P "${_fit_script}")
  # One thread: the results are identical, and tiny problems are much slower with 2 threads when the
  # machine is busy (parallel regions wait for a core); the parallel paths are tested by the library tests.
  set_tests_properties(${name} PROPERTIES TIMEOUT 120 ENVIRONMENT "OMP_NUM_THREADS=1" LABELS examples)
  if(P_FIXTURES_SETUP)
    set_tests_properties(${name} PROPERTIES FIXTURES_SETUP ${P_FIXTURES_SETUP})
  endif()
  if(P_FIXTURES_REQUIRED)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED ${P_FIXTURES_REQUIRED})
  endif()
endfunction()

set(_k1 encoder param dim steps train_psnr test_psnr stable_rank seconds)
set(_k2 train_psnr test_psnr seconds seconds_per_step)

# fit_1d, built-in signal (protocol B split, docs/protocols.md): a smooth Gaussian basis generalises ...
posenc_fit_test(fit_1d_gaussian_json fit_1d
  ARGS --encoder gaussian --param 0.005 --dim 10000 --steps 400 --json --quiet
  KEYS ${_k1}
  CHECKS "encoder=gaussian" "dim>9999" "dim<10001" "steps>399" "steps<401" "train_psnr>30" "test_psnr>28"
         "stable_rank>1" "stable_rank<256" "seconds>-1")
# ... a very narrow one memorises the train points and fails on the test points (the paper's point)
posenc_fit_test(fit_1d_memorise_json fit_1d
  ARGS --encoder gaussian --param 0.0003 --dim 10000 --steps 2000 --json --quiet
  KEYS ${_k1}
  CHECKS "train_psnr>60" "test_psnr<20" "stable_rank>200")
# closed form (ridge, depth 0) and a depth-1 MLP run through the same program
posenc_fit_test(fit_1d_closed_form_json fit_1d
  ARGS --encoder triangle --param 0.004 --dim 4000 --closed-form --lambda 1e-8 --json
  KEYS ${_k1}
  CHECKS "steps<1" "train_psnr>100" "test_psnr>28")
posenc_fit_test(fit_1d_mlp_out fit_1d
  ARGS --encoder rff --param 10 --dim 256 --depth 1 --width 32 --steps 200 --json --quiet --out ${_fit_dir}/fit1d
  KEYS ${_k1}
  CHECKS "encoder=rff" "train_psnr>25" "test_psnr>25"
  FILES ${_fit_dir}/fit1d/fit_1d.dat ${_fit_dir}/fit1d/fit_1d.gp)

# fit_1d with the multiresolution grid (input_dim 1; fit_1d's grid defaults: 8 levels, 2^12 entries,
# N_min 8, N_max 256, vertex alignment); the table is trained with the linear layer
posenc_fit_test(fit_1d_hashgrid_json fit_1d
  ARGS --encoder hashgrid --lr 1e-2 --steps 300 --json --quiet
  KEYS ${_k1}
  CHECKS "encoder=hashgrid" "dim>15" "dim<17" "train_psnr>40" "test_psnr>25" "stable_rank>1" "stable_rank<257")
# one dense level of 256 cells (vertex aligned): the 256 train points x = 2i/512 sit on its vertices, so
# the weight matrix is a selection and its stable rank is exactly 256 (analysis/grid_embedding.hpp)
posenc_fit_test(fit_1d_hashgrid_one_level_json fit_1d
  ARGS --encoder hashgrid --levels 1 --base-res 256 --log2-table 12 --interpolation smoothstep --lr 1e-2 --steps 200
       --json --quiet
  KEYS ${_k1}
  CHECKS "dim>1" "dim<3" "stable_rank>255.999" "stable_rank<256.001" "train_psnr>40" "test_psnr>20")
posenc_fit_test(fit_1d_hashgrid_tcnn_depth1 fit_1d
  ARGS --encoder hashgrid --levels 4 --features 4 --log2-table 6 --base-res 8 --per-level-scale 2
       --grid-alignment tcnn --depth 1 --width 32 --lr 1e-2 --steps 200 --json --quiet
  KEYS ${_k1}
  CHECKS "dim>15" "dim<17" "train_psnr>25" "test_psnr>20")
posenc_fit_test(fit_1d_hashgrid_closed_form fit_1d RC 2 ARGS --encoder hashgrid --closed-form)
posenc_fit_test(fit_1d_hashgrid_bad_levels fit_1d RC 2 ARGS --encoder hashgrid --levels 0)
posenc_fit_test(fit_1d_hashgrid_bad_interpolation fit_1d RC 2 ARGS --encoder hashgrid --interpolation cubic)
posenc_fit_test(fit_1d_hashgrid_dim fit_1d RC 2 ARGS --encoder hashgrid --dim 100)
posenc_fit_test(fit_1d_hashgrid_periodic fit_1d RC 2 ARGS --encoder hashgrid --periodic)

# fit_3d: a truncated SDF fitted with a 3D hash grid + MLP (short runs on a 12^3 lattice)
if(EXISTS "${PROJECT_SOURCE_DIR}/examples/fit_3d.cpp")
  set(_k3 shape res train_points test_points truncation encoder dim depth width steps train_mse test_mse train_psnr
          test_psnr seconds seconds_per_step)
  set(_small --res 12 --steps 60 --test-points 512 --levels 4 --log2-table 12 --max-res 32 --width 32)
  posenc_fit_test(fit_3d_torus_json fit_3d
    ARGS ${_small} --json --quiet
    KEYS ${_k3}
    CHECKS "shape=torus" "train_points>1727" "train_points<1729" "dim>7" "dim<9" "train_psnr>18" "test_psnr>15"
           "seconds>-1" "seconds_per_step>-1")
  posenc_fit_test(fit_3d_sphere_smoothstep_tcnn fit_3d
    ARGS ${_small} --shape sphere --interpolation smoothstep --grid-alignment tcnn --json --quiet
    KEYS ${_k3}
    CHECKS "shape=sphere" "train_psnr>18" "test_psnr>15")
  posenc_fit_test(fit_3d_table fit_3d ARGS ${_small} --quiet STDOUT_HAS "test MSE" "PSNR" "hashgrid")
  posenc_fit_test(fit_3d_help fit_3d ARGS --help STDOUT_HAS "--shape" "--res" "--levels" "hashgrid")
  posenc_fit_test(fit_3d_bad_shape fit_3d RC 2 ARGS --shape cube)
  posenc_fit_test(fit_3d_res_one fit_3d RC 2 ARGS --res 1)
  posenc_fit_test(fit_3d_steps_zero fit_3d RC 2 ARGS --steps 0)
  posenc_fit_test(fit_3d_truncation_zero fit_3d RC 2 ARGS --truncation 0)
  posenc_fit_test(fit_3d_bad_levels fit_3d RC 2 ARGS --levels 0)
  posenc_fit_test(fit_3d_bad_alignment fit_3d RC 2 ARGS --grid-alignment centre)
  posenc_fit_test(fit_3d_bad_encoder_dim fit_3d RC 2 ARGS --encoder gaussian --param 0.1 --dim 100)
  posenc_fit_test(fit_3d_unknown_flag fit_3d RC 2 ARGS --no-such-flag)
  posenc_fit_test(fit_3d_hashgrid_dim fit_3d RC 2 ARGS --dim 64)
  unset(_k3)
  unset(_small)
endif()

# fit_2d, built-in image (protocol C split, docs/protocols.md), tiny network; --out writes the PNGs used below
posenc_fit_test(fit_2d_gaussian2_out fit_2d
  ARGS --size 32 --encoder gaussian2 --param 0.03 --dim 128 --depth 2 --width 32 --steps 150 --json --quiet
       --out ${_fit_dir}/fit2d
  KEYS ${_k2}
  CHECKS "train_psnr>20" "test_psnr>20" "seconds>-1" "seconds_per_step>-1"
  FILES ${_fit_dir}/fit2d/target.png ${_fit_dir}/fit2d/reconstruction.png ${_fit_dir}/fit2d/error.png
  FIXTURES_SETUP posenc_fit_png)
# the same fit with chunked full-batch steps (TrainOptions::chunk_size; 256 train points in chunks of 100)
posenc_fit_test(fit_2d_chunked fit_2d
  ARGS --size 32 --encoder gaussian2 --param 0.03 --dim 128 --depth 2 --width 32 --steps 150 --json --quiet
       --chunk 100
  KEYS ${_k2}
  CHECKS "train_psnr>20" "test_psnr>20")
# protocol E's optimiser and output flags (docs/protocols.md): linear output clipped for the PSNR, Adam
# betas (0.9, 0.99), eps 1e-15, no weight decay
posenc_fit_test(fit_2d_protocol_e_flags fit_2d
  ARGS --size 32 --encoder gaussian2 --param 0.03 --dim 128 --depth 2 --width 32 --steps 150 --json --quiet
       --output-activation none --lr 1e-2 --beta1 0.9 --beta2 0.99 --eps 1e-15 --weight-decay 0
  KEYS ${_k2}
  CHECKS "train_psnr>20" "test_psnr>18")
# protocol E's model (docs/protocols.md): hash grid (table trained with the MLP) + 64 x 2 MLP, linear output
posenc_fit_test(fit_2d_hashgrid fit_2d
  ARGS --size 32 --encoder hashgrid --levels 4 --features 2 --log2-table 8 --base-res 4 --max-res 16 --depth 2
       --width 32 --output-activation none --lr 1e-2 --beta2 0.99 --eps 1e-15 --weight-decay 0 --steps 150
       --seed 1 --json --quiet
  KEYS ${_k2}
  CHECKS "train_psnr>30" "test_psnr>15")
# --max-res auto / --log2-table auto (posenc::recommend_grid): S = 32, train spacing 2/32 -> N_max 16;
# 17^2 = 289 vertices fit every level densely from the smallest table considered, 2^10
posenc_fit_test(fit_2d_hashgrid_auto fit_2d
  ARGS --size 32 --encoder hashgrid --levels 4 --features 2 --log2-table auto --base-res 4 --max-res auto --depth 2
       --width 32 --output-activation none --lr 1e-2 --beta2 0.99 --eps 1e-15 --weight-decay 0 --steps 150
       --seed 1 --json --quiet
  KEYS train_psnr test_psnr seconds seconds_per_step max_resolution log2_table_size grid_recommendation
  CHECKS "max_resolution>15.5" "max_resolution<16.5" "log2_table_size>9.5" "log2_table_size<10.5" "train_psnr>30" "test_psnr>15")
posenc_fit_test(fit_2d_hashgrid_auto_other_encoder fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --max-res auto --size 32)
posenc_fit_test(fit_2d_hashgrid_auto_bad_text fit_2d RC 2 ARGS --encoder hashgrid --max-res fine --size 32)
posenc_fit_test(fit_2d_hashgrid_dim fit_2d RC 2 ARGS --encoder hashgrid --dim 64 --size 32)
posenc_fit_test(fit_1d_hashgrid_auto_unsupported fit_1d RC 2 ARGS --encoder hashgrid --max-res auto)
posenc_fit_test(fit_2d_from_png fit_2d
  ARGS --image ${_fit_dir}/fit2d/target.png --size 16 --encoder rff --param 4 --dim 64 --depth 1 --width 16
       --steps 50 --json --quiet
  KEYS ${_k2}
  CHECKS "train_psnr>10" "test_psnr>10"
  FIXTURES_REQUIRED posenc_fit_png)

# --param auto (posenc::recommend_bandwidth, docs/theory.md §9): the chosen width is reported as "param";
# it is at or above the floor (Gaussian: DP half-width >= spacing / 2, sigma >= 0.30 x spacing; spacing
# 1/256 in 1D, 2/S in 2D) and the fit at that width generalises (loose bounds, built-in signal / image)
posenc_fit_test(fit_1d_param_auto_json fit_1d
  ARGS --encoder gaussian --param auto --dim 2000 --steps 200 --json --quiet
  KEYS ${_k1}
  CHECKS "param>0.00117" "param<0.0626" "test_psnr>27")
posenc_fit_test(fit_2d_param_auto_complex fit_2d
  ARGS --size 64 --encoder complex_gaussian --param auto --dim 64 --depth 0 --closed-form --lambda 0.1 --json --quiet
  KEYS ${_k2} param criterion
  CHECKS "param>0.0093" "param<0.51" "test_psnr>20" "criterion=variogram")
# --criterion (posenc::BandwidthCriterion): auto takes the variogram for the closed form on the 32 x 32
# training grid above; thinned is the other rule; the variogram refused where it does not apply
posenc_fit_test(fit_2d_param_auto_thinned fit_2d
  ARGS --size 64 --encoder complex_gaussian --param auto --criterion thinned --dim 64 --depth 0 --closed-form
       --lambda 0.1 --json --quiet
  KEYS ${_k2} param criterion
  CHECKS "param>0.0093" "param<0.51" "test_psnr>20" "criterion=thinned")
posenc_fit_test(fit_2d_variogram_adam fit_2d RC 2
  ARGS --size 32 --encoder gaussian2 --param auto --criterion variogram --dim 64 --depth 1 --width 8 --steps 2)
posenc_fit_test(fit_2d_criterion_without_auto fit_2d RC 2
  ARGS --size 32 --encoder complex_gaussian --param 0.05 --criterion thinned --dim 32 --depth 0 --closed-form)
posenc_fit_test(fit_2d_criterion_unknown fit_2d RC 2
  ARGS --size 32 --encoder complex_gaussian --param auto --criterion best --dim 32 --depth 0 --closed-form)
# --blur PX (examples/common/image.hpp gaussian_blur, a smooth signal for protocol F): blurring the built-in
# image by 16 px (2 px after downsampling to S = 32) makes it easier to fit: test PSNR 26.6 dB against
# 23.5 dB unblurred (same command without --blur, 2026-12-02), so the bound fails if --blur is ignored
posenc_fit_test(fit_2d_blur fit_2d
  ARGS --size 32 --encoder complex_gaussian --param 0.0625 --dim 32 --depth 0 --closed-form --lambda 0.1 --blur 16
       --json --quiet
  KEYS ${_k2}
  CHECKS "test_psnr>25.5")
posenc_fit_test(fit_2d_blur_negative fit_2d RC 2
  ARGS --size 32 --encoder complex_gaussian --param 0.0625 --dim 32 --depth 0 --closed-form --blur -1)
posenc_fit_test(fit_2d_blur_nan fit_2d RC 2
  ARGS --size 32 --encoder complex_gaussian --param 0.0625 --dim 32 --depth 0 --closed-form --blur nan)
# fit_2d --help lists the encoder names from the factory's table plus complex_gaussian
posenc_fit_test(fit_2d_help_lists_encoders fit_2d ARGS --help
  STDOUT_HAS "gaussian2" "complex_gaussian" "triangle" "rff" "logf" "noise")
if(EXISTS "${PROJECT_SOURCE_DIR}/examples/choose_encoding.cpp")
  posenc_fit_test(choose_encoding_1d_json choose_encoding
    ARGS --encoder gaussian --dim 2000 --steps 200 --json
    KEYS encoder profile parameter param spacing stable_rank half_width half_width_over_spacing floor best_param
         best_psnr chosen_psnr criterion candidates
    CHECKS "criterion=thinned" "profile=gaussian" "param>0.00117" "half_width_over_spacing>0.49" "stable_rank>1" "stable_rank<257")
  posenc_fit_test(choose_encoding_2d_out choose_encoding
    ARGS --size 32 --encoder complex_gaussian --dim 32 --out ${_fit_dir}/choose
    FILES ${_fit_dir}/choose/choose_tradeoff.dat ${_fit_dir}/choose/choose_tradeoff.gp
          ${_fit_dir}/choose/choose_criterion.dat ${_fit_dir}/choose/choose_criterion.gp)
  posenc_fit_test(choose_encoding_2d_variogram choose_encoding
    ARGS --size 64 --encoder complex_gaussian --dim 64 --json
    KEYS encoder profile parameter param spacing stable_rank half_width half_width_over_spacing floor best_param
         best_psnr chosen_psnr criterion predicted_psnr candidates
    CHECKS "criterion=variogram" "predicted_psnr>15" "predicted_psnr<60")
  posenc_fit_test(choose_encoding_variogram_1d choose_encoding RC 2 ARGS --encoder gaussian --dim 200 --criterion variogram)
  posenc_fit_test(choose_encoding_no_width choose_encoding RC 2 ARGS --encoder sinc)
  posenc_fit_test(choose_encoding_empty_range choose_encoding RC 2 ARGS --encoder gaussian --lo 0.01 --hi 0.001)
  posenc_fit_test(choose_encoding_bad_sweep choose_encoding RC 2
    ARGS --encoder gaussian --sweep ${_fit_dir}/not_an_image.png)
  # --encoder hashgrid (posenc::recommend_grid): S = 32, train spacing 2/32 -> N_max 16; 17^2 vertices fit
  # every level densely from the smallest table considered, 2^10; the chart with the sweep on a second axis
  posenc_fit_test(choose_encoding_grid choose_encoding
    ARGS --encoder hashgrid --size 32 --levels 4 --base-res 4 --json --sweep ${_fit_dir}/grid.sweep
         --out ${_fit_dir}/choose_grid
    KEYS encoder max_resolution log2_table_size spacing resolutions tables rule
    CHECKS "encoder=hashgrid" "max_resolution>15.5" "max_resolution<16.5" "log2_table_size>9.5" "log2_table_size<10.5"
    FILES ${_fit_dir}/choose_grid/choose_grid.dat ${_fit_dir}/choose_grid/choose_grid.gp)
  posenc_fit_test(choose_encoding_grid_dim choose_encoding RC 2 ARGS --encoder hashgrid --size 32 --dim 64)
  posenc_fit_test(choose_encoding_levels_not_grid choose_encoding RC 2 ARGS --encoder gaussian --levels 4)
  posenc_fit_test(choose_encoding_blur_1d choose_encoding RC 2 ARGS --encoder gaussian --blur 2)
endif()
posenc_fit_test(fit_1d_auto_no_width fit_1d RC 2 ARGS --encoder impulse --param auto --dim 100)
posenc_fit_test(fit_1d_param_not_a_number fit_1d RC 2 ARGS --encoder gaussian --param 0.01x)
posenc_fit_test(fit_2d_auto_no_width fit_2d RC 2 ARGS --encoder rff --param auto --size 32)

# bad arguments: one line on stderr, exit code 2, no output file
posenc_fit_test(fit_1d_missing_image fit_1d RC 2 ARGS --image ${_fit_dir}/no_such_file.png --encoder gaussian --param 0.01)
posenc_fit_test(fit_1d_not_an_image fit_1d RC 2 ARGS --image ${_fit_dir}/not_an_image.png --encoder gaussian --param 0.01)
posenc_fit_test(fit_1d_narrow_image fit_1d RC 2 ARGS --image ${_fit_dir}/fit2d/target.png --row 3 --encoder gaussian --param 0.01
  FIXTURES_REQUIRED posenc_fit_png)
posenc_fit_test(fit_1d_unknown_encoder fit_1d RC 2 ARGS --encoder gausian --param 0.01)
posenc_fit_test(fit_1d_dim_zero fit_1d RC 2 ARGS --encoder gaussian --param 0.01 --dim 0)
posenc_fit_test(fit_1d_bad_sigma fit_1d RC 2 ARGS --encoder gaussian --param -1)
posenc_fit_test(fit_1d_steps_zero fit_1d RC 2 ARGS --encoder gaussian --param 0.01 --steps 0)
posenc_fit_test(fit_1d_row_needs_image fit_1d RC 2 ARGS --encoder gaussian --param 0.01 --row 3)
posenc_fit_test(fit_1d_bad_flag fit_1d RC 2 ARGS --encoder gaussian --param 0.01 --no-such-flag)
posenc_fit_test(fit_2d_missing_image fit_2d RC 2 ARGS --image ${_fit_dir}/no_such_file.png --encoder gaussian2 --param 0.01)
posenc_fit_test(fit_2d_beta2_one fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --beta2 1)
posenc_fit_test(fit_2d_eps_negative fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --eps -1)
posenc_fit_test(fit_2d_weight_decay_negative fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --weight-decay -1e-3)
posenc_fit_test(fit_2d_output_activation_unknown fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --output-activation relu)
posenc_fit_test(fit_2d_grid_flag_other_encoder fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --levels 8)
posenc_fit_test(fit_2d_hashgrid_bad_alignment fit_2d RC 2 ARGS --encoder hashgrid --grid-alignment centre)
posenc_fit_test(fit_2d_size_zero fit_2d RC 2 ARGS --size 0 --encoder gaussian2 --param 0.01)
posenc_fit_test(fit_2d_size_too_big fit_2d RC 2 ARGS --size 1000 --encoder gaussian2 --param 0.01)
posenc_fit_test(fit_2d_unknown_encoder fit_2d RC 2 ARGS --encoder gausian2 --param 0.01)
posenc_fit_test(fit_2d_width_zero fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --width 0)
posenc_fit_test(fit_2d_chunk_negative fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --chunk -5)
posenc_fit_test(fit_2d_closed_form_needs_depth0 fit_2d RC 2 ARGS --encoder gaussian2 --param 0.01 --closed-form)
