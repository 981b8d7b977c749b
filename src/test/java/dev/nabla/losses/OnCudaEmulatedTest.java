package dev.nabla.losses;

/** The Keras loss cases on the CUDA kernels on the CPU emulator. */
class OnCudaEmulatedTest extends OnEveryBackend {
    @Override
    protected String device() {
        return "cuda-emulated";
    }
}
