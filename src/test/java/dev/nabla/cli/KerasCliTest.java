package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.MnistFixture;
import dev.nabla.cli.CliTest.Result;
import dev.nabla.nn.KerasFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --save x.keras, then evaluate, predict and train --resume reading it. */
class KerasCliTest {
  @Test
  void kerasFilesThroughTheCommandLine(@TempDir Path tmp) throws Exception {
    MnistFixture.ensureFetched();
    Path keras = tmp.resolve("m.keras");
    Result train = CliTest.run("train", "--epochs", "1", "--batch-size", "512", "--seed", "3",
        "--verbose", "0", "--save", keras.toString());
    assertEquals(0, train.code(), train.err());
    assertEquals(KerasFiles.Kind.KERAS_ZIP, KerasFiles.kind(keras));
    Result eval = CliTest.run("evaluate", "--model", keras.toString());
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().matches("(?s)loss: \\d\\.\\d{4}\\naccuracy: 0\\.9\\d{3}\\n"),
        eval.out());
    Path images = dev.nabla.data.Dataset.defaultMnistDir().resolve("t10k-images-idx3-ubyte");
    Result idx = CliTest.run("predict", "--model", keras.toString(), "--input",
        images.toString(), "--limit", "3");
    assertEquals(0, idx.code(), idx.err());
    assertTrue(idx.out().startsWith("image 0: class 7 (p="), idx.out());
    Path more = tmp.resolve("more.keras");
    Result resumed = CliTest.run("train", "--epochs", "1", "--batch-size", "512", "--seed", "3",
        "--verbose", "1", "--resume", keras.toString(), "--save", more.toString());
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("resuming from " + keras) && resumed.err().contains(
        "come from the Keras file"), resumed.err());
    try (dev.nabla.nn.Sequential m = dev.nabla.nn.Sequential.load(more)) {
      // one more epoch of 60000 / 512 steps after the first one's
      assertEquals(2 * 118, m.optimizer().steps());
    }
  }
}
