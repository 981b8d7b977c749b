package dev.nabla.backend;

/**
 * How a flat parameter buffer splits into variables for a fused optimizer step: segment s ends at
 * {@code ends[s]} (exclusive). Per segment, the optimizer sets the gradient scale (loss scale,
 * accumulation average, clip-norm factor) and the weight-decay rate before each step.
 * Backends may cache native copies in {@link #nativeCache}.
 *
 * <p>Not thread-safe: one optimizer's table, changed and read by the thread that steps it.
 */
public final class Segments {
  private final long[] ends;
  public final float[] gscale;
  public final float[] wd;
  /** Owned by the backend that uses this (e.g. native mirrors of the arrays). */
  public Object nativeCache;

  public Segments(long[] ends) {
    this.ends = ends.clone();
    for (int i = 0; i < ends.length; i++) {
      if (ends[i] < (i == 0 ? 0 : ends[i - 1])) {
        throw new IllegalArgumentException("segment ends must not decrease");
      }
    }
    this.gscale = new float[ends.length];
    this.wd = new float[ends.length];
    java.util.Arrays.fill(gscale, 1f);
  }

  public int count() {
    return ends.length;
  }

  public long end(int s) {
    return ends[s];
  }

  public long begin(int s) {
    return s == 0 ? 0 : ends[s - 1];
  }

  public long total() {
    return ends.length == 0 ? 0 : ends[ends.length - 1];
  }

  public long[] ends() {
    return ends.clone();
  }
}
