# libnabla_cuda_emu: the CUDA kernels of native/cuda compiled by g++ against the emulator in
# native/emu (fibers for threads, real barriers and shuffles), for the tests on machines without
# a GPU. hostify.py rewrites each file's <<<...>>> launches; nothing else in the kernels changes.
# Its C API carries nabla_emu_ names (include/nabla/cuda_emu.h). Needs g++ and Python 3 only.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  # the JNI glue links this library (dev.nabla.backend.jni.NablaCudaEmu): say what to install
  message(FATAL_ERROR "nabla: python3 is needed to build the tests' CUDA emulator "
    "(native/emu/hostify.py): apt-get install python3")
endif()
set(NABLA_EMU_SOURCES activation softmax_xent dropout data optim gemm elementwise)
set(emu_cpp "")
foreach(name ${NABLA_EMU_SOURCES})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/emu/${name}.cpp)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/emu
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/emu/hostify.py
            ${CMAKE_CURRENT_SOURCE_DIR}/cuda/${name}.cu ${out}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cuda/${name}.cu ${CMAKE_CURRENT_SOURCE_DIR}/emu/hostify.py
    VERBATIM)
  list(APPEND emu_cpp ${out})
endforeach()
add_library(nabla_cuda_emu SHARED ${emu_cpp} emu/emu_runtime.cpp)
# the emulator's cuda_runtime.h and cub/ shadow any installed toolkit's
target_include_directories(nabla_cuda_emu BEFORE PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/emu/include
  ${CMAKE_CURRENT_SOURCE_DIR}/cuda)
target_include_directories(nabla_cuda_emu PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_compile_definitions(nabla_cuda_emu PRIVATE NABLA_CUDA_EMULATION)
target_compile_options(nabla_cuda_emu PRIVATE -O2 -ffp-contract=off
  "SHELL:-include ${CMAKE_CURRENT_SOURCE_DIR}/emu/include/cuda_runtime.h"
  "SHELL:-include ${CMAKE_CURRENT_SOURCE_DIR}/include/nabla/cuda_emu.h")
set_target_properties(nabla_cuda_emu PROPERTIES CXX_STANDARD 20)
