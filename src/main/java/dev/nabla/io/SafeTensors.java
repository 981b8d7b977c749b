package dev.nabla.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors layout (8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data), float32 only, so other tools can
 * read Nabla's files. Writes are atomic: a temporary file in the same folder, fsync, rename, so a
 * crash mid-write leaves the previous file intact. The header's metadata carries a SHA-256 of the
 * data, checked on read.
 *
 * <p>Thread-safe: static readers and writers, on distinct files.
 */
public final class SafeTensors {
  private SafeTensors() {}

  /** Largest header we accept: a guard against reading garbage as a length. */
  private static final long MAX_HEADER = 64L << 20;
  private static final String SHA_KEY = "nabla.sha256";

  /** A named float32 array with its shape. */
  public record Entry(int[] shape, float[] values) {
    public Entry {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
            + " values, got " + values.length);
      }
    }
  }

  /** What a file holds: its tensors in file order and its string metadata. */
  public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

  public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata)
      throws IOException {
    long dataBytes = 0;
    JsonObject header = new JsonObject();
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      JsonObject t = new JsonObject();
      t.addProperty("dtype", "F32");
      t.add("shape", new Gson().toJsonTree(e.getValue().shape()));
      long size = 4L * e.getValue().values().length;
      t.add("data_offsets", new Gson().toJsonTree(new long[] {dataBytes, dataBytes + size}));
      header.add(e.getKey(), t);
      dataBytes += size;
    }
    ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
    for (Entry e : tensors.values()) {
      data.asFloatBuffer().put(e.values());
      data.position(data.position() + 4 * e.values().length);
    }
    data.flip();
    JsonObject meta = new JsonObject();
    metadata.forEach(meta::addProperty);
    meta.addProperty(SHA_KEY, sha256(data.duplicate()));
    header.add("__metadata__", meta);
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8; // spaces keep the data 8-byte aligned
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();

    AtomicFiles.write(file, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        while (head.hasRemaining()) {
          ch.write(head);
        }
        while (data.hasRemaining()) {
          ch.write(data);
        }
      }
    });
  }

  public static Contents read(Path file) throws IOException {
    String name = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(name, null, "no such model file");
    }
    byte[] all = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    if (all.length < 8) {
      throw bad(name, "is " + all.length + " bytes, too short for a safetensors header");
    }
    long n = buf.getLong();
    if (n <= 0 || n > MAX_HEADER || n > all.length - 8) {
      throw bad(name, "header length " + n + " does not fit a " + all.length + "-byte file "
          + "(truncated, or not a model file)");
    }
    JsonObject header;
    try {
      JsonElement parsed = JsonParser.parseString(
          new String(all, 8, (int) n, StandardCharsets.UTF_8).trim());
      header = parsed.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw bad(name, "header is not valid JSON (corrupt, or not a model file)");
    }
    int dataStart = 8 + (int) n;
    long dataBytes = all.length - dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, Entry> tensors = new LinkedHashMap<>();
    long covered = 0;
    try {
      for (Map.Entry<String, JsonElement> e : header.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          e.getValue().getAsJsonObject().entrySet()
              .forEach(m -> metadata.put(m.getKey(), m.getValue().getAsString()));
          continue;
        }
        JsonObject t = e.getValue().getAsJsonObject();
        String dtype = t.get("dtype").getAsString();
        if (!dtype.equals("F32")) {
          throw bad(name, "tensor '" + e.getKey() + "' has dtype " + dtype + "; only F32 is read");
        }
        long[] dims = longs(t.get("shape"));
        long[] off = longs(t.get("data_offsets"));
        long count = 1;
        int[] shape = new int[dims.length];
        for (int k = 0; k < dims.length; k++) {
          if (dims[k] < 0 || dims[k] > Integer.MAX_VALUE) {
            throw bad(name, "tensor '" + e.getKey() + "' has dimension " + dims[k]);
          }
          shape[k] = (int) dims[k];
          count = Math.multiplyExact(count, dims[k]); // overflow: caught below as malformed
        }
        // the byte range must lie in the data, so count is bounded by the file size before
        // anything is allocated
        if (off.length != 2 || off[0] < 0 || off[1] > dataBytes || off[0] > off[1]
            || count > dataBytes / 4 || off[1] - off[0] != 4 * count) {
          throw bad(name, "tensor '" + e.getKey() + "' has byte range "
              + Arrays.toString(off) + " that does not match its shape "
              + Arrays.toString(shape) + " within " + dataBytes + " data bytes (truncated?)");
        }
        float[] v = new float[(int) count];
        ByteBuffer slice = ByteBuffer.wrap(all, dataStart + (int) off[0], (int) (4 * count))
            .order(ByteOrder.LITTLE_ENDIAN);
        slice.asFloatBuffer().get(v);
        tensors.put(e.getKey(), new Entry(shape, v));
        covered += 4 * count;
      }
    } catch (IllegalStateException | NullPointerException | JsonParseException
        | ArithmeticException | UnsupportedOperationException | ClassCastException
        | NumberFormatException e) {
      throw bad(name, "header does not describe tensors the safetensors way ("
          + e.getClass().getSimpleName() + ")");
    }
    if (covered != dataBytes) {
      throw bad(name, "holds " + dataBytes + " data bytes but its tensors cover " + covered
          + " (truncated or padded file)");
    }
    String expected = metadata.get(SHA_KEY);
    if (expected != null) {
      String actual = sha256(ByteBuffer.wrap(all, dataStart, (int) dataBytes));
      if (!expected.equals(actual)) {
        throw bad(name, "data checksum mismatch (SHA-256 " + actual + ", header says "
            + expected + "): the file is corrupt");
      }
    }
    metadata.remove(SHA_KEY);
    return new Contents(tensors, metadata);
  }

  /** A JSON array of integers, strictly: no nulls, no fractions, no strings. */
  private static long[] longs(JsonElement e) {
    com.google.gson.JsonArray a = e.getAsJsonArray();
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement x = a.get(i);
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
        throw new IllegalStateException("not an integer: " + x);
      }
      java.math.BigDecimal v = x.getAsBigDecimal();
      out[i] = v.longValueExact(); // fractions and out-of-range values throw ArithmeticException
    }
    return out;
  }

  private static String sha256(ByteBuffer data) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data);
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static IOException bad(String file, String what) {
    return new ModelFileException(file + ": " + what);
  }

  /** A model file that cannot be read; the message names the file and the problem. */
  public static final class ModelFileException extends IOException {
    public ModelFileException(String message) {
      super(message);
    }
  }
}
