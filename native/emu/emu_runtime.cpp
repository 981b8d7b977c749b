// The CUDA emulator's scheduler (see include/cuda_runtime.h): one block at a time, its threads
// as ucontext fibers run round-robin; a fiber gives the CPU back only at a barrier, so between
// barriers each thread runs alone, as a correct CUDA kernel may assume of nothing else.
#include <cuda_runtime.h>
#include <ucontext.h>

#include "nabla/flush_denormals.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace nabla_emu {
namespace {
constexpr size_t kStack = 256 * 1024;

struct Fiber {
  ucontext_t ctx;
  uint3_ idx;
  bool done;
  std::vector<char> stack;
};

struct Block {
  uint3_ dim, grid, idx;
  std::vector<Fiber> fibers;
  int current = -1;
  ucontext_t scheduler;
  const std::function<void()> *body = nullptr;
  // __syncthreads
  int arrived = 0, finished = 0;
  unsigned generation = 0;
  // warps: barrier state and the exchange slots of a shuffle
  std::vector<int> warp_arrived;
  std::vector<unsigned> warp_generation;
  std::vector<uint64_t> slots;
};

Block block;
int sms = 132;
uint3_ outside{0, 0, 0};

void yield() { swapcontext(&block.fibers[block.current].ctx, &block.scheduler); }

void trampoline() {
  (*block.body)();
  block.fibers[block.current].done = true;
  block.finished++;
  // returning resumes uc_link: the scheduler
}

int linear_tid() {
  const uint3_ &t = block.fibers[block.current].idx;
  return (int)(t.x + block.dim.x * (t.y + block.dim.y * t.z));
}

int block_threads() { return (int)(block.dim.x * block.dim.y * block.dim.z); }

void warp_barrier(int w) {
  const int n = block_threads();
  const int size = std::min(32, n - 32 * w);
  const unsigned g = block.warp_generation[w];
  if (++block.warp_arrived[w] == size) {
    block.warp_arrived[w] = 0;
    block.warp_generation[w]++;
  } else {
    while (block.warp_generation[w] == g) yield();
  }
}
}  // namespace

const uint3_ &thread_idx() { return block.current >= 0 ? block.fibers[block.current].idx : outside; }
const uint3_ &block_idx() { return block.idx; }
const uint3_ &block_dim() { return block.dim; }
const uint3_ &grid_dim() { return block.grid; }
int sm_count() { return sms; }
void set_sm_count(int n) { sms = n > 0 ? n : 1; }

void syncthreads() {
  const unsigned g = block.generation;
  if (++block.arrived == block_threads()) {
    block.arrived = 0;
    block.generation++;
  } else {
    while (block.generation == g) {
      if (block.arrived + block.finished == block_threads()) {
        std::fprintf(stderr, "nabla emulator: __syncthreads reached by %d of %d threads, the "
                     "others returned (a divergent barrier)\n", block.arrived, block_threads());
        std::abort();
      }
      yield();
    }
  }
}

uint64_t shfl_xor_bits(uint64_t bits, int mask) {
  const int tid = linear_tid(), w = tid / 32, lane = tid % 32;
  block.slots[tid] = bits;
  warp_barrier(w);
  const int src = 32 * w + (lane ^ mask);
  const uint64_t r = src < block_threads() ? block.slots[src] : bits;
  warp_barrier(w);
  return r;
}

void mma_tf32(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  // gather the warp's fragments through the shuffle slots, 8 words per lane
  const int tid = linear_tid(), w = tid / 32, lane = tid % 32;
  static thread_local std::vector<uint64_t> frag;
  frag.resize((size_t)block_threads() * 8);
  for (int i = 0; i < 4; i++) frag[tid * 8 + i] = a[i];
  frag[tid * 8 + 4] = b[0];
  frag[tid * 8 + 5] = b[1];
  warp_barrier(w);
  float A[16][8], B[8][8];
  for (int l = 0; l < 32; l++) {
    const uint64_t *f = &frag[(32 * w + l) * 8];
    const int g = l / 4, t = l % 4;
    float v[6];
    for (int i = 0; i < 6; i++) {
      const uint32_t u = (uint32_t)f[i];
      std::memcpy(&v[i], &u, 4);
    }
    A[g][t] = v[0];
    A[g + 8][t] = v[1];
    A[g][t + 4] = v[2];
    A[g + 8][t + 4] = v[3];
    B[t][g] = v[4];
    B[t + 4][g] = v[5];
  }
  warp_barrier(w);
  const int g = lane / 4, t = lane % 4;
  const int rows[4] = {g, g, g + 8, g + 8}, cols[4] = {2 * t, 2 * t + 1, 2 * t, 2 * t + 1};
  for (int q = 0; q < 4; q++) {
    float s = d[q];
    for (int k = 0; k < 8; k++) s += A[rows[q]][k] * B[k][cols[q]];
    d[q] = s;
  }
}

void run_grid(dim3 grid, dim3 dimb, const std::function<void()> &body) {
  // Device code is built with nvcc -ftz=true (cmake/NablaCuda.cmake): subnormal float results
  // flush to zero, as on the CPU backend. Here the same kernels run on the host, so the grid runs
  // with MXCSR's FTZ and DAZ bits set, the caller's MXCSR restored on return. The fibers inherit
  // it: glibc's getcontext (called below, after this line) saves MXCSR into each fiber's context
  // and swapcontext reloads it on every switch, so both the fibers and this scheduler run with
  // the bits set until the guard's destructor.
  NABLA_FLUSH_DENORMALS;
  const int n = (int)(dimb.x * dimb.y * dimb.z);
  if (n > 1024 || n < 1) {
    std::fprintf(stderr, "nabla emulator: block of %d threads\n", n);
    std::abort();
  }
  block.dim = {dimb.x, dimb.y, dimb.z};
  block.grid = {grid.x, grid.y, grid.z};
  block.body = &body;
  if ((int)block.fibers.size() < n) block.fibers.resize(n);
  block.slots.assign(n, 0);
  const int warps = (n + 31) / 32;
  for (unsigned bz = 0; bz < grid.z; bz++)
    for (unsigned by = 0; by < grid.y; by++)
      for (unsigned bx = 0; bx < grid.x; bx++) {
        block.idx = {bx, by, bz};
        block.arrived = 0;
        block.finished = 0;
        block.warp_arrived.assign(warps, 0);
        block.warp_generation.assign(warps, 0);
        for (int i = 0; i < n; i++) {
          Fiber &f = block.fibers[i];
          f.idx = {(unsigned)(i % dimb.x), (unsigned)(i / dimb.x % dimb.y),
                   (unsigned)(i / (dimb.x * dimb.y))};
          f.done = false;
          if (f.stack.size() < kStack) f.stack.resize(kStack);
          getcontext(&f.ctx);
          f.ctx.uc_stack.ss_sp = f.stack.data();
          f.ctx.uc_stack.ss_size = f.stack.size();
          f.ctx.uc_link = &block.scheduler;
          makecontext(&f.ctx, trampoline, 0);
        }
        for (int left = n; left > 0;) {
          left = 0;
          for (int i = 0; i < n; i++) {
            if (block.fibers[i].done) continue;
            block.current = i;
            swapcontext(&block.scheduler, &block.fibers[i].ctx);
            if (!block.fibers[i].done) left++;
          }
        }
        block.current = -1;
      }
}
}  // namespace nabla_emu

extern "C" void nabla_emu_set_sm_count(int n) { nabla_emu::set_sm_count(n); }
