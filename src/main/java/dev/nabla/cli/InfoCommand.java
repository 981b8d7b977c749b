package dev.nabla.cli;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Which backends work here, which native libraries loaded, and why not. */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Show the backends available and the native libraries.")
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("nabla 0.1.0 on Java " + System.getProperty("java.version") + " ("
        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
        + Runtime.getRuntime().availableProcessors() + " cores)");
    out.println("backends:");
    out.println("  java  available: pure-Java reference kernels");
    String cpu = Backends.probeCpu();
    if (cpu.isEmpty()) {
      Backend b = Backends.select("cpu", 1).backend();
      out.println("  cpu   available: " + b.describe().substring("cpu: ".length()));
      out.println("        threads: " + b.threads() + " (default; --threads N splits large matmuls, the optimizer and dropout)");
      String blas = Backends.probeOpenBlas();
      out.println("        OpenBLAS: " + (blas.isEmpty()
          ? "loaded (the portable fallback; unused while Nabla's kernels load)" : blas));
    } else if (Backends.probeOpenBlas().isEmpty()) {
      out.println("  cpu   available, reduced: OpenBLAS sgemm + Java kernels (Nabla's native "
          + "kernels not loaded: " + cpu + ")");
    } else {
      out.println("  cpu   unavailable: " + cpu);
    }
    String cuda = Backends.probeCuda();
    out.println(cuda.isEmpty() ? "  cuda  available: " + Backends.cudaDevice()
        : "  cuda  unavailable: " + cuda);
    String emu = Backends.probeEmulator();
    out.println(emu.isEmpty() ? "  cuda-emulated  available: the CUDA kernels on the CPU "
        + "emulator (slow; for checking the CUDA path without a GPU)"
        : "  cuda-emulated  unavailable: " + emu);
    Backends.Selection auto = Backends.select("auto", 1);
    out.println("auto selects: " + auto.backend().name());
    out.println("default device: " + Backends.defaultDeviceName() + " (environment variable "
        + Backends.DEVICE_VARIABLE + "; --device overrides it)");
    return 0;
  }
}
