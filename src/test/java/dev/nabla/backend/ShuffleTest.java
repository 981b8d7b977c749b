package dev.nabla.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.jni.NablaCpu;
import java.util.Arrays;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The epoch order: Java's keys equal the shared C definition's, and the order is a permutation. */
class ShuffleTest {
  @BeforeAll
  static void load() {
    assertEquals("", Backends.probeCpu());
  }

  @Test
  void javaKeysEqualTheNativeDefinition() {
    for (long[] se : new long[][] {{0, 0}, {99, 3}, {-7L, 1L << 35}}) {
      int n = 1003;
      try (LongPointer keys = new LongPointer(n)) {
        NablaCpu.nabla_shuffle_keys(se[0], se[1], n, keys);
        for (int i = 0; i < n; i++) {
          assertEquals(keys.get(i), Shuffle.key(se[0], se[1], i), "key " + i);
        }
      }
    }
  }

  @Test
  void orderIsASeededPermutationSortedByUnsignedKey() {
    int n = 60_000;
    int[] a = new int[n], b = new int[n], c = new int[n];
    Shuffle.order(5, 0, a);
    Shuffle.order(5, 0, b);
    Shuffle.order(5, 1, c);
    assertArrayEquals(a, b, "a function of (seed, epoch)");
    assertFalse(Arrays.equals(a, c), "another epoch, another order");
    boolean[] seen = new boolean[n];
    for (int i = 0; i < n; i++) {
      assertFalse(seen[a[i]], "index " + a[i] + " twice");
      seen[a[i]] = true;
      if (i > 0) {
        assertTrue(Long.compareUnsigned(Shuffle.key(5, 0, a[i - 1]), Shuffle.key(5, 0, a[i])) < 0,
            "keys ascend at " + i);
      }
    }
    int fixed = 0;
    for (int i = 0; i < n; i++) {
      fixed += a[i] == i ? 1 : 0;
    }
    assertTrue(fixed < 10, "a shuffle, not the identity: " + fixed + " fixed points");
  }
}
