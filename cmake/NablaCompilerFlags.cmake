# Compiler flags for Nabla's native kernels.
# -O3 for the vectoriser; no -march=native: the library ships in a jar and must run on any x86-64
# laptop (OpenBLAS, which does the heavy lifting, dispatches per CPU at run time by itself).
# -fno-math-errno lets exp/sqrt vectorise; we never read errno. No -ffast-math: results must stay
# comparable with the Java reference to float32 rounding.
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

function(nabla_set_cpu_flags target)
  target_compile_options(${target} PRIVATE -O3 -fno-math-errno -Wall -Wextra)
endfunction()
