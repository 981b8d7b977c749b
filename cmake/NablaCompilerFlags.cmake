# Compiler flags for Nabla's native kernels.
# -O3 for the vectoriser; no -march=native: the library ships in a jar and must run on any x86-64
# laptop: code for newer instruction sets is chosen at run time (target_clones, and the sgemm's
# per-ISA units with their own flags in native/CMakeLists.txt, dispatched on cpuid).
# -fno-math-errno lets exp/sqrt vectorise; we never read errno. -ffp-contract=off: no FMA fusion, so
# every elementwise dispatch path (SSE, AVX2, AVX-512 clones) rounds like the Java reference (the
# sgemm uses FMA explicitly: its sums agree with the reference to float rounding, not bit for bit). No -ffast-math: results must stay
# comparable with the Java reference to float32 rounding. -fopenmp-simd (no OpenMP runtime) lets
# loops marked "omp simd reduction" reorder their double sums, and nothing else.
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

function(nabla_set_cpu_flags target)
  target_compile_options(${target} PRIVATE -O3 -fno-math-errno -ffp-contract=off -fopenmp-simd -Wall -Wextra)
endfunction()
