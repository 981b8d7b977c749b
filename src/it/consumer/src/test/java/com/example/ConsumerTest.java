package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a user does first with Nabla from Maven: build, train, predict; one copy of each library. */
class ConsumerTest {
  @Test
  void trainsAndPredictsOnTheCpuBackend() {
    assertEquals("", Backends.probeCpu(), "the CPU backend loads from the dependency's jars");
    float[] x = new float[64 * 4 * 4];
    float[] y = new float[64];
    for (int i = 0; i < 64; i++) {
      y[i] = i % 2;
      for (int p = 0; p < 16; p++) {
        x[i * 16 + p] = (i % 2 == 0) == (p < 8) ? 1f : 0f;
      }
    }
    try (Sequential model = new Sequential(new Flatten(4, 4), new Dense(8, "relu"),
            new Dropout(0.1), new Dense(2, "softmax"));
        Tensor images = Tensor.of(x, 64, 4, 4);
        Tensor labels = Tensor.of(y, 64)) {
      model.setSeed(7);
      model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      model.fit(images, labels, 30, 16);
      Map<String, Float> result = model.evaluate(images, labels, 32, 0);
      assertTrue(result.get("accuracy") > 0.9f, result.toString());
      try (Tensor p = model.predict(images)) {
        assertEquals(64 * 2, p.size());
      }
    }
  }

  @Test
  void eachLibraryIsOnTheClassPathOnce() throws Exception {
    for (String cls : new String[] {"org/bytedeco/openblas/global/openblas_full.class",
        "org/bytedeco/javacpp/Loader.class", "dev/nabla/nn/Sequential.class"}) {
      List<URL> copies = Collections.list(getClass().getClassLoader().getResources(cls));
      assertEquals(1, copies.size(), cls + " found in " + copies);
    }
    // the command line's own libraries are not forced on a library user
    assertEquals(null, getClass().getClassLoader().getResource("picocli/CommandLine.class"));
  }
}
