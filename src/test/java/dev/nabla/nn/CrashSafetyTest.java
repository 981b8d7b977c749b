package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill-during-save: a real child JVM ({@link SaveChild}) saves a ~160 MB model to one path over
 * and over, alternating two known weight versions, and is killed with SIGKILL at varied moments:
 * while starting or in its first save, at random delays between and within saves, and as soon as
 * the save's temporary file appears (mid-write). After every kill the target file must load with
 * {@link Sequential#load} and hold exactly one of the two complete versions, and it must be the
 * last completed one whenever the kill interrupted a write. The only other file allowed in the
 * folder is the interrupted save's hidden temporary ("." + name + digits + ".tmp", never the
 * target itself); those are recorded, printed and removed.
 *
 * <p>The kill schedule is random; the seed is printed and can be replayed with
 * {@code -Dcrashsafety.seed=...}.
 */
class CrashSafetyTest {
  private static final String NAME = "model.safetensors";
  /** What AtomicFiles.write creates: Files.createTempFile(dir, "." + name + ".", ".tmp"). */
  private static final Pattern TEMP = Pattern.compile(Pattern.quote("." + NAME) + "\\.?\\d+\\.tmp");
  private static final int MIN_KILLS = 6;
  private static final int MAX_KILLS = 15;
  /** Stop starting new kill rounds after this long (each round is a fresh JVM and a 160 MB load). */
  private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(20);

  /** One kill and what it left behind. */
  private record Round(int index, String mode, long delayMs, long savesReported, String found,
      long leftoverBytes, char version) {}

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void sigkillDuringSaveLeavesTheLastCompleteFile(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("crashsafety.seed", System.nanoTime());
    SplittableRandom rng = new SplittableRandom(seed);
    Path target = dir.resolve(NAME);
    long fileBytes;
    try (Sequential m = SaveChild.model()) {
      SaveChild.fill(m, 'A'); // = SaveChild.versionOfSave(0): the sequence B, A, B... follows it
      m.save(target);
    }
    fileBytes = Files.size(target);
    assertEquals('A', loadVersion(target), "the file saved in the test JVM");

    List<Round> rounds = new ArrayList<>();
    List<Long> saveMillis = new ArrayList<>();
    char onDisk = 'A'; // what the file holds before each round
    long start = System.nanoTime();
    for (int i = 0; i < MAX_KILLS
        && (i < MIN_KILLS || System.nanoTime() - start < BUDGET_NANOS); i++) {
      String mode = switch (i % 3) {
        case 0 -> "startup";
        case 1 -> "random";
        default -> "mid-write";
      };
      Round r = killOnce(i, mode, dir, target, onDisk, rng, saveMillis);
      rounds.add(r);
      onDisk = r.version;
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "CrashSafetyTest: seed %d, %d kills in %d s, file %,d bytes, child save times (ms) %s%n",
        seed, rounds.size(), seconds, fileBytes, saveMillis));
    report.append(String.format(Locale.ROOT, "  %-3s %-9s %8s %6s %-10s %-40s%n", "#", "mode",
        "delay ms", "saves", "file holds", "left in folder besides the target"));
    for (Round r : rounds) {
      report.append(String.format(Locale.ROOT, "  %-3d %-9s %8d %6d %-10s %-40s%n", r.index,
          r.mode, r.delayMs, r.savesReported, r.version, r.found));
    }
    long midWrite = rounds.stream().filter(r -> r.leftoverBytes >= 0).count();
    long partial = rounds.stream()
        .filter(r -> r.leftoverBytes >= 0 && r.leftoverBytes < fileBytes).count();
    report.append(String.format(Locale.ROOT,
        "  kills that interrupted a write (a temporary was left): %d, of which with a partly "
            + "written temporary: %d%n", midWrite, partial));
    System.out.print(report);
    System.out.flush();

    // The case under test must actually have happened, else the test proved nothing.
    assertTrue(midWrite > 0, "no kill landed while a save was writing its temporary file; "
        + "the test did not exercise the crash case\n" + report);
  }

  /** Starts a child, kills it with SIGKILL as {@code mode} says, then checks the folder. */
  private static Round killOnce(int index, String mode, Path dir, Path target, char before,
      SplittableRandom rng, List<Long> saveMillis) throws Exception {
    Child child = Child.start(target);
    long delayMs;
    try {
      switch (mode) {
        case "startup" -> {
          // Anywhere from JVM start-up through model building into the first save.
          delayMs = rng.nextLong(200, 2500);
          Thread.sleep(delayMs);
        }
        case "random" -> {
          child.awaitSaves(1 + rng.nextInt(2));
          long typical = Math.max(100, Math.min(1000, child.lastSaveMillis()));
          delayMs = rng.nextLong(0, 2 * typical);
          Thread.sleep(delayMs);
        }
        default -> {
          child.awaitSaves(1);
          // Poll for the next save's temporary, then kill a random few ms into its write.
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          while (temporaries(dir).isEmpty()) {
            if (System.nanoTime() > deadline || !child.process.isAlive()) {
              fail("child wrote no temporary file within 20 s:\n" + child.output());
            }
            Thread.onSpinWait();
          }
          delayMs = rng.nextLong(0, 40);
          Thread.sleep(delayMs);
        }
      }
      assertTrue(child.process.isAlive(), "child exited before the kill:\n" + child.output());
      child.process.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
      assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "killed child did not exit");
      assertEquals(128 + 9, child.process.exitValue(), "exit status of a SIGKILLed process");
    } finally {
      if (child.process.isAlive()) {
        child.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    child.drain();
    saveMillis.addAll(child.saveMillis());
    long saves = child.saves();

    // What the kill left in the folder: the target plus, at most, the interrupted save's temporary.
    List<String> leftovers = new ArrayList<>();
    long leftoverBytes = -1;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.equals(NAME)) {
          continue;
        }
        long size = Files.size(p);
        leftovers.add(name + " (" + String.format(Locale.ROOT, "%,d", size) + " bytes)");
        if (!TEMP.matcher(name).matches()) {
          fail("round " + index + " (" + mode + "): unexpected file " + name + " next to the "
              + "target; only the hidden temporary of an interrupted save may remain");
        }
        leftoverBytes = Math.max(leftoverBytes, size);
      }
    }
    assertTrue(leftovers.size() <= 1, "round " + index + ": more than one temporary: " + leftovers);
    assertTrue(Files.isRegularFile(target), "round " + index + " (" + mode + "): the target "
        + "is gone after the kill; the folder holds " + leftovers);

    char version;
    try {
      version = loadVersion(target);
    } catch (IOException e) {
      throw new AssertionError("round " + index + " (" + mode + ", " + saves + " saves reported): "
          + "after the kill the target does not load: " + e.getMessage() + "; the folder also "
          + "holds " + leftovers, e);
    }
    // The last completed save's version (the file as the round found it if none completed), and
    // the version of the save the kill may have interrupted.
    char lastComplete = saves == 0 ? before : SaveChild.versionOfSave(saves);
    char inFlight = SaveChild.versionOfSave(saves + 1);
    if (leftoverBytes >= 0) {
      // A temporary survives only if the kill came before its rename: the save in flight
      // (number saves + 1) never replaced the file, so it must hold the last completed save.
      assertEquals(lastComplete, version, "round " + index + " (" + mode + "): killed during "
          + "save " + (saves + 1) + " (temporary left: " + leftovers + "), so the file must "
          + "still hold " + (saves == 0 ? "what it held before the round" : "save " + saves)
          + ", version " + lastComplete);
    } else {
      // No temporary: the kill came outside a write, or after the rename of save saves + 1
      // but before the child printed "saved".
      assertTrue(version == lastComplete || version == inFlight, "round " + index + " (" + mode
          + "): the file holds version " + version + ", neither the last completed save's ("
          + lastComplete + ") nor the interrupted one's (" + inFlight + ")");
    }
    // Remove the leftover so rounds stay independent and the disk does not fill with 160 MB files.
    for (Path p : temporaries(dir)) {
      Files.delete(p);
    }
    return new Round(index, mode, delayMs, saves,
        leftovers.isEmpty() ? "nothing" : String.join(", ", leftovers), leftoverBytes, version);
  }

  /** Loads the file and returns which complete version it holds; fails on anything else. */
  private static char loadVersion(Path file) throws IOException {
    try (Sequential m = Sequential.load(file)) {
      assertEquals(2, m.layers().size(), "layers in " + file);
      assertEquals(SaveChild.UNITS, ((dev.nabla.nn.layers.Dense) m.layers().get(1)).units());
      float[] w = m.flatParameters().toFloatArray();
      assertEquals((long) SaveChild.IN * SaveChild.UNITS + SaveChild.UNITS, w.length,
          "parameters in " + file);
      char v = w[0] == SaveChild.value('A', 0) ? 'A'
          : w[0] == SaveChild.value('B', 0) ? 'B' : '?';
      if (v == '?') {
        fail(file + ": first weight " + w[0] + " is from neither saved version");
      }
      for (int i = 0; i < w.length; i++) {
        if (w[i] != SaveChild.value(v, i)) {
          fail(String.format(Locale.ROOT, "%s: starts as version %c but weight %d is %s, not %s: "
              + "a mix of versions", file, v, i, w[i], SaveChild.value(v, i)));
        }
      }
      return v;
    }
  }

  private static List<Path> temporaries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> TEMP.matcher(p.getFileName().toString()).matches()).toList();
    }
  }

  /** A SaveChild JVM and what it has printed, read by a daemon thread. */
  private static final class Child {
    final Process process;
    private final Thread reader;
    private final StringBuilder output = new StringBuilder();
    private final List<Long> millis = new ArrayList<>();
    private long saves;

    private Child(Process process) {
      this.process = process;
      this.reader = new Thread(this::read, "save-child-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(Path target) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx1g");
      cmd.add("-XX:+UseSerialGC");
      String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
      if (cache != null && !cache.isEmpty()) {
        cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
      }
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(SaveChild.class.getName());
      cmd.add(target.toString());
      return new Child(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    private void read() {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (this) {
            output.append(line).append('\n');
            if (line.startsWith("saved ")) {
              String[] f = line.split(" ");
              saves = Long.parseLong(f[1]);
              millis.add(Long.parseLong(f[3]));
            }
            notifyAll();
          }
        }
      } catch (IOException e) {
        // the process died; what was read is kept
      }
    }

    synchronized void awaitSaves(long n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (saves < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
          fail("child reported " + saves + " saves, waited for " + n + ":\n" + output);
        }
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }

    /** Waits for the reader to see the end of the dead child's output. */
    void drain() throws InterruptedException {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }

    synchronized long saves() {
      return saves;
    }

    synchronized long lastSaveMillis() {
      return millis.isEmpty() ? 0 : millis.get(millis.size() - 1);
    }

    synchronized List<Long> saveMillis() {
      return List.copyOf(millis);
    }

    synchronized String output() {
      return output.toString();
    }
  }
}
