package dev.nabla.fuzz;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Format-aware input generators for the bounded mutation tests (IDX, safetensors, model files). */
final class Generators {
  private Generators() {}

  // ---- IDX -----------------------------------------------------------------------------------

  private static final int[] IDX_TYPES = {0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E};

  /** The decoded (raw) IDX bytes of every seed that decodes. */
  static List<byte[]> rawIdx(List<byte[]> seeds) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] s : seeds) {
      try {
        out.add(FuzzIo.isGzip(s) ? FuzzIo.gunzip(s) : s);
      } catch (UncheckedIOException truncatedSeed) {
        // a deliberately damaged gzip seed: used for byte mutations only
      }
    }
    return out;
  }

  /** An IDX input: a byte-mutated seed, a fresh header with matching or mismatched data, or a damaged gzip stream. */
  static MutationLoop.Case idx(Mutator m, List<byte[]> seeds, List<byte[]> raws) {
    StringBuilder d = new StringBuilder();
    int kind = m.nextInt(10);
    if (kind < 4) {
      d.append("seed bytes:");
      return new MutationLoop.Case(d.toString(), m.bytes(m.pick(seeds), seeds, d));
    }
    byte[] raw;
    if (kind < 7) {
      raw = idxHeaderAndData(m, d);
    } else {
      d.append("raw seed bytes:");
      raw = m.bytes(m.pick(raws), raws, d);
    }
    if (!m.chance(0.5)) {
      return new MutationLoop.Case(d.toString(), raw);
    }
    byte[] gz = FuzzIo.gzip(raw);
    d.append(" | gzip");
    if (m.chance(0.5)) {
      int n = gz.length;
      switch (m.nextInt(5)) {
        case 0 -> { // CRC or ISIZE wrong
          gz[n - 1 - m.nextInt(8)] ^= (byte) (1 + m.nextInt(255));
          d.append(" trailer-corrupt");
        }
        case 1 -> { // cut inside the deflate stream or the header
          gz = Arrays.copyOf(gz, m.nextInt(n));
          d.append(" cut@").append(gz.length);
        }
        case 2 -> { // a second member, whole or damaged
          byte[] second = FuzzIo.gzip(m.pick(raws));
          if (m.chance(0.5)) {
            second = Arrays.copyOf(second, m.nextInt(second.length + 1));
          }
          gz = Mutator.splice(gz, n, n, second);
          d.append(" +member(").append(second.length).append(')');
        }
        case 3 -> { // header flags (FEXTRA, FNAME, FCOMMENT, FHCRC, reserved) or method
          gz[m.chance(0.5) ? 3 : 2] = (byte) m.nextInt(256);
          d.append(" header-flags");
        }
        default -> {
          d.append(" gz bytes:");
          gz = m.bytes(gz, List.of(gz), d);
        }
      }
    }
    return new MutationLoop.Case(d.toString(), gz);
  }

  private static byte[] idxHeaderAndData(Mutator m, StringBuilder d) {
    int type = m.chance(0.85) ? IDX_TYPES[m.nextInt(IDX_TYPES.length)] : m.nextInt(256);
    int dims = m.chance(0.85) ? 1 + m.nextInt(4) : new int[] {0, 8, 9, 255}[m.nextInt(4)];
    int[] sizes = new int[Math.min(dims, 12)];
    long product = 1;
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = m.chance(0.75) ? m.nextInt(6) : m.pickInt(Mutator.INT32);
      product *= Math.max(0, sizes[i]);
      product = Math.min(product, 1L << 40);
    }
    int bytesPer = switch (type) {
      case 0x0B -> 2;
      case 0x0C, 0x0D -> 4;
      case 0x0E -> 8;
      default -> 1;
    };
    long want = product * bytesPer;
    int len = want <= 1 << 16 ? (int) want : m.nextInt(65);
    if (m.chance(0.3)) {
      len = Math.max(0, len + (m.nextBoolean() ? 1 : -1) * (1 + m.nextInt(8)));
    }
    d.append(String.format("idx type 0x%02X dims %d sizes %s data %d bytes", type, dims,
        Arrays.toString(sizes), len));
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + len).order(ByteOrder.BIG_ENDIAN);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims);
    for (int s : sizes) {
      b.putInt(s);
    }
    while (b.hasRemaining()) {
      b.put((byte) m.nextInt(256));
    }
    return b.array();
  }

  // ---- safetensors ---------------------------------------------------------------------------

  /** Shapes whose element counts overflow an int, or 4 bytes per element a long, or are invalid. */
  static final List<String> SHAPES = List.of("[]", "[0]", "[1]", "[3]", "[4,3]", "[15]", "[-1]",
      "[2147483647]", "[2147483648]", "[1073741824,4]", "[65536,65536]", "[1073741824,1073741824,4]",
      "[2147483647,3,715827883]", "[1073741824,1073741824,2]", "[4611686018427387905]", "[1,-1]",
      "[1.5]", "[\"3\"]", "[null]", "[[1]]", "null", "3", "{}");
  static final List<String> OFFSETS = List.of("[0,0]", "[0,4]", "[4,0]", "[0,48]", "[48,60]",
      "[60,120]", "[-4,0]", "[0,-4]", "[0,9223372036854775807]", "[9223372036854775807,0]",
      "[-9223372036854775808,0]", "[0]", "[0,4,8]", "[]", "null", "[0,1e30]", "[0.5,4.5]",
      "[\"0\",\"4\"]", "{}");
  static final List<String> DTYPES = List.of("\"F32\"", "\"F16\"", "\"f32\"", "\"I64\"", "\"BF16\"",
      "5", "null", "[\"F32\"]");
  private static final List<String> SAFETENSORS_DOMAIN = concat(SHAPES, OFFSETS, DTYPES,
      List.of("\"nabla.sha256\"", "\"1\"", "{\"nabla.format\":\"1\"}"));

  static List<FuzzIo.SafeTensorsFile> parseAll(List<byte[]> seeds) {
    List<FuzzIo.SafeTensorsFile> out = new ArrayList<>();
    for (byte[] s : seeds) {
      try {
        out.add(FuzzIo.SafeTensorsFile.parse(s));
      } catch (RuntimeException damagedSeed) {
        // a deliberately damaged seed: used for byte mutations only
      }
    }
    return out;
  }

  /** A safetensors input: byte-mutated seed, header length rewritten, or header/data edited structurally. */
  static MutationLoop.Case safeTensors(Mutator m, List<byte[]> seeds,
      List<FuzzIo.SafeTensorsFile> parsed) {
    StringBuilder d = new StringBuilder();
    int kind = m.nextInt(10);
    if (kind < 3) {
      d.append("seed bytes:");
      return new MutationLoop.Case(d.toString(), m.bytes(m.pick(seeds), seeds, d));
    }
    if (kind < 4) {
      byte[] b = m.pick(seeds).clone();
      if (b.length >= 8) {
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long v = m.chance(0.5) ? m.pickLong(Mutator.INT64) : n + m.nextInt(17) - 8;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
        d.append("header length := ").append(v);
      }
      return new MutationLoop.Case(d.toString(), b);
    }
    d.append("structured:");
    byte[] b = structuredSafeTensors(m, m.pick(parsed), d);
    return new MutationLoop.Case(d.toString(), b);
  }

  /** Tensor entries and metadata edited as JSON, data resized sometimes, checksum usually fixed up. */
  static byte[] structuredSafeTensors(Mutator m, FuzzIo.SafeTensorsFile base, StringBuilder d) {
    FuzzIo.SafeTensorsFile f = base.copy();
    JsonObject h = f.header();
    List<String> tensors = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : h.entrySet()) {
      if (!e.getKey().equals("__metadata__")) {
        tensors.add(e.getKey());
      }
    }
    byte[] data = f.data();
    if (!tensors.isEmpty() && m.chance(0.6)) {
      String t = m.pick(tensors);
      JsonElement entry = h.get(t);
      if (entry.isJsonObject()) {
        JsonObject o = entry.getAsJsonObject();
        if (m.chance(0.6)) {
          String s = m.pick(SHAPES);
          o.add("shape", JsonParser.parseString(s));
          d.append(" ").append(t).append(".shape:=").append(s);
        }
        if (m.chance(0.6)) {
          String s = m.pick(OFFSETS);
          o.add("data_offsets", JsonParser.parseString(s));
          d.append(" ").append(t).append(".data_offsets:=").append(s);
        }
        if (m.chance(0.15)) {
          String s = m.pick(DTYPES);
          o.add("dtype", JsonParser.parseString(s));
          d.append(" ").append(t).append(".dtype:=").append(s);
        }
      }
    }
    String headerText;
    if (m.chance(0.5)) {
      headerText = m.json(h, SAFETENSORS_DOMAIN, d);
    } else {
      headerText = h.toString();
    }
    if (m.chance(0.1)) { // many tensors
      int n = 1 + m.nextInt(5000);
      StringBuilder many = new StringBuilder(headerText.substring(0, headerText.length() - 1));
      for (int i = 0; i < n; i++) {
        many.append(",\"z").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
      }
      headerText = many.append('}').toString();
      d.append(" +").append(n).append(" empty tensors");
    }
    if (m.chance(0.2)) {
      int n = Math.max(0, data.length + m.nextInt(17) - 8);
      data = Arrays.copyOf(data, n);
      d.append(" data resized to ").append(n);
    }
    if (m.chance(0.7)) { // keep the checksum right so the checks after it are reached
      headerText = headerText.replaceAll("\"nabla\\.sha256\":\"[0-9a-f]*\"",
          "\"nabla.sha256\":\"" + FuzzIo.sha256(data) + "\"");
    }
    return FuzzIo.encodeSafeTensors(headerText, data);
  }

  // ---- model files ---------------------------------------------------------------------------

  /** Values that mean something in a model description (class names, shapes, counts). */
  static final List<String> MODEL_DOMAIN = List.of("\"Dense\"", "\"Flatten\"", "\"Dropout\"",
      "\"Activation\"", "\"Conv2D\"", "\"Sequential\"", "\"relu\"", "\"softmax\"", "\"linear\"",
      "\"none\"", "\"leaky_relu\"", "\"he_normal\"", "\"glorot_uniform\"", "\"ones\"",
      "\"adam\"", "\"sgd\"", "\"nadam\"", "\"ftrl\"", "\"lamb\"", "\"adamw\"", "\"lion\"",
      "\"adadelta\"", "\"rmsprop\"", "\"exponential_decay\"", "\"ExponentialDecay\"",
      "\"piecewise_constant_decay\"", "\"cosine_decay_restarts\"", "\"polynomial_decay\"",
      "\"mse\"", "\"sparse_categorical_crossentropy\"", "\"binary_crossentropy\"",
      "\"accuracy\"", "\"mae\"", "\"auc\"", "\"0\"", "\"-1\"", "\"9223372036854775807\"",
      "\"99999999999999999999\"", "\"1e3\"", "[2,2]", "[4]", "[]", "[0]", "[-1]", "[65536,65536]",
      "[2147483647]", "[1,1,1,1,1,1,1,1,1,1]", "[\"accuracy\",\"mse\"]", "[1]",
      "{\"class_name\":\"Dense\",\"config\":{\"units\":3}}", "{\"class_name\":\"Flatten\",\"config\":{}}",
      "{\"class_name\":\"Dropout\",\"config\":{\"rate\":1}}",
      "{\"class_name\":\"exponential_decay\",\"config\":{\"initial_learning_rate\":0.1,\"decay_steps\":0,\"decay_rate\":0.5}}",
      "{\"class_name\":\"piecewise_constant_decay\",\"config\":{\"boundaries\":[],\"values\":[1]}}",
      "{\"class_name\":\"cosine_decay\",\"config\":{\"initial_learning_rate\":0.1,\"decay_steps\":10,\"warmup_target\":1,\"warmup_steps\":-5}}",
      "{\"use_ema\":true,\"ema_overwrite_frequency\":1}", "{\"gradient_accumulation_steps\":2}");

  /** A model-file input: byte-mutated seed, model description edited as JSON or as text, or tensors edited. */
  static MutationLoop.Case model(Mutator m, List<byte[]> seeds, List<FuzzIo.SafeTensorsFile> parsed) {
    StringBuilder d = new StringBuilder();
    int kind = m.nextInt(20);
    if (kind < 4) {
      d.append("seed bytes:");
      return new MutationLoop.Case(d.toString(), m.bytes(m.pick(seeds), seeds, d));
    }
    FuzzIo.SafeTensorsFile base = m.pick(parsed);
    if (kind < 15) {
      d.append("model json:");
      String json = m.json(JsonParser.parseString(base.modelJson()), MODEL_DOMAIN, d);
      return new MutationLoop.Case(d.toString(), base.withModelJson(json).encode());
    }
    if (kind < 17) {
      d.append("model text:");
      byte[] original = base.modelJson().getBytes(StandardCharsets.UTF_8);
      byte[] text = m.bytes(original, List.of(original), d);
      return new MutationLoop.Case(d.toString(),
          base.withModelJson(new String(text, StandardCharsets.UTF_8)).encode());
    }
    d.append("tensors:");
    byte[] b = structuredSafeTensors(m, base, d);
    return new MutationLoop.Case(d.toString(), b);
  }

  @SafeVarargs
  static List<String> concat(List<String>... lists) {
    List<String> out = new ArrayList<>();
    for (List<String> l : lists) {
      out.addAll(l);
    }
    return List.copyOf(out);
  }
}
