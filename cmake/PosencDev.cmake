# posenc_dev: usage requirements for posenc's own tests, examples and benchmarks
# (warnings, host-optimised code, OpenMP). Users of the library never see these: the posenc target
# itself carries no compile option (docs/development.md, "Warnings").
include(CheckCXXSourceCompiles)
find_package(OpenMP REQUIRED COMPONENTS CXX)

option(POSENC_WERROR "Warnings are errors in posenc's own programs (the dev/CI presets turn it on)" OFF)
set(POSENC_MARCH "native" CACHE STRING
    "-march of posenc's own programs when POSENC_NATIVE is ON (native, x86-64-v2, x86-64-v4, ...)")
option(POSENC_ISA_CHECK "Add the target posenc_isa_check (examples + probe test files, compile only; tests/isa_check.sh)" OFF)
set(POSENC_TEST_OPT "-O1" CACHE STRING
    "Optimisation of the unit tests (their subject is correctness, not speed); empty: same as the examples")

add_library(posenc_dev INTERFACE)
target_link_libraries(posenc_dev INTERFACE posenc::posenc OpenMP::OpenMP_CXX)
target_compile_options(posenc_dev INTERFACE -Wall -Wextra -Wpedantic $<$<BOOL:${POSENC_WERROR}>:-Werror>)

set(_posenc_isa_flags "")
if(POSENC_NATIVE)
  set(_posenc_isa_flags "-march=${POSENC_MARCH}")
  target_compile_options(posenc_dev INTERFACE $<$<NOT:$<CONFIG:Debug>>:-O3 ${_posenc_isa_flags}>)
  if(POSENC_MARCH STREQUAL "native" AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # -march=native means another instruction set on another CPU, but ccache hashes the flag as
    # written: name the CPU's expanded target flags in a definition, so that objects built for one
    # CPU are never reused on another (the build machines change CPUs, docs/development.md).
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native -E -v -x c++ /dev/null
                    OUTPUT_QUIET ERROR_VARIABLE _posenc_native_v RESULT_VARIABLE _posenc_native_rc)
    if(_posenc_native_rc EQUAL 0)
      string(REGEX MATCHALL "-m[a-z0-9.=_-]+|--param [a-z0-9-]+=[0-9]+" _posenc_native_flags "${_posenc_native_v}")
      string(MD5 _posenc_native_id "${_posenc_native_flags}")
      string(SUBSTRING "${_posenc_native_id}" 0 12 _posenc_native_id)
      target_compile_definitions(posenc_dev INTERFACE POSENC_HOST_ISA=0x${_posenc_native_id})
    endif()
    unset(_posenc_native_v)
    unset(_posenc_native_rc)
    unset(_posenc_native_flags)
    unset(_posenc_native_id)
  endif()
endif()

# GCC 12.1-12.2 (Debian 12's g++ is 12.2) report -Wuninitialized / -Wmaybe-uninitialized inside their
# own avx512fintrin.h (`__m256d __Y = __Y;`, the "undefined" merge operand of the masked builtins)
# whenever Eigen's AVX-512 reductions are inlined: GCC bug 105593, fixed in GCC 12.3 and 13. They are
# compiler false positives, thousands of lines of notes per translation unit. So when the target ISA
# has AVX-512 and the compiler has the bug, these two warnings are turned off for posenc's programs;
# they stay on (and fatal with POSENC_WERROR) in every build without AVX-512, which includes the
# x86-64-v2 pass of tests/isa_check.sh that CI runs on every machine.
set(POSENC_GCC_AVX512_FALSE_POSITIVES OFF)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 12.3
   AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
  set(CMAKE_REQUIRED_FLAGS "${_posenc_isa_flags}")
  set(CMAKE_REQUIRED_QUIET ON)
  check_cxx_source_compiles([[
#ifndef __AVX512F__
#error no AVX-512
#endif
int main() { return 0; }
]] POSENC_TARGET_HAS_AVX512_${POSENC_NATIVE}_${POSENC_MARCH})
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_QUIET)
  if(POSENC_TARGET_HAS_AVX512_${POSENC_NATIVE}_${POSENC_MARCH})
    set(POSENC_GCC_AVX512_FALSE_POSITIVES ON)
    target_compile_options(posenc_dev INTERFACE -Wno-uninitialized -Wno-maybe-uninitialized)
    message(STATUS "posenc: GCC ${CMAKE_CXX_COMPILER_VERSION} targeting AVX-512: -Wuninitialized and "
                   "-Wmaybe-uninitialized off (GCC bug 105593: false positives in avx512fintrin.h)")
  endif()
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
unset(_posenc_isa_flags)
