package dev.nabla.backend;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
 * counter-based generator behind dropout masks. Bit-identical to native/cpu/dropout.cpp.
 *
 * <p>Thread-safe: pure functions.
 */
public final class Philox {
  private Philox() {}

  /** Runs the 10 rounds on counter (c0..c3) with key (k0, k1); writes 4 words to out. */
  public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
    for (int round = 0; round < 10; round++) {
      long p0 = 0xD2511F53L * (c0 & 0xFFFFFFFFL);
      long p1 = 0xCD9E8D57L * (c2 & 0xFFFFFFFFL);
      int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
      int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
      int n0 = hi1 ^ c1 ^ k0;
      int n2 = hi0 ^ c3 ^ k1;
      c0 = n0;
      c1 = lo1;
      c2 = n2;
      c3 = lo0;
      k0 += 0x9E3779B9;
      k1 += 0xBB67AE85;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
  }

  /** The keep threshold for a drop rate: element kept iff (bits >>> 8) >= threshold. */
  public static int threshold(double rate) {
    return (int) Math.round(rate * (1 << 24));
  }
}
