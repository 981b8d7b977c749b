package dev.nabla.backend;

import java.util.Arrays;

/**
 * The epoch order fit visits samples in: the argsort of per-sample Philox keys, a pure function
 * of (seed, epoch). The device sorts the same keys (nabla_shuffle_key in native/include/nabla/
 * philox.h, CUB's radix sort), so CPU and GPU runs see the same batches, and a resumed run
 * shuffles as it would have.
 *
 * <p>Thread-safe: pure functions.
 */
public final class Shuffle {
  /** The Philox stream id of the shuffle, "Shuf" (NABLA_PHILOX_SHUFFLE_STREAM). */
  public static final int STREAM = 0x53687566;

  private Shuffle() {}

  /**
   * Key of sample i: (philox(counter = (i / 4, epoch lo, epoch hi, STREAM), key = seed)[i % 4]
   * &lt;&lt; 32) | i, compared unsigned.
   */
  public static long key(long seed, long epoch, int i) {
    int[] bits = new int[4];
    Philox.block(i >>> 2, (int) epoch, (int) (epoch >>> 32), STREAM, (int) seed,
        (int) (seed >>> 32), bits);
    return ((bits[i & 3] & 0xFFFFFFFFL) << 32) | (i & 0xFFFFFFFFL);
  }

  /** Fills order (length n) with the visiting order of epoch {@code epoch}. */
  public static void order(long seed, long epoch, int[] order) {
    int n = order.length;
    long[] keys = new long[n];
    int[] bits = new int[4];
    for (int i = 0; i < n; i++) {
      if ((i & 3) == 0) {
        Philox.block(i >>> 2, (int) epoch, (int) (epoch >>> 32), STREAM, (int) seed,
            (int) (seed >>> 32), bits);
      }
      // flipping the sign bit makes Java's signed sort order the keys as unsigned
      keys[i] = (((bits[i & 3] & 0xFFFFFFFFL) << 32) | i) ^ Long.MIN_VALUE;
    }
    Arrays.sort(keys);
    for (int i = 0; i < n; i++) {
      order[i] = (int) (keys[i] ^ Long.MIN_VALUE);
    }
  }
}
