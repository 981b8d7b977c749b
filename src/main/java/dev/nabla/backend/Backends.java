package dev.nabla.backend;

import dev.nabla.backend.jni.NablaCpu;
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

  /** Why CUDA is unavailable in this build; the CUDA backend replaces this probe. */
  static final String CUDA_REASON =
      "the CUDA backend is not part of this build yet (native/cuda is not compiled in)";

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
        throw new BackendUnavailableException("cuda backend unavailable: " + CUDA_REASON);
      case "auto": {
        skipped.add("cuda skipped: " + CUDA_REASON);
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
