package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nabla.MnistFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, one-line errors, usage, the JSON file. */
class CliTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  static void assertUsageError(Result r, String... fragments) {
    assertEquals(2, r.code, r.err);
    String first = r.err.lines().findFirst().orElse("");
    for (String f : fragments) {
      assertTrue(first.contains(f), "first line lacks '" + f + "': " + r.err);
    }
    assertTrue(r.err.contains("--help' for the usage."), "pointer to the usage missing: " + r.err);
    assertFalse(r.err.contains("Usage:"), "the usage buries the error: " + r.err);
    assertFalse(r.err.contains("\tat "), "stack trace printed: " + r.err);
  }

  @Test
  void wrongFlagsAndValuesExit2WithOneLineAndUsage() {
    assertUsageError(run("train", "--bogus"), "nabla: error: unknown option '--bogus' for 'nabla "
        + "train'");
    assertUsageError(run("train", "--epochs", "zero"), "--epochs", "zero");
    assertUsageError(run("train", "--epochs", "0"), "--epochs must be >= 1");
    assertUsageError(run("train", "--batch-size", "-3"), "--batch-size");
    assertUsageError(run("train", "--dropout", "1.5"), "--dropout");
    assertUsageError(run("train", "--device", "gpu"), "--device", "gpu", "auto, cpu, java, cuda");
    assertUsageError(run("train", "--optimizer", "adamx"), "adamx", "Adam");
    assertUsageError(run("train", "--loss", "hinge"), "hinge", "categorical_crossentropy");
    assertUsageError(run("train", "--learning-rate", "-1"), "learning_rate");
    assertUsageError(run("frobnicate"), "unknown command 'frobnicate'; commands: train");
    assertUsageError(run(), "missing command");
  }

  @Test
  void unavailableCudaAndMissingDataExit1WithTheReason(@TempDir Path tmp) {
    Result cuda = run("train", "--device", "cuda");
    assertEquals(1, cuda.code, cuda.err);
    assertTrue(cuda.err.contains("cuda backend unavailable"), cuda.err);
    assertTrue(cuda.err.contains("--device cpu (or auto) runs on the CPU"), cuda.err);
    if (!Files.exists(Path.of("/proc/driver/nvidia/version"))) { // no driver: not "insufficient"
      assertTrue(cuda.err.contains("no NVIDIA driver found"), cuda.err);
      assertFalse(cuda.err.contains("insufficient"), cuda.err);
    }
    assertFalse(cuda.err.contains("\tat "), cuda.err);

    Result missing = run("train", "--data-dir", tmp.resolve("nowhere").toString(), "--epochs", "1");
    assertEquals(1, missing.code, missing.err);
    assertTrue(missing.err.contains("nowhere") && missing.err.contains("fetch-mnist.sh"),
        missing.err);
    assertEquals(1, missing.err.lines().filter(l -> l.startsWith("nabla: error")).count());
    assertFalse(missing.err.contains("\tat "), missing.err);
  }

  @Test
  void trainsAndWritesMetricsJson(@TempDir Path tmp) throws Exception {
    MnistFixture.ensureFetched();
    Path json = tmp.resolve("out/metrics.json");
    Result r = run("train", "--epochs", "1", "--batch-size", "128", "--seed", "1", "--verbose",
        "0", "--metrics-out", json.toString());
    assertEquals(0, r.code, r.err);
    JsonObject m = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    for (String key : new String[] {"test_accuracy", "test_loss", "epoch_seconds", "device",
        "optimizer", "batch_size", "epochs"}) {
      assertTrue(m.has(key), "metrics JSON lacks " + key + ": " + m);
    }
    assertEquals("cpu", m.get("device").getAsString());
    assertEquals("adam", m.get("optimizer").getAsString());
    assertEquals(128, m.get("batch_size").getAsInt());
    assertEquals(1, m.get("epoch_seconds").getAsJsonArray().size());
    assertTrue(m.get("test_accuracy").getAsDouble() > 0.9, m.toString());
    try (var files = Files.list(json.getParent())) {
      assertEquals(1, files.count(), "no temporary file left beside the JSON");
    }
  }

  @Test
  void badMetricsOutFailsBeforeTrainingAndKeepsFiles(@TempDir Path tmp) throws Exception {
    Path blocker = tmp.resolve("file");
    Files.writeString(blocker, "keep me");
    Result r = run("train", "--epochs", "1", "--verbose", "0", "--metrics-out",
        blocker.resolve("m.json").toString());
    assertUsageError(r, "--metrics-out", "is a file, not a folder");
    assertEquals("keep me", Files.readString(blocker));
    assertUsageError(run("train", "--metrics-out", tmp.toString()), "is a folder");
    // a folder the file system refuses (even to root): found before training, with the reason
    assertUsageError(run("train", "--metrics-out", "/proc/nabla-metrics.json"), "--metrics-out",
        "/proc/nabla-metrics.json", "cannot create a file in /proc");
  }

  @Test
  void mistypedFlagsAndCommandsGetTheNearMatch() {
    Result epoch = run("train", "--epoch", "1");
    assertUsageError(epoch, "--epoch");
    assertTrue(epoch.err.contains("did you mean: --epochs?"), epoch.err);
    Result lr = run("train", "--lr", "0.1");
    assertTrue(lr.err.contains("did you mean: --learning-rate?"), lr.err);
    Result trian = run("trian");
    assertUsageError(trian, "trian");
    assertTrue(trian.err.contains("did you mean: train?"), trian.err);
    Result evalTypo = run("evaluate", "--mdoel", "x");
    assertTrue(evalTypo.err.contains("did you mean: --model?"), evalTypo.err);
    for (String command : new String[] {"info", "optimizers", "train", "evaluate", "predict",
        "compare-optimizers"}) {
      Result help = run(command, "--help");
      assertEquals(0, help.code, command + " --help: " + help.err);
      assertTrue(help.out.startsWith("Usage: nabla " + command), help.out);
    }
  }

  @Test
  void verboseZeroPrintsTheResultAloneAndADrawnSeedIsSaid(@TempDir Path tmp) throws Exception {
    MnistFixture.ensureFetched();
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.out;
    Path json = tmp.resolve("m.json");
    Result quiet;
    System.setOut(new java.io.PrintStream(captured, true));
    try {
      quiet = run("train", "--epochs", "1", "--batch-size", "1024", "--verbose", "0",
          "--validation-split", "0.1", "--metrics-out", json.toString());
    } finally {
      System.setOut(saved);
    }
    assertEquals(0, quiet.code, quiet.err);
    String out = captured.toString();
    assertTrue(out.matches("Test accuracy: 0\\.\\d{4} - test loss: \\d+\\.\\d{4}\\R"), out);
    assertEquals("", quiet.err, "nothing on stderr at --verbose 0");
    JsonObject m = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertTrue(m.get("seed").getAsString().matches("-?\\d+"), m.toString());
    assertEquals(0.1, m.get("validation_split").getAsDouble());

    Result loud = run("train", "--epochs", "1", "--batch-size", "2048", "--verbose", "2");
    assertEquals(0, loud.code, loud.err);
    java.util.regex.Matcher said = java.util.regex.Pattern.compile("seed (-?\\d+) \\(--seed \\1 "
        + "repeats this run\\)").matcher(loud.err);
    assertTrue(said.find(), loud.err);
  }

  @Test
  void modelFilesRecordTheirDataSetAndEvaluateWarnsOnAMismatch(@TempDir Path tmp)
      throws Exception {
    MnistFixture.ensureFetched();
    Path model = tmp.resolve("m.safetensors");
    Result train = run("train", "--epochs", "1", "--batch-size", "1024", "--verbose", "0",
        "--save", model.toString());
    assertEquals(0, train.code, train.err);
    try (dev.nabla.nn.Sequential m = dev.nabla.nn.Sequential.load(model)) {
      assertEquals("mnist", m.dataset());
    }
    Result same = run("evaluate", "--model", model.toString());
    assertEquals(0, same.code, same.err);
    assertFalse(same.err.contains("warning"), same.err);
    // the warning comes before the data is read: it shows whether Fashion-MNIST is here or not
    Result other = run("evaluate", "--model", model.toString(), "--dataset", "fashion-mnist");
    assertTrue(other.err.contains("warning: " + model + " was trained on mnist, and is evaluated"
        + " on fashion-mnist"), other.err);
  }

  @Test
  void predictSaysWhatInputItTakesAndReadsImagesAsMnistWasPrepared(@TempDir Path tmp)
      throws Exception {
    MnistFixture.ensureFetched();
    Path model = tmp.resolve("m.safetensors");
    Result train = run("train", "--epochs", "2", "--batch-size", "128", "--seed", "3",
        "--verbose", "0", "--save", model.toString());
    assertEquals(0, train.code, train.err);

    Path text = tmp.resolve("notes.txt");
    Files.writeString(text, "hello, digits\n");
    Result t = run("predict", "--model", model.toString(), "--input", text.toString());
    assertEquals(1, t.code, t.err);
    assertTrue(t.err.contains(text + ": neither an IDX image file nor an image")
        && t.err.contains("--input accepts an IDX image file") && t.err.contains("looks like text"),
        t.err);
    Path fakeGif = tmp.resolve("digit.png");
    Files.write(fakeGif, new byte[] {'G', 'I', 'F', '8', '9', 'a', 1, 2, 3});
    Result g = run("predict", "--model", model.toString(), "--input", fakeGif.toString());
    assertEquals(1, g.code, g.err);
    assertTrue(g.err.contains(fakeGif.toString()), "the file is named: " + g.err);

    // the first MNIST test digit (a 7), cropped to its ink and scaled edge to edge to 200x200,
    // drawn dark on light, saved as a JPEG named .png, and again on a transparent background
    dev.nabla.data.Dataset d = MnistFixture.mnist();
    float[] x = d.xTest();
    int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        if (x[r * 28 + c] > 0.2f) {
          x0 = Math.min(x0, c); x1 = Math.max(x1, c); y0 = Math.min(y0, r); y1 = Math.max(y1, r);
        }
      }
    }
    java.awt.image.BufferedImage big = new java.awt.image.BufferedImage(200, 200,
        java.awt.image.BufferedImage.TYPE_INT_ARGB);
    java.awt.image.BufferedImage jpegSource = new java.awt.image.BufferedImage(200, 200,
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int r = 0; r < 200; r++) {
      for (int c = 0; c < 200; c++) {
        float v = x[(y0 + r * (y1 - y0 + 1) / 200) * 28 + x0 + c * (x1 - x0 + 1) / 200];
        int ink = Math.round(v * 255);
        big.setRGB(c, r, ink << 24); // black ink, alpha = ink: transparent background
        int shade = 255 - ink;
        jpegSource.setRGB(c, r, shade << 16 | shade << 8 | shade);
      }
    }
    Path transparent = tmp.resolve("seven-alpha.png");
    javax.imageio.ImageIO.write(big, "png", transparent.toFile());
    Result alpha = run("predict", "--model", model.toString(), "--input", transparent.toString());
    assertEquals(0, alpha.code, alpha.err);
    assertTrue(alpha.out.contains("image 0: class 7 (p="), alpha.out);
    assertTrue(alpha.out.matches("(?s).*image 0: class 7 \\(p=[0-9.]+\\); then \\d \\(p=[0-9.]+\\), "
        + "\\d \\(p=[0-9.]+\\)\\R.*"), "top 3: " + alpha.out);
    Path jpegNamedPng = tmp.resolve("seven-jpeg.png");
    javax.imageio.ImageIO.write(jpegSource, "jpg", jpegNamedPng.toFile());
    Result jpeg = run("predict", "--model", model.toString(), "--input", jpegNamedPng.toString());
    assertEquals(0, jpeg.code, jpeg.err);
    assertTrue(jpeg.out.contains("image 0: class 7 (p="), jpeg.out);

    Path blank = tmp.resolve("blank.png");
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(50, 50,
        java.awt.image.BufferedImage.TYPE_INT_ARGB), "png", blank.toFile());
    Result b = run("predict", "--model", model.toString(), "--input", blank.toString());
    assertEquals(0, b.code, b.err);
    assertTrue(b.err.contains("looks blank"), b.err);
  }

  @Test
  void everyOptimizerTrainsFromTheCommandLineAndGdIsFullBatch(@TempDir Path tmp)
      throws Exception {
    MnistFixture.ensureFetched();
    Path json = tmp.resolve("gd.json");
    Result gd = run("train", "--optimizer", "gd", "--epochs", "2", "--learning-rate", "0.5",
        "--verbose", "0", "--metrics-out", json.toString());
    assertEquals(0, gd.code, gd.err);
    JsonObject m = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals("gd", m.get("optimizer").getAsString());
    assertEquals(60000, m.get("batch_size").getAsInt(), "gd: one batch of the whole training set");
    for (String opt : new String[] {"sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw",
        "adamax", "nadam", "ftrl", "lion", "lamb"}) {
      Result r = run("train", "--optimizer", opt, "--epochs", "1", "--batch-size", "1024",
          "--verbose", "0");
      assertEquals(0, r.code, opt + ": " + r.err);
    }
  }

  @Test
  void checkpointResumeSaveEvaluatePredictAndPlot(@TempDir Path tmp) throws Exception {
    MnistFixture.ensureFetched();
    Path ck = tmp.resolve("ck");
    Result first = run("train", "--epochs", "1", "--batch-size", "512", "--seed", "2",
        "--verbose", "0", "--checkpoint", ck.toString());
    assertEquals(0, first.code, first.err);
    assertTrue(Files.exists(ck.resolve("model.safetensors")));
    Path model = tmp.resolve("final.safetensors"), png = tmp.resolve("curves.png");
    Result resumed = run("train", "--epochs", "2", "--batch-size", "512", "--verbose", "2",
        "--resume", ck.toString(), "--save", model.toString(), "--plot", png.toString());
    assertEquals(0, resumed.code, resumed.err);
    assertTrue(resumed.err.contains("resuming from") && resumed.err.contains("after epoch 1"),
        resumed.err);
    assertTrue(Files.size(png) > 1000 && Files.size(model) > 400_000);
    try (dev.nabla.nn.Sequential m = dev.nabla.nn.Sequential.load(model)) {
      assertEquals(2, m.epochsDone());
    }
    Result eval = run("evaluate", "--model", model.toString());
    assertEquals(0, eval.code, eval.err);
    assertTrue(eval.out.matches("(?s)loss: \\d\\.\\d{4}\\naccuracy: 0\\.9\\d{3}\\n"), eval.out);
    Path images = dev.nabla.data.Dataset.defaultMnistDir().resolve("t10k-images-idx3-ubyte");
    Result idx = run("predict", "--model", model.toString(), "--input", images.toString(),
        "--limit", "3");
    assertEquals(0, idx.code, idx.err);
    assertTrue(idx.out.startsWith("image 0: class 7 (p="), idx.out); // the first test digit
    // a PNG drawn as a person would: a dark "1" on a light background
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(56, 56,
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, 56, 56);
    g.setColor(java.awt.Color.BLACK);
    g.fillRect(24, 8, 8, 40);
    g.dispose();
    Path digit = tmp.resolve("one.png");
    javax.imageio.ImageIO.write(img, "png", digit.toFile());
    Result p = run("predict", "--model", model.toString(), "--input", digit.toString());
    assertEquals(0, p.code, p.err);
    assertTrue(p.out.contains("inverted") && p.out.contains("image 0: class 1"), p.out);
    Result bad = run("predict", "--model", model.toString(), "--input",
        model.toString());
    assertEquals(1, bad.code, bad.err);
    assertTrue(bad.err.startsWith("nabla: error: ") && bad.err.contains("IDX"), bad.err);
    assertUsageError(run("train", "--plot", tmp.resolve("c.txt").toString()), "PNG");
    assertUsageError(run("train", "--resume", tmp.resolve("none").toString()),
        "no checkpoint there");
    Result missing = run("evaluate", "--model", tmp.resolve("absent").toString());
    assertEquals(1, missing.code);
    assertTrue(missing.err.contains("absent"), missing.err);
  }

  @Test
  void optimizersAndInfo() {
    Result opt = run("optimizers");
    assertEquals(0, opt.code);
    for (String name : new String[] {"Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl",
        "Lamb", "Lion", "Nadam", "RMSprop", "SGD", "gd"}) {
      assertTrue(opt.out.contains(name), name + " missing from: " + opt.out);
    }
    Result info = run("info");
    assertEquals(0, info.code, info.err);
    assertTrue(info.out.contains("cpu   available: Nabla's kernels (libnabla_cpu), sgemm "),
        info.out);
    assertTrue(info.out.contains("cuda  unavailable"), info.out);
    assertTrue(info.out.contains("auto selects: cpu"), info.out);
  }
}
