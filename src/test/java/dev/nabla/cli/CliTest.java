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
    assertTrue(r.err.contains("Usage:"), "usage missing: " + r.err);
    assertFalse(r.err.contains("\tat "), "stack trace printed: " + r.err);
  }

  @Test
  void wrongFlagsAndValuesExit2WithOneLineAndUsage() {
    assertUsageError(run("train", "--bogus"), "--bogus");
    assertUsageError(run("train", "--epochs", "zero"), "--epochs", "zero");
    assertUsageError(run("train", "--epochs", "0"), "--epochs must be >= 1");
    assertUsageError(run("train", "--batch-size", "-3"), "--batch-size");
    assertUsageError(run("train", "--dropout", "1.5"), "--dropout");
    assertUsageError(run("train", "--device", "gpu"), "--device", "gpu", "auto, cpu, java, cuda");
    assertUsageError(run("train", "--optimizer", "adamx"), "adamx", "Adam");
    assertUsageError(run("train", "--loss", "hinge"), "hinge", "categorical_crossentropy");
    assertUsageError(run("train", "--learning-rate", "-1"), "learning_rate");
    assertUsageError(run("frobnicate"), "frobnicate");
    assertUsageError(run(), "missing command");
  }

  @Test
  void unavailableCudaAndMissingDataExit1WithTheReason(@TempDir Path tmp) {
    Result cuda = run("train", "--device", "cuda");
    assertEquals(1, cuda.code, cuda.err);
    assertTrue(cuda.err.contains("cuda backend unavailable"), cuda.err);
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
    Result resumed = run("train", "--epochs", "2", "--batch-size", "512", "--verbose", "0",
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
    assertTrue(info.out.contains("cpu   available: OpenBLAS"), info.out);
    assertTrue(info.out.contains("cuda  unavailable"), info.out);
    assertTrue(info.out.contains("auto selects: cpu"), info.out);
  }
}
