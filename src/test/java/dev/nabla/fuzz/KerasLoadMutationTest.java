package dev.nabla.fuzz;

import com.google.gson.JsonParser;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.ELU;
import dev.nabla.nn.layers.Flatten;
import dev.nabla.nn.layers.LeakyReLU;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded deterministic mutation run of {@link Sequential#load(Path)} on Keras files: byte edits
 * of Keras-written .h5 files (their model_config and training_config JSON included), and of a
 * Nabla-written .keras file whole, or entry by entry: config.json edited as a JSON tree
 * (class names, shapes, units, activations, optimizer configs), model.weights.h5 byte-edited.
 * Only the documented IOException may come out.
 */
class KerasLoadMutationTest {
  static final int INPUTS = Integer.getInteger("keras.mutations", 1500);
  static final List<String> DOMAIN = List.of("\"Dense\"", "\"Reshape\"", "\"InputLayer\"",
      "\"ReLU\"", "\"LeakyReLU\"", "\"Softmax\"", "\"elu\"", "\"hard_sigmoid\"", "\"Adam\"",
      "\"Custom>Adam\"", "[null, 4]", "[null, 0]", "[null, 1000000000]", "[null, -1]",
      "[null, 3, 4]", "1e9", "2147483648", "{\"class_name\": \"ExponentialDecay\"}");

  static byte[] resource(String name) throws IOException {
    try (InputStream in = KerasLoadMutationTest.class.getResourceAsStream(
        "/dev/nabla/keras/" + name)) {
      return in.readAllBytes();
    }
  }

  static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream z = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
        out.put(e.getName(), z.readAllBytes());
      }
    }
    return out;
  }

  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return b.toByteArray();
  }

  @Test
  void loadFailsOnlyWithIOException(@TempDir Path tmp) throws IOException {
    List<byte[]> h5 = new ArrayList<>();
    for (String n : List.of("ReLU_0_model.h5", "LeakyReLU_0_model.h5",
        "simple_sparse_xent_mlp_keras_2_model.h5", "ThresholdReLU_0_model.h5",
        "keras3_sequential.h5")) {
      h5.add(resource(n));
    }
    Path written = tmp.resolve("seed.keras");
    try (Sequential m = new Sequential(new Flatten(3, 4), new Dense(5, "relu"), new ELU(0.5),
        new LeakyReLU(), new Dropout(0.1), new Dense(3, "softmax"))) {
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      m.build(3, 4);
      m.save(written);
    }
    byte[] keras = Files.readAllBytes(written);
    Map<String, byte[]> entries = unzip(keras);
    var config = JsonParser.parseString(new String(entries.get("config.json"),
        java.nio.charset.StandardCharsets.UTF_8));
    List<byte[]> all = new ArrayList<>(h5);
    all.add(keras);
    MutationLoop.run("KerasLoadMutationTest", tmp, INPUTS, 0x4E5A_0001L, Duration.ofSeconds(60),
        (m, i) -> {
          StringBuilder d = new StringBuilder();
          switch (m.nextInt(4)) {
            case 0: {
              byte[] base = m.pick(h5);
              return new MutationLoop.Case(d.append("h5 bytes: ").toString(),
                  m.bytes(base, all, d));
            }
            case 1:
              d.append(".keras bytes: ");
              return new MutationLoop.Case(d.toString(), m.bytes(keras, all, d));
            case 2: {
              Map<String, byte[]> e = new LinkedHashMap<>(entries);
              d.append("config.json: ");
              e.put("config.json", m.json(config, DOMAIN, d).getBytes(
                  java.nio.charset.StandardCharsets.UTF_8));
              return new MutationLoop.Case(d.toString(), zip(e));
            }
            default: {
              Map<String, byte[]> e = new LinkedHashMap<>(entries);
              d.append("model.weights.h5 bytes: ");
              e.put("model.weights.h5", m.bytes(entries.get("model.weights.h5"), h5, d));
              return new MutationLoop.Case(d.toString(), zip(e));
            }
          }
        }, Targets::sequential);
  }
}
