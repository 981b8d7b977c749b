package dev.nabla.metrics;

/** The compiled-metric cases on the CUDA kernels run by the CPU emulator (device tallies). */
class OnCudaEmulatedTest extends OnEveryBackend {
    @Override
    protected String device() {
        return "cuda-emulated";
    }
}
