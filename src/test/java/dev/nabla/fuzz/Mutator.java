package dev.nabla.fuzz;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic input mutations for the bounded mutation tests: generic byte-level edits (bit
 * flips, interesting values, truncation, insertion, deletion, duplication, splicing, length
 * fields set to huge values) and JSON-tree edits (values replaced by edge cases or by other parts
 * of the tree, keys removed, arrays grown, nesting bombs). Each edit appends to a description so
 * a finding can be explained and replayed.
 */
final class Mutator {
  private final SplittableRandom r;

  Mutator(SplittableRandom r) {
    this.r = r;
  }

  static final int[] INT32 = {0, 1, -1, 2, 3, 4, 7, 8, 16, 28, 127, 128, 255, 256, 784, 0x7fff,
      0x8000, 0xffff, 0x10000, 60000, 1_000_000, 0x3fffffff, 0x40000000, 0x7ffffff7, 0x7fffffff,
      0x80000000, 0xfffffffe};
  static final long[] INT64 = {0, 1, -1, 7, 8, 9, 15, 16, 64L << 20, (64L << 20) + 1, 0x7fffffffL,
      0x80000000L, 0xffffffffL, 0x100000000L, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};

  int nextInt(int bound) {
    return r.nextInt(bound);
  }

  boolean nextBoolean() {
    return r.nextBoolean();
  }

  boolean chance(double p) {
    return r.nextDouble() < p;
  }

  <T> T pick(List<T> xs) {
    return xs.get(r.nextInt(xs.size()));
  }

  int pickInt(int[] xs) {
    return xs[r.nextInt(xs.length)];
  }

  long pickLong(long[] xs) {
    return xs[r.nextInt(xs.length)];
  }

  // ---- bytes ---------------------------------------------------------------------------------

  /** 1 to 4 generic byte edits; {@code others} are splice partners. */
  byte[] bytes(byte[] in, List<byte[]> others, StringBuilder desc) {
    byte[] b = in;
    int edits = 1 + r.nextInt(4);
    for (int i = 0; i < edits; i++) {
      b = oneByteEdit(b, others, desc);
    }
    return b;
  }

  private byte[] oneByteEdit(byte[] b, List<byte[]> others, StringBuilder desc) {
    int len = b.length;
    switch (r.nextInt(12)) {
      case 0: { // flip a bit
        if (len == 0) {
          return b;
        }
        byte[] c = b.clone();
        int p = r.nextInt(len), bit = r.nextInt(8);
        c[p] ^= (byte) (1 << bit);
        desc.append(" flip@").append(p).append('.').append(bit);
        return c;
      }
      case 1: { // interesting byte
        if (len == 0) {
          return b;
        }
        byte[] c = b.clone();
        int p = r.nextInt(len);
        byte v = (byte) new int[] {0, 1, 0x7f, 0x80, 0xff, '[', '{', '"', '-', '9'}[r.nextInt(10)];
        c[p] = v;
        desc.append(" set@").append(p).append('=').append(v & 0xFF);
        return c;
      }
      case 2: { // random byte
        if (len == 0) {
          return b;
        }
        byte[] c = b.clone();
        int p = r.nextInt(len);
        c[p] = (byte) r.nextInt(256);
        desc.append(" rnd@").append(p);
        return c;
      }
      case 3: { // truncate
        int n = len == 0 ? 0 : r.nextInt(len);
        desc.append(" cut@").append(n);
        return java.util.Arrays.copyOf(b, n);
      }
      case 4: { // insert bytes
        int p = len == 0 ? 0 : r.nextInt(len + 1), n = 1 + r.nextInt(16);
        byte[] ins = new byte[n];
        for (int i = 0; i < n; i++) {
          ins[i] = (byte) (r.nextBoolean() ? r.nextInt(256) : 0);
        }
        desc.append(" ins@").append(p).append('+').append(n);
        return splice(b, p, p, ins);
      }
      case 5: { // delete a range
        if (len == 0) {
          return b;
        }
        int p = r.nextInt(len), n = 1 + r.nextInt(Math.min(32, len - p));
        desc.append(" del@").append(p).append('-').append(n);
        return splice(b, p, p + n, new byte[0]);
      }
      case 6: { // duplicate a range
        if (len == 0) {
          return b;
        }
        int p = r.nextInt(len), n = 1 + r.nextInt(Math.min(64, len - p));
        int at = r.nextInt(len + 1);
        desc.append(" dup@").append(p).append('-').append(n).append("->").append(at);
        return splice(b, at, at, java.util.Arrays.copyOfRange(b, p, p + n));
      }
      case 7: { // 32-bit value, either byte order
        if (len < 4) {
          return b;
        }
        byte[] c = b.clone();
        int p = r.nextInt(len - 3), v = pickInt(INT32);
        boolean big = r.nextBoolean();
        ByteBuffer.wrap(c).order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN).putInt(p, v);
        desc.append(" i32").append(big ? "be" : "le").append('@').append(p).append('=').append(v);
        return c;
      }
      case 8: { // 64-bit little-endian value (safetensors lengths)
        if (len < 8) {
          return b;
        }
        byte[] c = b.clone();
        int p = r.nextBoolean() ? 0 : r.nextInt(len - 7);
        long v = pickLong(INT64);
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(p, v);
        desc.append(" i64le@").append(p).append('=').append(v);
        return c;
      }
      case 9: { // append garbage
        int n = 1 + r.nextInt(64);
        byte[] g = new byte[n];
        for (int i = 0; i < n; i++) {
          g[i] = (byte) r.nextInt(256);
        }
        desc.append(" append+").append(n);
        return splice(b, len, len, g);
      }
      case 10: { // splice with another seed
        byte[] o = others.get(r.nextInt(others.size()));
        int p = len == 0 ? 0 : r.nextInt(len + 1);
        int q = o.length == 0 ? 0 : r.nextInt(o.length + 1);
        byte[] c = new byte[p + o.length - q];
        System.arraycopy(b, 0, c, 0, p);
        System.arraycopy(o, q, c, p, o.length - q);
        desc.append(" splice@").append(p).append('/').append(q);
        return c;
      }
      default: { // increment / decrement a decimal digit (keeps JSON valid, changes numbers)
        List<Integer> digits = new ArrayList<>();
        for (int i = 0; i < len; i++) {
          if (b[i] >= '0' && b[i] <= '9') {
            digits.add(i);
          }
        }
        if (digits.isEmpty()) {
          return b;
        }
        byte[] c = b.clone();
        int p = pick(digits);
        c[p] = (byte) ('0' + r.nextInt(10));
        desc.append(" digit@").append(p).append('=').append((char) c[p]);
        return c;
      }
    }
  }

  static byte[] splice(byte[] b, int from, int to, byte[] ins) {
    byte[] c = new byte[b.length - (to - from) + ins.length];
    System.arraycopy(b, 0, c, 0, from);
    System.arraycopy(ins, 0, c, from, ins.length);
    System.arraycopy(b, to, c, from + ins.length, b.length - to);
    return c;
  }

  // ---- JSON trees ----------------------------------------------------------------------------

  /** JSON values every tree edit may plant: edge-case numbers, strings, types, containers. */
  static final List<String> GENERIC_VALUES = List.of("0", "-1", "1", "2", "0.5", "-0.0", "1e308",
      "-1e308", "1e-320", "2147483647", "-2147483648", "2147483648", "4294967296",
      "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1073741824",
      "65536", "NaN", "Infinity", "-Infinity", "null", "true", "false", "\"\"", "\"x\"",
      "\"1\"", "\"-1\"", "\"NaN\"", "\"\\u0000\"", "\"\\ud800\"", "[]", "{}", "[null]", "[[]]",
      "[{}]", "[1,2,3]", "{\"class_name\":null}", "{\"config\":{}}");

  private static final Pattern BOMB = Pattern.compile("\"@@BOMB(\\d+)(\\w)@@\"");

  /**
   * 1 to 3 edits of a JSON tree (a deep copy is edited; the root is never replaced), with
   * {@code domain} values added to the generic ones. Returns the text, nesting bombs expanded.
   */
  String json(JsonElement root, List<String> domain, StringBuilder desc) {
    JsonElement t = root.deepCopy();
    int edits = 1 + r.nextInt(3);
    for (int i = 0; i < edits; i++) {
      editOnce(t, domain, desc);
    }
    return expandBombs(t.toString());
  }

  /** A parent and the key or index of one of its children. */
  private record Slot(JsonElement parent, String key, int index) {
    JsonElement get() {
      return key != null ? parent.getAsJsonObject().get(key) : parent.getAsJsonArray().get(index);
    }

    void set(JsonElement v) {
      if (key != null) {
        parent.getAsJsonObject().add(key, v);
      } else {
        parent.getAsJsonArray().set(index, v);
      }
    }

    void remove() {
      if (key != null) {
        parent.getAsJsonObject().remove(key);
      } else {
        parent.getAsJsonArray().remove(index);
      }
    }
  }

  private static void slots(JsonElement e, List<Slot> out) {
    if (e.isJsonObject()) {
      for (Map.Entry<String, JsonElement> c : e.getAsJsonObject().entrySet()) {
        out.add(new Slot(e, c.getKey(), -1));
        slots(c.getValue(), out);
      }
    } else if (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      for (int i = 0; i < a.size(); i++) {
        out.add(new Slot(e, null, i));
        slots(a.get(i), out);
      }
    }
  }

  private void editOnce(JsonElement root, List<String> domain, StringBuilder desc) {
    List<Slot> all = new ArrayList<>();
    slots(root, all);
    if (all.isEmpty()) {
      if (root.isJsonArray()) {
        root.getAsJsonArray().add(value(domain, desc));
      } else if (root.isJsonObject()) {
        root.getAsJsonObject().add("k", value(domain, desc));
      }
      return;
    }
    Slot s = pick(all);
    String where = s.key != null ? "." + s.key : "[" + s.index + "]";
    switch (r.nextInt(10)) {
      case 0, 1, 2, 3: {
        desc.append(" json").append(where).append(":=");
        s.set(value(domain, desc));
        return;
      }
      case 4: { // type confusion: another part of the same tree
        JsonElement other = pick(all).get().deepCopy();
        desc.append(" json").append(where).append(":=copy");
        s.set(other);
        return;
      }
      case 5: {
        desc.append(" json").append(where).append(" removed");
        s.remove();
        return;
      }
      case 6: { // perturb a number
        JsonElement v = s.get();
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
          double x = v.getAsDouble();
          double y = new double[] {x + 1, x - 1, -x, x * 65536, x * 1e9, 0}[r.nextInt(6)];
          desc.append(" json").append(where).append(":=").append(y);
          s.set(y == Math.rint(y) && Math.abs(y) < 9e15 ? new JsonPrimitive((long) y)
              : new JsonPrimitive(y));
        } else {
          desc.append(" json").append(where).append(":=");
          s.set(value(domain, desc));
        }
        return;
      }
      case 7: { // grow a container
        JsonElement v = s.get();
        if (v.isJsonArray()) {
          JsonArray a = v.getAsJsonArray();
          int n = a.size() == 0 || r.nextBoolean() ? 1 : 1 + r.nextInt(200);
          JsonElement item = a.size() > 0 ? a.get(r.nextInt(a.size())) : JsonParser.parseString("1");
          for (int i = 0; i < n; i++) {
            a.add(item.deepCopy());
          }
          desc.append(" json").append(where).append(" +").append(n).append(" items");
        } else if (v.isJsonObject()) {
          desc.append(" json").append(where).append(".extra:=");
          v.getAsJsonObject().add("extra_" + r.nextInt(3), value(domain, desc));
        } else {
          desc.append(" json").append(where).append(":=[it]");
          JsonArray a = new JsonArray();
          a.add(v.deepCopy());
          s.set(a);
        }
        return;
      }
      default: { // nesting bomb
        int depth = new int[] {254, 255, 256, 1000, 100_000}[r.nextInt(5)];
        char kind = r.nextBoolean() ? 'a' : 'o';
        desc.append(" json").append(where).append(":=bomb").append(depth).append(kind);
        s.set(new JsonPrimitive("@@BOMB" + depth + kind + "@@"));
      }
    }
  }

  /** A value from the generic or domain pool, parsed leniently (NaN and Infinity allowed). */
  JsonElement value(List<String> domain, StringBuilder desc) {
    String text = domain.isEmpty() || r.nextBoolean() ? pick(GENERIC_VALUES) : pick(domain);
    desc.append(text.length() > 40 ? text.substring(0, 40) + "..." : text);
    JsonElement v = JsonParser.parseString(text);
    return v.isJsonNull() ? JsonNull.INSTANCE : v;
  }

  static String expandBombs(String json) {
    Matcher m = BOMB.matcher(json);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int depth = Integer.parseInt(m.group(1));
      boolean array = m.group(2).equals("a");
      String open = array ? "[" : "{\"a\":";
      String close = array ? "]" : "}";
      m.appendReplacement(out, "");
      out.append(open.repeat(depth)).append(array ? "1" : "1").append(close.repeat(depth));
    }
    m.appendTail(out);
    return out.toString();
  }
}
