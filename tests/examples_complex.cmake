# tests/examples_complex.cmake — CTest entries for complex_vs_mlp (issue 7): a --quick smoke run that checks
# the JSON keys, the written PNGs and an honest lower bound on the closed-form PSNR, plus bad-argument cases.
# The checks run through the script mode of tests/examples_paper.cmake (exit code, one-line errors, JSON
# path comparisons, files).
#
# The bound: on the built-in procedural image at S = 64 (D = 64, sigma = 2/64, lambda = 0.1) the complex
# closed form measured test PSNR 24.87 dB, train 27.42 dB (complex_vs_mlp --quick); the checks leave ~2 dB.
if(NOT POSENC_BUILD_EXAMPLES)
  return()
endif()

set(_complex_script "${CMAKE_CURRENT_LIST_DIR}/examples_paper.cmake")
set(_complex_dir "${CMAKE_CURRENT_BINARY_DIR}/examples_complex")
file(MAKE_DIRECTORY "${_complex_dir}")

# posenc_complex_test(NAME ARGS <args...> [RC n] [CHECKS c...] [FILES f...])
function(posenc_complex_test name)
  if(NOT EXISTS "${PROJECT_SOURCE_DIR}/examples/complex_vs_mlp.cpp")
    return()
  endif()
  cmake_parse_arguments(P "" "RC" "ARGS;CHECKS;FILES" ${ARGN})
  if(NOT DEFINED P_RC)
    set(P_RC 0)
  endif()
  string(REPLACE ";" "|" a "${P_ARGS}")
  string(REPLACE ";" "|" c "${P_CHECKS}")
  string(REPLACE ";" "|" f "${P_FILES}")
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} "-DEXE=$<TARGET_FILE:complex_vs_mlp>" "-DARGS=${a}"
                                "-DEXPECT_RC=${P_RC}" "-DCHECKS=${c}" "-DFILES=${f}" -P "${_complex_script}")
  set_tests_properties(${name} PROPERTIES TIMEOUT 120 ENVIRONMENT "OMP_NUM_THREADS=1" LABELS examples)
endfunction()

posenc_complex_test(complex_vs_mlp_quick
  ARGS --quick --json --quiet --out ${_complex_dir}/quick
  CHECKS "size=64" "channels=3" "image=built-in"
         "methods/complex_closed_form/test_psnr>23" "methods/complex_closed_form/train_psnr>25"
         "methods/complex_closed_form/steps=0" "methods/complex_closed_form/seconds>0"
         "methods/complex_adam/steps=100" "methods/complex_adam/test_psnr>15" "methods/complex_adam/curve/0/step=5"
         "methods/mlp/steps=20" "methods/mlp/test_psnr>5" "methods/mlp/seconds>0"
         "methods/mlp/curve/0/test_psnr>0" "target_psnr>22"
  FILES ${_complex_dir}/quick/target.png ${_complex_dir}/quick/complex_closed_form.png
        ${_complex_dir}/quick/complex_adam.png ${_complex_dir}/quick/mlp.png)

# --kron-mlp adds the Kron-MLP (quick: D = 16 per axis, 32 units, 20 steps): keys, a sane PSNR, its PNG
posenc_complex_test(complex_vs_mlp_quick_kron_mlp
  ARGS --quick --kron-mlp --json --quiet --out ${_complex_dir}/quick_kron
  CHECKS "methods/kron_mlp/steps=20" "methods/kron_mlp/test_psnr>5" "methods/kron_mlp/seconds>0"
         "methods/kron_mlp/curve/0/step=5" "methods/complex_closed_form/test_psnr>23"
  FILES ${_complex_dir}/quick_kron/kron_mlp.png)

# bad arguments: one line on stderr, exit code 2
posenc_complex_test(complex_vs_mlp_bad_size RC 2 ARGS --size 0)
posenc_complex_test(complex_vs_mlp_bad_sigma RC 2 ARGS --sigma -1)
posenc_complex_test(complex_vs_mlp_bad_lambda RC 2 ARGS --lambda -0.1)
posenc_complex_test(complex_vs_mlp_odd_mlp_dim RC 2 ARGS --mlp-dim 7)
posenc_complex_test(complex_vs_mlp_bad_steps RC 2 ARGS --steps 0)
posenc_complex_test(complex_vs_mlp_bad_eval_every RC 2 ARGS --eval-every 0)
posenc_complex_test(complex_vs_mlp_missing_image RC 2 ARGS --image ${_complex_dir}/no_such_file.png)
posenc_complex_test(complex_vs_mlp_unknown_flag RC 2 ARGS --no-such-flag)
posenc_complex_test(complex_vs_mlp_text_size RC 2 ARGS --size abc)
posenc_complex_test(complex_vs_mlp_bad_kron_depth RC 2 ARGS --kron-mlp --kron-depth 0)
posenc_complex_test(complex_vs_mlp_bad_kron_dim RC 2 ARGS --kron-mlp --kron-dim -3)
