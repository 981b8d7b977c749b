package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.MnistFixture;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line and the scripts run as a user runs them: a separate process (java with
 * Nabla's classes and dependencies, as target/nabla.jar holds them; bash for the scripts), its
 * exit code, stdout and stderr as the terminal would show them.
 */
class CommandLineProcessTest {
  record Run(int code, String out, String err) {}

  static Run exec(Path dir, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Path out = Files.createTempFile("nabla-out", ".txt"), err = Files.createTempFile("nabla-err",
        ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + command);
    Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  static Run nabla(Path dir, String... args) throws Exception {
    List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    c.addAll(List.of(args));
    return exec(dir, c);
  }

  static void assertNoStackTrace(Run r) {
    assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"), r.err);
  }

  @Test
  void errorsAreOneLineWithTheFixAndNoStackTrace(@TempDir Path tmp) throws Exception {
    Run typo = nabla(tmp, "train", "--epoch", "1");
    assertEquals(2, typo.code, typo.err);
    assertEquals("nabla: error: unknown option '--epoch' for 'nabla train'",
        typo.err.lines().findFirst().get());
    assertTrue(typo.err.contains("did you mean: --epochs?"), typo.err);
    assertTrue(typo.err.lines().count() <= 4, "short, not the whole usage: " + typo.err);
    assertNoStackTrace(typo);
    Path text = tmp.resolve("digit.png");
    Files.writeString(text, "not an image\n");
    Run input = nabla(tmp, "predict", "--model", text.toString(), "--input", text.toString());
    assertEquals(1, input.code, input.err);
    assertTrue(input.err.startsWith("nabla: error: "), input.err);
    assertNoStackTrace(input);
    Run info = nabla(tmp, "info", "--help");
    assertEquals(0, info.code, info.err);
    assertTrue(info.out.startsWith("Usage: nabla info"), info.out);
  }

  @Test
  void withoutNablasNativeKernelsTheCpuStillTrainsOnOpenBlas(@TempDir Path tmp) throws Exception {
    MnistFixture.ensureFetched();
    // the class path as on a machine Nabla's kernels are not built for: its classes without
    // libnabla_cpu and its JNI glue (OpenBLAS's preset jars unchanged)
    List<String> cp = new ArrayList<>();
    Path hidden = tmp.resolve("classes");
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p) && Files.isDirectory(p.resolve("dev/nabla/backend/jni"))) {
        try (var files = Files.walk(p)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            String name = f.getFileName().toString();
            if (name.equals("libnabla_cpu.so") || name.equals("libjniNablaCpu.so")) {
              continue;
            }
            Path to = hidden.resolve(p.relativize(f).toString());
            if (Files.isDirectory(f)) {
              Files.createDirectories(to);
            } else {
              Files.copy(f, to);
            }
          }
        }
        cp.add(hidden.toString());
      } else {
        cp.add(entry);
      }
    }
    assertTrue(cp.contains(hidden.toString()), "Nabla's classes folder not on " + cp);
    List<String> javaCommand = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Dorg.bytedeco.javacpp.cachedir=" + tmp.resolve("cache"), "-cp",
        String.join(File.pathSeparator, cp), Main.class.getName());
    List<String> info = new ArrayList<>(javaCommand);
    info.add("info");
    Run i = exec(tmp, info);
    assertEquals(0, i.code, i.err);
    assertTrue(i.out.contains("cpu   available, reduced: OpenBLAS sgemm + Java kernels (Nabla's"
        + " native kernels not loaded: libnabla_cpu"), i.out);
    assertTrue(i.out.contains("auto selects: cpu"), i.out);
    List<String> train = new ArrayList<>(javaCommand);
    train.addAll(List.of("train", "--device", "cpu", "--epochs", "1", "--batch-size", "256",
        "--seed", "1"));
    Run t = exec(tmp, train);
    assertEquals(0, t.code, t.err);
    assertTrue(t.err.contains("Nabla's native kernels not loaded"), t.err);
    java.util.regex.Matcher acc = java.util.regex.Pattern.compile("Test accuracy: (0\\.\\d+)")
        .matcher(t.out);
    assertTrue(acc.find(), t.out);
    assertTrue(Double.parseDouble(acc.group(1)) > 0.9, t.out);
  }

  @Test
  void compareOptimizersWritesAFreshFolderNeverTheRepositorysDocs(@TempDir Path tmp)
      throws Exception {
    MnistFixture.ensureFetched();
    Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(tmp.resolve("docs/optimizers.md"), "the user's own file");
    Run r = nabla(tmp, "compare-optimizers", "--optimizers", "sgd", "--epochs", "1",
        "--batch-size", "2048");
    assertEquals(0, r.code, r.err);
    assertEquals("the user's own file", Files.readString(tmp.resolve("docs/optimizers.md")));
    assertTrue(r.out.startsWith("Comparing 1 optimizers on mnist: the seed network, 1 epoch,"),
        r.out);
    assertTrue(r.out.contains("[1/1] sgd..."), r.out);
    Path folder;
    try (var s = Files.list(tmp)) {
      folder = s.filter(p -> p.getFileName().toString().matches("optimizers-\\d{8}-\\d{6}"))
          .findFirst().orElseThrow(() -> new AssertionError("no fresh folder: " + r.out));
    }
    String md = Files.readString(folder.resolve("optimizers.md"));
    assertTrue(md.contains("1 epoch, batch 2048") && !md.contains("1 epochs"), md);
    assertTrue(md.contains("compare-optimizers --epochs 1 --batch-size 2048 --seed 1 --dataset "
        + "mnist --optimizers sgd"), "the command repeats the run: " + md);
    assertTrue(md.contains("last epoch's mean training loss"), md);
    assertTrue(Files.size(folder.resolve("optimizers.png")) > 1000);
  }

  @Test
  void everyScriptAnswersHelpItselfAndDoesNothingElse(@TempDir Path tmp) throws Exception {
    Path scripts = MnistFixture.projectDir().resolve("scripts");
    for (String script : new String[] {"train.sh", "test.sh", "fetch-mnist.sh",
        "fetch-fashion-mnist.sh", "fuzz.sh", "gpu-bundle.sh", "gpu-check.sh"}) {
      Run r = exec(tmp, List.of("bash", scripts.resolve(script).toString(), "--help"));
      assertEquals(0, r.code, script + ": " + r.err);
      assertTrue(r.out.contains("scripts/" + script), script + " names its usage: " + r.out);
      assertFalse(r.out.contains("usage: mvn") || r.out.contains("Usage: mkdir")
          || r.out.contains("[INFO]"), script + " ran a tool instead: " + r.out);
      assertEquals("", r.err, script + " wrote to stderr: " + r.err);
      try (var s = Files.list(tmp)) {
        assertEquals(0, s.count(), script + " --help created files");
      }
    }
  }
}
