package dev.nabla.fuzz;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Temp files, seed corpora and the byte layouts (gzip, safetensors) the fuzz tests need. */
final class FuzzIo {
  private FuzzIo() {}

  /** What a reader target does with a file; returns whether the file was accepted. */
  interface Reader {
    boolean read(Path file) throws Throwable;
  }

  /** Writes {@code input} to a fresh file in {@code dir}, runs {@code reader} on it, deletes it. */
  static boolean withFile(Path dir, byte[] input, Reader reader) throws Throwable {
    Path f = Files.createTempFile(dir, "fuzz-", ".bin");
    try {
      Files.write(f, input);
      return reader.read(f);
    } finally {
      Files.deleteIfExists(f);
    }
  }

  // ---- seed corpora: src/test/resources/dev/nabla/fuzz/<Class>Inputs/<method>/ ---------------

  /** The seed files of a Jazzer fuzz test, sorted by name. */
  static List<Path> seedFiles(Class<?> fuzzTest, String method) {
    String dir = fuzzTest.getSimpleName() + "Inputs/" + method;
    URL url = fuzzTest.getResource(dir);
    if (url == null) {
      throw new IllegalStateException("no seed corpus dev/nabla/fuzz/" + dir + " on the class path");
    }
    try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
      return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The seeds to mutate from: every seed except the checked-in reproducers of known findings
   * ({@code crash-*}), which the regression run replays on their own.
   */
  static List<byte[]> baseSeeds(Class<?> fuzzTest, String method, Predicate<String> nameFilter) {
    return seedFiles(fuzzTest, method).stream()
        .filter(p -> !p.getFileName().toString().startsWith("crash-"))
        .filter(p -> nameFilter.test(p.getFileName().toString()))
        .map(FuzzIo::readAll)
        .collect(Collectors.toList());
  }

  static byte[] readAll(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- gzip ----------------------------------------------------------------------------------

  static boolean isGzip(byte[] b) {
    return b.length >= 2 && (b[0] & 0xFF) == 0x1f && (b[1] & 0xFF) == 0x8b;
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Only for the valid seeds (the fuzzers' own inputs never pass through here). */
  static byte[] gunzip(byte[] gz) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- safetensors ---------------------------------------------------------------------------

  /** A safetensors file taken apart: the JSON header and the data bytes after it. */
  record SafeTensorsFile(JsonObject header, byte[] data) {
    /** Parses a valid seed (8-byte little-endian length, JSON, data). */
    static SafeTensorsFile parse(byte[] file) {
      long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
      String json = new String(file, 8, (int) n, StandardCharsets.UTF_8).trim();
      return new SafeTensorsFile(JsonParser.parseString(json).getAsJsonObject(),
          Arrays.copyOfRange(file, 8 + (int) n, file.length));
    }

    SafeTensorsFile copy() {
      return new SafeTensorsFile(header.deepCopy(), data.clone());
    }

    /** The model description ("nabla.model" in the metadata), or null. */
    String modelJson() {
      JsonObject meta = header.getAsJsonObject("__metadata__");
      return meta == null || !meta.has("nabla.model") ? null : meta.get("nabla.model").getAsString();
    }

    SafeTensorsFile withModelJson(String json) {
      SafeTensorsFile c = copy();
      c.header.getAsJsonObject("__metadata__").addProperty("nabla.model", json);
      return c;
    }

    byte[] encode() {
      return FuzzIo.encodeSafeTensors(header.toString(), data);
    }
  }

  /** Lays out a safetensors file from header text and data: the length is that of the text, padded with spaces to 8. */
  static byte[] encodeSafeTensors(String headerJson, byte[] data) {
    byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(padded).put(json);
    while (b.position() < 8 + padded) {
      b.put((byte) ' ');
    }
    b.put(data);
    return b.array();
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
