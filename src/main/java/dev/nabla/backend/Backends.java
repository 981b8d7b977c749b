package dev.nabla.backend;

import dev.nabla.backend.cuda.CudaBackend;
import dev.nabla.backend.cuda.CudaOps;
import dev.nabla.backend.cuda.EmulatedCudaOps;
import dev.nabla.backend.jni.NablaCpu;
import dev.nabla.backend.jni.NablaCuda;
import dev.nabla.backend.jni.NablaCudaEmu;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;

/**
 * Chooses a backend by device name and explains every fallback.
 *
 * <p>Each native library is probed once per JVM and the outcome cached: a failed
 * {@code Loader.load} poisons the class for the JVM's life, so we never touch it twice.
 *
 * <p>Thread-safe: the probes are synchronized, and each device's CUDA backend is made once.
 */
public final class Backends {
  /** Device names accepted by {@link #select} (and by NABLA_DEVICE and --device). */
  public static final List<String> DEVICES = List.of("auto", "cpu", "java", "cuda",
      "cuda-emulated");

  /** The environment variable naming the default device, like PyTorch's default device. */
  public static final String DEVICE_VARIABLE = "NABLA_DEVICE";

  private static String cudaReason; // null until probed; "" when a GPU can be used
  private static String cudaGpu = ""; // the GPU's one-line description once probed
  private static String emulatorFailure; // null until probed; "" when the emulator loads
  private static String blasFailure;
  private static String cpuFailure; // null until probed; "" when the CPU backend loads
  // one CUDA backend per device name for the process, like a CUDA context: never closed
  private static final java.util.Map<String, CudaBackend> CUDA = new java.util.HashMap<>();

  private Backends() {}

  /** The result of a selection: the backend, and one-line notes on anything skipped. */
  public record Selection(Backend backend, List<String> notes) {
    /** One line for logs: where the model computes. */
    public String describe() {
      return backend.describe();
    }
  }

  /**
   * Picks the backend for a device name: "auto" (CUDA when it loads and sees a GPU, else CPU,
   * else Java), "cpu", "java", "cuda" or "cuda-emulated" (the CUDA kernels on the CPU emulator).
   * An explicit device that cannot load throws {@link BackendUnavailableException} with the
   * reason; "auto" falls back and says why. {@code threads} applies to the CPU backend.
   */
  public static Selection select(String device, int threads) {
    String d = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
    boolean cpu = d.equals("auto") || d.equals("cpu");
    String cpuWhy = cpu ? probeCpu() : "";
    // OpenBLAS only where Nabla's kernels are missing (its preset unpacks ~122 MB on first use)
    return select(d, threads, cpuWhy, cpuWhy.isEmpty() ? "" : probeOpenBlas());
  }

  /** The choice itself, given the CPU probes' outcomes ("" = loads). */
  static Selection select(String d, int threads, String cpuWhy, String blasWhy) {
    List<String> skipped = new ArrayList<>();
    switch (d) {
      case "java":
        return new Selection(new JavaBackend(), skipped);
      case "cpu": {
        String why = cpuWhy;
        if (why.isEmpty()) {
          return new Selection(new CpuBackend(threads), skipped);
        }
        if (blasWhy.isEmpty()) { // Nabla's kernels are missing, OpenBLAS is here
          skipped.add("cpu: Nabla's native kernels not loaded (" + why + "); OpenBLAS sgemm"
              + " with Java for the rest");
          return new Selection(new BlasOnlyCpuBackend(why), skipped);
        }
        throw new BackendUnavailableException("cpu backend unavailable: " + why);
      }
      case "cuda": {
        String why = probeCuda();
        if (!why.isEmpty()) {
          throw new BackendUnavailableException("cuda backend unavailable: " + why
              + "; --device cpu (or auto) runs on the CPU");
        }
        return new Selection(cuda("cuda"), skipped);
      }
      case "cuda-emulated": {
        String why = probeEmulator();
        if (!why.isEmpty()) {
          throw new BackendUnavailableException("cuda-emulated backend unavailable: " + why);
        }
        return new Selection(cuda("cuda-emulated"), skipped);
      }
      case "auto": {
        String cuda = probeCuda();
        String why = cpuWhy;
        if (cuda.isEmpty()) {
          return new Selection(cuda("cuda"), skipped);
        }
        skipped.add("cuda skipped: " + cuda);
        if (why.isEmpty()) {
          return new Selection(new CpuBackend(threads), skipped);
        }
        if (blasWhy.isEmpty()) {
          skipped.add("cpu: Nabla's native kernels not loaded (" + why + "); OpenBLAS sgemm"
              + " with Java for the rest");
          return new Selection(new BlasOnlyCpuBackend(why), skipped);
        }
        skipped.add("cpu skipped: " + why);
        return new Selection(new JavaBackend(), skipped);
      }
      default:
        throw new IllegalArgumentException(
            "unknown device '" + d + "'; accepted: " + String.join(", ", DEVICES));
    }
  }

  private static synchronized CudaBackend cuda(String name) {
    return CUDA.computeIfAbsent(name, n -> n.equals("cuda")
        ? new CudaBackend(n, new CudaOps(cudaDevice()))
        : new CudaBackend(n, new EmulatedCudaOps()));
  }

  /**
   * The backend for models and tensors made without an explicit one: the device named by the
   * environment variable NABLA_DEVICE (or the system property nabla.device), else "auto"; 1
   * thread.
   */
  public static Backend defaultBackend() {
    return select(defaultDeviceName(), 1).backend();
  }

  /** NABLA_DEVICE, else the system property nabla.device, else "auto". */
  public static String defaultDeviceName() {
    String env = System.getenv(DEVICE_VARIABLE);
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    return System.getProperty("nabla.device", "auto");
  }

  /** "" when the CUDA emulator's library (libnabla_cuda_emu) loads; otherwise why not. */
  public static synchronized String probeEmulator() {
    if (emulatorFailure == null) {
      emulatorFailure = tryLoad("libnabla_cuda_emu (dev.nabla.backend.jni.NablaCudaEmu)",
          NablaCudaEmu.class);
    }
    return emulatorFailure;
  }

  /**
   * "" when a GPU can train; otherwise why not, in one line: libnabla_cuda failed to load, the
   * CUDA runtime's own answer (no driver, no device), or the bytedeco CUDA preset failed to load.
   * Probed once per JVM; the preset is touched only after the runtime found a device.
   */
  public static synchronized String probeCuda() {
    if (cudaReason == null) {
      String load = tryLoad("libnabla_cuda (dev.nabla.backend.jni.NablaCuda)", NablaCuda.class);
      cudaReason = load.isEmpty() ? askCudaRuntime() : load;
      if (cudaReason.isEmpty()) {
        cudaReason = tryLoad("the CUDA runtime preset (org.bytedeco.cuda cudart)",
            org.bytedeco.cuda.global.cudart.class);
      }
    }
    return cudaReason;
  }

  /** The GPU a successful {@link #probeCuda} found, e.g. "NVIDIA H200, sm_90 (runtime 13.0...)". */
  public static synchronized String cudaDevice() {
    probeCuda();
    return cudaGpu;
  }

  private static String askCudaRuntime() {
    try (IntPointer count = new IntPointer(1); IntPointer rt = new IntPointer(1);
        IntPointer drv = new IntPointer(1)) {
      int err = NablaCuda.nabla_cuda_device_count(count);
      if (err != 0 || count.get() == 0) {
        return cudaFailure(err, err == 0 ? "" : NablaCuda.nabla_cuda_error_string(err).getString());
      }
      NablaCuda.nabla_cuda_versions(rt, drv);
      String gpu;
      try (BytePointer name = new BytePointer(256); IntPointer major = new IntPointer(1);
          IntPointer minor = new IntPointer(1)) {
        NablaCuda.nabla_cuda_device_info(0, name, 256, major, minor);
        gpu = name.getString() + ", sm_" + major.get() + minor.get();
      }
      cudaGpu = "cuda: " + gpu + " (" + count.get() + " GPU(s); runtime " + version(rt.get())
          + ", driver " + version(drv.get()) + ")";
      return "";
    }
  }

  /**
   * Why no GPU can be used, in the user's terms. The CUDA runtime answers "driver version is
   * insufficient" (error 35) also when there is no driver at all, which reads as "upgrade"; the
   * driver's /proc entry tells the two apart.
   */
  static String cudaFailure(int err, String runtimeMessage) {
    boolean driver = Files.exists(NVIDIA_DRIVER_VERSION);
    if (err == 35 && !driver) { // cudaErrorInsufficientDriver with no driver loaded
      return "no NVIDIA driver found (" + NVIDIA_DRIVER_VERSION + " is missing), so no GPU is"
          + " usable here (CUDA runtime error 35)";
    }
    if (err == 35) {
      return "the NVIDIA driver is older than this CUDA runtime needs (" + driverVersion()
          + "); upgrade the driver (CUDA runtime error 35)";
    }
    if (err == 100 || err == 0) { // cudaErrorNoDevice, or a count of zero
      return "no CUDA GPU found" + (driver ? " (the NVIDIA driver is loaded but lists no device)"
          : " (no NVIDIA driver: " + NVIDIA_DRIVER_VERSION + " is missing)");
    }
    return "CUDA runtime: " + runtimeMessage + (err > 0 ? " (error " + err + ")" : "");
  }

  private static final Path NVIDIA_DRIVER_VERSION = Path.of("/proc/driver/nvidia/version");

  private static String driverVersion() {
    try {
      return Files.readAllLines(NVIDIA_DRIVER_VERSION).get(0).trim();
    } catch (IOException | IndexOutOfBoundsException e) {
      return "driver version unreadable";
    }
  }

  private static String version(int v) {
    return v / 1000 + "." + v % 1000 / 10;
  }

  /**
   * "" when libnabla_cpu loads (the full CPU backend, sgemm included); otherwise why not. Without
   * it the "cpu" device still runs where OpenBLAS loads, on OpenBLAS's sgemm and Java kernels
   * (see {@link #probeOpenBlas}).
   */
  public static synchronized String probeCpu() {
    if (cpuFailure == null) {
      cpuFailure = tryLoad("libnabla_cpu (dev.nabla.backend.jni.NablaCpu)", NablaCpu.class);
    }
    return cpuFailure;
  }

  /** "" when OpenBLAS's preset loads (its sgemm alone makes a CPU backend); otherwise why not. */
  public static synchronized String probeOpenBlas() {
    if (blasFailure == null) {
      blasFailure = tryLoad("OpenBLAS (org.bytedeco.openblas)", openblas_full.class);
    }
    return blasFailure;
  }

  static String tryLoad(String what, Class<?> cls) {
    try {
      Loader.load(cls);
      return "";
    } catch (Throwable t) {
      Throwable root = t;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
      return what + " failed to load: " + msg.lines().findFirst().orElse(msg);
    }
  }

  /** Raised when an explicitly requested device cannot be used; the message says why. */
  public static final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
      super(message);
    }
  }
}
