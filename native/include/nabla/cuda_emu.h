/*
 * The CUDA kernels' C API under the emulator's names (libnabla_cuda_emu, tests only): the same
 * functions as cuda_kernels.h, compiled by g++ from native/cuda with native/emu's runtime, so a
 * process can hold both libraries. dev.nabla.backend.jni.NablaCudaEmu binds these.
 */
#ifndef NABLA_CUDA_EMU_H
#define NABLA_CUDA_EMU_H
#define nabla_cuda_gemm nabla_emu_gemm
#define nabla_cuda_bias_act_forward nabla_emu_bias_act_forward
#define nabla_cuda_act_backward nabla_emu_act_backward
#define nabla_cuda_bias_grad nabla_emu_bias_grad
#define nabla_cuda_softmax_xent nabla_emu_softmax_xent
#define nabla_cuda_dropout nabla_emu_dropout
#define nabla_cuda_shuffle_order nabla_emu_shuffle_order
#define nabla_cuda_gather_rows nabla_emu_gather_rows
#define nabla_cuda_advance nabla_emu_advance
#define nabla_cuda_optimizer_step nabla_emu_optimizer_step
#define nabla_cuda_optimizer_step_table nabla_emu_optimizer_step_table
#define nabla_cuda_clip_scales nabla_emu_clip_scales
#define nabla_cuda_segment_sum_squares nabla_emu_segment_sum_squares
#define nabla_cuda_axpy nabla_emu_axpy
#define nabla_cuda_ema_update nabla_emu_ema_update
#define nabla_cuda_fill nabla_emu_fill
#define nabla_cuda_unary nabla_emu_unary
#define nabla_cuda_unary_backward nabla_emu_unary_backward
#define nabla_cuda_binary nabla_emu_binary
#define nabla_cuda_binary_grad nabla_emu_binary_grad
#define nabla_cuda_reduce_rows nabla_emu_reduce_rows
#define nabla_cuda_scale_rows nabla_emu_scale_rows
#define nabla_cuda_pointwise_loss nabla_emu_pointwise_loss
#define nabla_cuda_pointwise_loss_backward nabla_emu_pointwise_loss_backward
#ifdef __cplusplus
extern "C" {
#endif
/* The emulated device's SM count, which steers the gemm's tile choice. */
void nabla_emu_set_sm_count(int n);
#ifdef __cplusplus
}
#endif
#include "nabla/cuda_kernels.h"
#endif
