# posenc_dev: usage requirements for posenc's own tests, examples and benchmarks
# (warnings as errors, host-optimised code, OpenMP). Users of the library never see these.
find_package(OpenMP REQUIRED COMPONENTS CXX)
add_library(posenc_dev INTERFACE)
target_link_libraries(posenc_dev INTERFACE posenc::posenc OpenMP::OpenMP_CXX)
target_compile_options(posenc_dev INTERFACE -Wall -Wextra -Wpedantic -Werror)
if(POSENC_NATIVE)
  target_compile_options(posenc_dev INTERFACE $<$<NOT:$<CONFIG:Debug>>:-O3 -march=native>)
endif()
if(POSENC_USE_BLAS)
  find_package(BLAS REQUIRED)
  target_compile_definitions(posenc_dev INTERFACE EIGEN_USE_BLAS)
  target_link_libraries(posenc_dev INTERFACE BLAS::BLAS)
endif()
if(POSENC_SANITIZE)
  target_compile_options(posenc_dev INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  # GCC's -Wmaybe-uninitialized is unreliable with the sanitizers' instrumentation (GCC documents
  # false positives under -fsanitize=address); with GCC 12 it fires inside libstdc++'s <regex> as
  # included by Catch2, so -Werror would fail the sanitizer build on code that is not ours.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(posenc_dev INTERFACE -Wno-maybe-uninitialized)
  endif()
  target_link_options(posenc_dev INTERFACE -fsanitize=address,undefined)
endif()
