package dev.nabla.backend;

import dev.nabla.backend.jni.NablaCpu;
import dev.nabla.backend.jni.NablaCuda;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
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
 */
public final class Backends {
  /** Device names accepted by {@link #select}. */
  public static final List<String> DEVICES = List.of("auto", "cpu", "java", "cuda");

  private static String cudaReason; // null until probed

  private static String cpuFailure; // null until probed; "" when the CPU backend loads

  private Backends() {}

  /** The result of a selection: the backend and the one-line notes on anything skipped. */
  public record Selection(Backend backend, List<String> notes) {}

  /**
   * Picks the backend for a device name: "auto" (CUDA when it loads and sees a GPU, else CPU,
   * else Java), "cpu", "java" or "cuda". An explicit device that cannot load throws
   * {@link BackendUnavailableException} with the reason; "auto" falls back and says why.
   */
  public static Selection select(String device, int threads) {
    String d = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
    return select(d, threads, d.equals("auto") || d.equals("cpu") ? probeCpu() : "");
  }

  /** The choice itself, given the CPU probe's outcome ("" = loads). */
  static Selection select(String d, int threads, String cpuWhy) {
    List<String> skipped = new ArrayList<>();
    switch (d) {
      case "java":
        return new Selection(new JavaBackend(), skipped);
      case "cpu": {
        String why = cpuWhy;
        if (!why.isEmpty()) {
          throw new BackendUnavailableException("cpu backend unavailable: " + why);
        }
        return new Selection(new CpuBackend(threads), skipped);
      }
      case "cuda":
        throw new BackendUnavailableException("cuda backend unavailable: " + probeCuda());
      case "auto": {
        skipped.add("cuda skipped: " + probeCuda());
        String why = cpuWhy;
        if (why.isEmpty()) {
          return new Selection(new CpuBackend(threads), skipped);
        }
        skipped.add("cpu skipped: " + why);
        return new Selection(new JavaBackend(), skipped);
      }
      default:
        throw new IllegalArgumentException(
            "unknown device '" + d + "'; accepted: " + String.join(", ", DEVICES));
    }
  }

  /** The default backend for models that were given none: "auto" with 1 thread. */
  public static Backend defaultBackend() {
    return select(System.getProperty("nabla.device", "auto"), 1).backend();
  }

  /**
   * Why the CUDA backend cannot run here, in one line: libnabla_cuda failed to load, or the CUDA
   * runtime's own answer (no driver, no device), or — with a GPU present — that the CUDA training
   * backend is not built yet. Probed once per JVM.
   */
  public static synchronized String probeCuda() {
    if (cudaReason == null) {
      String load = tryLoad("libnabla_cuda (dev.nabla.backend.jni.NablaCuda)", NablaCuda.class);
      cudaReason = load.isEmpty() ? askCudaRuntime() : load;
    }
    return cudaReason;
  }

  private static String askCudaRuntime() {
    try (IntPointer count = new IntPointer(1); IntPointer rt = new IntPointer(1);
        IntPointer drv = new IntPointer(1)) {
      int err = NablaCuda.nabla_cuda_device_count(count);
      if (err != 0) {
        return "CUDA runtime: " + NablaCuda.nabla_cuda_error_string(err).getString()
            + (err > 0 ? " (error " + err + ")" : "");
      }
      if (count.get() == 0) {
        return "CUDA runtime: no CUDA device found";
      }
      NablaCuda.nabla_cuda_versions(rt, drv);
      String gpu;
      try (BytePointer name = new BytePointer(256); IntPointer major = new IntPointer(1);
          IntPointer minor = new IntPointer(1)) {
        NablaCuda.nabla_cuda_device_info(0, name, 256, major, minor);
        gpu = name.getString() + ", sm_" + major.get() + minor.get();
      }
      return count.get() + " GPU(s) found (" + gpu + "; runtime " + version(rt.get())
          + ", driver " + version(drv.get()) + ") but the CUDA training backend is not built yet";
    }
  }

  private static String version(int v) {
    return v / 1000 + "." + v % 1000 / 10;
  }

  /** "" when libnabla_cpu and OpenBLAS load; otherwise which library failed and why. */
  public static synchronized String probeCpu() {
    if (cpuFailure == null) {
      cpuFailure = tryLoad("OpenBLAS (org.bytedeco.openblas)", openblas_full.class);
      if (cpuFailure.isEmpty()) {
        cpuFailure = tryLoad("libnabla_cpu (dev.nabla.backend.jni.NablaCpu)", NablaCpu.class);
      }
    }
    return cpuFailure;
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
