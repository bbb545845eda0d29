# tests/examples_paper.cmake — CTest entries for the examples that reproduce the paper's figures
# (demo, sigma_sweep_1d, rff_vs_gaussian, layer_stable_rank, rank_curves --all), each in its --quick mode (the
# protocol-A reference check of rank_curves --all runs at the reference size), and their bad-argument cases.
#
# Two roles:
#  * included by tests/CMakeLists.txt (project mode): adds the CTest entries below;
#  * run as `cmake -DEXE=... -DARGS=a|b [-DEXPECT_RC=0] [-DCHECKS=path>num|path<num|path=text] [-DFILES=f1|f2]
#    -P examples_paper.cmake` (script mode): runs EXE with ARGS, checks the exit code; for exit code 2 that
#    stderr is exactly one line and stdout empty; for CHECKS that stdout is one JSON object and that each
#    value at `path` (members / array indices separated by '/', e.g. points/0/test_psnr) satisfies the
#    comparison; that every FILE exists afterwards.
# The thresholds are loose bounds on the built-in signal (see docs/examples.md), or protocol A
# (docs/protocols.md) reference values of an independent implementation, copied here, with a tolerance.

if(CMAKE_SCRIPT_MODE_FILE)
  include("${CMAKE_CURRENT_LIST_DIR}/cmake/run_example.cmake")  # run, exit code, one-line errors
  if(DEFINED CHECKS AND NOT CHECKS STREQUAL "")
    string(STRIP "${out}" json)
    string(JSON type ERROR_VARIABLE jerr TYPE "${json}")
    if(jerr OR NOT type STREQUAL "OBJECT")
      message(FATAL_ERROR "stdout is not one JSON object (${jerr})\n${ctx}")
    endif()
    string(REPLACE "|" ";" checks "${CHECKS}")
    foreach(c IN LISTS checks)
      if(NOT c MATCHES "^([A-Za-z0-9_./]+)([<>=])(.*)$")
        message(FATAL_ERROR "bad check '${c}'")
      endif()
      set(path "${CMAKE_MATCH_1}")
      set(op "${CMAKE_MATCH_2}")
      set(ref "${CMAKE_MATCH_3}")
      string(REPLACE "/" ";" parts "${path}")
      string(JSON v ERROR_VARIABLE gerr GET "${json}" ${parts})
      if(gerr)
        message(FATAL_ERROR "check ${c}: no value at ${path} (${gerr})\n${ctx}")
      endif()
      set(ok FALSE)
      if(op STREQUAL "=")
        if(v STREQUAL ref)
          set(ok TRUE)
        endif()
      elseif(NOT v MATCHES "^-?[0-9]")
        set(ok FALSE)
      elseif(op STREQUAL ">")
        if(v GREATER ref)
          set(ok TRUE)
        endif()
      elseif(v LESS ref)
        set(ok TRUE)
      endif()
      if(NOT ok)
        message(FATAL_ERROR "check ${path} ${op} ${ref} failed: ${path} = ${v}\n${ctx}")
      endif()
    endforeach()
  endif()
  return()
endif()

# ------------------------------------------------------------------------ project mode: the tests
# tests/ is configured before examples/: guard on the sources (in posenc_paper_test), not on the targets.
if(NOT POSENC_BUILD_EXAMPLES)
  return()
endif()

set(_paper_script "${CMAKE_CURRENT_LIST_FILE}")
set(_paper_dir "${CMAKE_CURRENT_BINARY_DIR}/examples_paper")
file(MAKE_DIRECTORY "${_paper_dir}")

# posenc_paper_test(NAME EXE ARGS <args...> [RC n] [CHECKS c...] [FILES f...]); no test when examples/EXE.cpp
# does not exist.
function(posenc_paper_test name exe)
  if(NOT EXISTS "${PROJECT_SOURCE_DIR}/examples/${exe}.cpp")
    return()
  endif()
  cmake_parse_arguments(P "" "RC" "ARGS;CHECKS;FILES" ${ARGN})
  if(NOT DEFINED P_RC)
    set(P_RC 0)
  endif()
  string(REPLACE ";" "|" a "${P_ARGS}")
  string(REPLACE ";" "|" c "${P_CHECKS}")
  string(REPLACE ";" "|" f "${P_FILES}")
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} "-DEXE=$<TARGET_FILE:${exe}>" "-DARGS=${a}" "-DEXPECT_RC=${P_RC}"
                                "-DCHECKS=${c}" "-DFILES=${f}" -P "${_paper_script}")
  set_tests_properties(${name} PROPERTIES TIMEOUT 120 ENVIRONMENT "OMP_NUM_THREADS=1" LABELS examples)
endfunction()

# demo --quick (D = 2000, 300 steps; measured: none stable rank 1.00, gaussian 0.002 140.8 / test 31.1 dB,
# random noise test 5.7 dB, widest sigma stable rank 5.6, Kronecker closed form test 23.5 dB): the table's
# ends of the trade-off, and every output file.
posenc_paper_test(paper_demo_quick demo
  ARGS --quick --json --out ${_paper_dir}/demo
  CHECKS "threads=1" "embedders/0/stable_rank<1.001" "embedders/4/stable_rank>100" "embedders/4/test_psnr>25"
         "embedders/10/train_psnr>25" "embedders/10/test_psnr<15" "sigma_sweep/7/stable_rank<10"
         "fit_2d/size=32" "fit_2d/complex/test_psnr>15"
  FILES ${_paper_dir}/demo/demo.json ${_paper_dir}/demo/fit_2d_target.png ${_paper_dir}/demo/fit_2d_mlp.png
        ${_paper_dir}/demo/fit_2d_complex.png ${_paper_dir}/demo/reconstructions_1d.gp ${_paper_dir}/demo/tradeoff.dat)
# sigma_sweep_1d --quick: 5 sigmas 1e-4 .. 0.05, D = 2000, 300 steps (measured: stable rank 90.8, 255.7,
# 125.9, 26.6, 5.6; best test PSNR 31.8 dB at sigma 0.0022): sigma 4.7e-4 has nearly full stable rank, the
# widest a low one; the best test PSNR is that of a smooth fit.
posenc_paper_test(paper_sigma_sweep_quick sigma_sweep_1d
  ARGS --quick --json --quiet --out ${_paper_dir}/sweep
  CHECKS "dim=2000" "points/4/sigma>0.049" "points/1/stable_rank>200" "points/4/stable_rank<10" "points/2/train_psnr>30"
         "best_test_psnr>25"
  FILES ${_paper_dir}/sweep/sigma_sweep_psnr.dat ${_paper_dir}/sweep/sigma_sweep_rank.gp)
# rff_vs_gaussian --quick: 3 dims, 3 seeds; the Gaussian basis is deterministic (std only from the init)
posenc_paper_test(paper_rff_vs_gaussian_quick rff_vs_gaussian
  ARGS --quick --json --quiet --out ${_paper_dir}/rff
  CHECKS "seeds=3" "rows/2/dim=1000" "rows/2/gaussian/mean>20" "rows/2/rff/mean>15" "rows/0/rff/std>-1"
  FILES ${_paper_dir}/rff/rff_vs_gaussian.dat)
# layer_stable_rank --quick: 4 encoders, depth 3 -> 4 ranks each (layer 0 = encoding); "none" encodes x
# itself, so its layer-0 stable rank is exactly 1; basic has 2 features -> at most 2.
posenc_paper_test(paper_layer_stable_rank_quick layer_stable_rank
  ARGS --quick --json --quiet --out ${_paper_dir}/layers
  CHECKS "encoders/0/encoder=none" "encoders/0/final/0>0.999" "encoders/0/final/0<1.001" "encoders/1/final/0<2.001"
         "encoders/3/encoder=gaussian" "encoders/3/final/3>0" "encoders/3/train_psnr>10"
         "encoders/2/layer0_method=dense" "encoders/3/layer0_method=dense"
  FILES ${_paper_dir}/layers/layer_rank_final.dat ${_paper_dir}/layers/layer_rank_gaussian.gp)
# ... --quick has D = 128 < 256 train points, so even the Gaussian's layer 0 is dense there; with D = 512
# its layer-0 rank comes from the windowed Gram (RFF has no windows: dense).
posenc_paper_test(paper_layer_stable_rank_windowed layer_stable_rank
  ARGS --quick --dim 512 --json --quiet
  CHECKS "dim=512" "encoders/2/layer0_method=dense" "encoders/3/layer0_method=windowed_gram"
         "encoders/3/stable_rank/0/0>1" "encoders/3/stable_rank/0/0<256")
# rank_curves --all (protocol A of docs/protocols.md, D = 10000, periodic, N = 1..50): stable rank at
# N = 50 against an independent implementation's values (impulse 50, square 2.4642, sine 2.0204,
# gaussian_0.01 28.2066, gaussian_0.05 5.6419, triangle_0.01 50.0, sinc_0.01 45.2559); one sigma in the
# family keeps the run short (the family is the same code path as the embedders).
posenc_paper_test(paper_rank_curves_reference rank_curves
  ARGS --all --sigmas 0.05 --json --out ${_paper_dir}/rank
  CHECKS "dim=10000" "max_samples=50" "periodic=ON"
         "embedders/impulse/stable_rank_at_max>49.99" "embedders/impulse/stable_rank_at_max<50.01"
         "embedders/square/stable_rank_at_max>2.463" "embedders/square/stable_rank_at_max<2.466"
         "embedders/sine/stable_rank_at_max>2.019" "embedders/sine/stable_rank_at_max<2.022"
         "embedders/gaussian_0.01/stable_rank_at_max>28.19" "embedders/gaussian_0.01/stable_rank_at_max<28.22"
         "embedders/gaussian_0.05/stable_rank_at_max>5.63" "embedders/gaussian_0.05/stable_rank_at_max<5.65"
         "embedders/triangle_0.01/stable_rank_at_max>49.99" "embedders/triangle_0.01/stable_rank_at_max<50.01"
         "embedders/sinc_0.01/stable_rank_at_max>45.24" "embedders/sinc_0.01/stable_rank_at_max<45.27"
         "sigma_family/gaussian_0.05/stable_rank_at_max>5.63" "sigma_family/gaussian_0.05/stable_rank_at_max<5.65"
  FILES ${_paper_dir}/rank/embedders_srank.dat ${_paper_dir}/rank/embedders_dp.gp
        ${_paper_dir}/rank/sigma_family_srank.dat ${_paper_dir}/rank/sigma_family_dp.gp)
# rank_curves --all --quick (D = 2000, N = 1..20): smoke run of the table mode and the charts; the stable
# rank of N points can never exceed N (impulse: exactly N = 20, one shift per point as 2000 / 20 = 100).
posenc_paper_test(paper_rank_curves_quick rank_curves
  ARGS --all --quick --json --out ${_paper_dir}/rank_quick
  CHECKS "dim=2000" "max_samples=20" "embedders/impulse/stable_rank_at_max>19.99"
         "embedders/impulse/stable_rank_at_max<20.01" "embedders/basic/stable_rank/19<2.001"
         "embedders/gaussian_0.01/method/19=windowed_gram" "embedders/rff_10/method/19=dense"
         "sigma_family/gaussian_0.1/half_width>0.1"
  FILES ${_paper_dir}/rank_quick/embedders_srank.gp ${_paper_dir}/rank_quick/sigma_family_dp.dat)
# rank_curves one-encoder mode with --out: the two charts of that encoder
posenc_paper_test(paper_rank_curves_one_chart rank_curves
  ARGS --encoder gaussian --param 0.01 --dim 1000 --periodic --samples 1,10,50 --json --out ${_paper_dir}/rank_one
  CHECKS "encoder=gaussian" "samples/2=50"
  FILES ${_paper_dir}/rank_one/gaussian_srank.dat ${_paper_dir}/rank_one/gaussian_dp.gp)
# rank_curves one-encoder mode: the windowed-Gram path (default for an encoder with windows) and the
# dense path (--dense, the formed D x N matrix) print the same L2 and L1 stable ranks. Each pair of bounds
# is the dense value measured at this commit +-1e-6 relative (rounded inwards), and both runs must lie
# inside it. Gaussian (truncated windows, wrapped on the periodic domain; N = 300 > exact_max_dim, so the
# dense L2 goes through Lanczos) and triangle (compact, bounded domain with zero-weight padding).
set(_rc_gauss --encoder gaussian --param 0.01 --dim 2000 --periodic --samples 10,50,300 --json)
set(_rc_gauss_checks
  "stable_rank/0>9.9999900" "stable_rank/0<10.0000099" "stable_rank/1>28.2065332" "stable_rank/1<28.2065895"
  "stable_rank/2>28.2094510" "stable_rank/2<28.2095073" "stable_rank_l1/1>36.1184602" "stable_rank_l1/1<36.1185323"
  "stable_rank_l1/2>39.8941867" "stable_rank_l1/2<39.8942664")
posenc_paper_test(paper_rank_curves_gaussian_windowed rank_curves ARGS ${_rc_gauss}
  CHECKS "method/0=windowed_gram" "method/2=windowed_gram" ${_rc_gauss_checks})
posenc_paper_test(paper_rank_curves_gaussian_dense rank_curves ARGS ${_rc_gauss} --dense
  CHECKS "method/0=dense" "method/2=dense" ${_rc_gauss_checks})
set(_rc_tri --encoder triangle --param 0.01 --dim 1000 --samples 7,200 --json)
set(_rc_tri_checks
  "stable_rank/0>6.5644998" "stable_rank/0<6.5645128" "stable_rank/1>66.8257199" "stable_rank/1<66.8258535"
  "stable_rank_l1/0>6.7533048" "stable_rank_l1/0<6.7533182" "stable_rank_l1/1>91.1365315" "stable_rank_l1/1<91.1367137")
posenc_paper_test(paper_rank_curves_triangle_windowed rank_curves ARGS ${_rc_tri}
  CHECKS "method/1=windowed_gram" ${_rc_tri_checks})
posenc_paper_test(paper_rank_curves_triangle_dense rank_curves ARGS ${_rc_tri} --dense
  CHECKS "method/1=dense" ${_rc_tri_checks})
# more points than shifts (N = 60 > D = 40): the dense D x D Gram is the smaller side, even without --dense
posenc_paper_test(paper_rank_curves_more_points_than_dim rank_curves
  ARGS --encoder gaussian --param 0.05 --dim 40 --periodic --samples 40,60 --json
  CHECKS "method/0=windowed_gram" "method/1=dense" "stable_rank/1>1" "stable_rank/1<40.0001")
unset(_rc_gauss)
unset(_rc_gauss_checks)
unset(_rc_tri)
unset(_rc_tri_checks)

# bad arguments: one line on stderr, exit code 2
posenc_paper_test(paper_demo_bad_flag demo RC 2 ARGS --no-such-flag)
posenc_paper_test(paper_demo_bad_threads demo RC 2 ARGS --threads -1)
posenc_paper_test(paper_demo_missing_image demo RC 2 ARGS --image ${_paper_dir}/no_such_file.png --out ${_paper_dir}/demo_bad)
posenc_paper_test(paper_sigma_sweep_bad_min sigma_sweep_1d RC 2 ARGS --min -1)
posenc_paper_test(paper_sigma_sweep_max_below_min sigma_sweep_1d RC 2 ARGS --min 0.1 --max 0.01)
posenc_paper_test(paper_sigma_sweep_count_zero sigma_sweep_1d RC 2 ARGS --count 0)
posenc_paper_test(paper_sigma_sweep_row_needs_image sigma_sweep_1d RC 2 ARGS --row 3)
posenc_paper_test(paper_sigma_sweep_missing_image sigma_sweep_1d RC 2 ARGS --image ${_paper_dir}/no_such_file.png)
posenc_paper_test(paper_rff_vs_gaussian_odd_dim rff_vs_gaussian RC 2 ARGS --dims 100,101)
posenc_paper_test(paper_rff_vs_gaussian_seeds_zero rff_vs_gaussian RC 2 ARGS --seeds 0)
posenc_paper_test(paper_rff_vs_gaussian_bad_sigma rff_vs_gaussian RC 2 ARGS --sigma 0)
posenc_paper_test(paper_rff_vs_gaussian_bad_dims_text rff_vs_gaussian RC 2 ARGS --dims abc)
posenc_paper_test(paper_layer_stable_rank_depth_zero layer_stable_rank RC 2 ARGS --depth 0)
posenc_paper_test(paper_layer_stable_rank_every_zero layer_stable_rank RC 2 ARGS --every 0)
posenc_paper_test(paper_layer_stable_rank_bad_flag layer_stable_rank RC 2 ARGS --no-such-flag)
posenc_paper_test(paper_rank_curves_odd_dim rank_curves RC 2 ARGS --all --dim 3)
posenc_paper_test(paper_rank_curves_bad_sigmas rank_curves RC 2 ARGS --all --sigmas 0.01,-2)
posenc_paper_test(paper_rank_curves_max_samples_zero rank_curves RC 2 ARGS --all --max-samples 0)
posenc_paper_test(paper_rank_curves_all_with_encoder rank_curves RC 2 ARGS --all --encoder gaussian --param 0.01)
posenc_paper_test(paper_rank_curves_all_with_samples rank_curves RC 2 ARGS --all --samples 1,2)
posenc_paper_test(paper_rank_curves_all_with_periodic rank_curves RC 2 ARGS --all --periodic)
posenc_paper_test(paper_rank_curves_quick_without_all rank_curves RC 2
  ARGS --encoder gaussian --param 0.01 --dim 100 --samples 1 --quick)
posenc_paper_test(paper_rank_curves_sigmas_text rank_curves RC 2 ARGS --all --sigmas abc)
# an --out that is a file: the error comes before any table is printed (stdout stays empty)
posenc_paper_test(paper_rank_curves_out_is_file rank_curves RC 2 ARGS --all --quick --out ${_paper_script})
posenc_paper_test(paper_sigma_sweep_out_is_file sigma_sweep_1d RC 2 ARGS --quick --quiet --out ${_paper_script})
