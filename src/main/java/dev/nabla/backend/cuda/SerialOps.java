package dev.nabla.backend.cuda;

import java.util.concurrent.locks.ReentrantLock;
import org.bytedeco.javacpp.Pointer;

/**
 * A device's ops with one lock around each call, so that any number of threads may use one
 * device: a device has one stream (and the emulator one table of blocks and one recording), so
 * each call is made whole before another thread's starts, and launches go onto the stream in
 * the order their calls took the lock. Callers that need several calls to be one unit (a
 * launch and the download of its result through shared scratch, a whole capture) hold
 * {@link #lock()} around them; the lock is reentrant.
 *
 * <p>Thread-safe. What it serialises is the queueing of launches, not the callers' host work:
 * threads staging batches, checking shapes or reading results run side by side.
 */
final class SerialOps implements DeviceOps {
  private final DeviceOps ops;
  private final ReentrantLock lock = new ReentrantLock();

  SerialOps(DeviceOps ops) {
    this.ops = ops;
  }

  /** The device's lock: held by each call here, and by callers around multi-call units. */
  ReentrantLock lock() {
    return lock;
  }

  /** Runs one call of the wrapped ops under the device's lock. */
  private <T> T locked(java.util.function.Supplier<T> call) {
    lock.lock();
    try {
      return call.get();
    } finally {
      lock.unlock();
    }
  }

  private void locked(Runnable call) {
    lock.lock();
    try {
      call.run();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String describe() {
    return ops.describe();
  }

  @Override
  public long malloc(long bytes) {
    return locked(() -> ops.malloc(bytes));
  }

  @Override
  public void free(long address) {
    locked(() -> ops.free(address));
  }

  @Override
  public long mallocHost(long bytes) {
    return locked(() -> ops.mallocHost(bytes));
  }

  @Override
  public void freeHost(long address) {
    locked(() -> ops.freeHost(address));
  }

  @Override
  public void upload(long dst, Pointer src, long bytes) {
    locked(() -> ops.upload(dst, src, bytes));
  }

  @Override
  public void download(Pointer dst, long src, long bytes) {
    locked(() -> ops.download(dst, src, bytes));
  }

  @Override
  public void zero(long dst, long bytes) {
    locked(() -> ops.zero(dst, bytes));
  }

  @Override
  public void synchronize() {
    locked(() -> ops.synchronize());
  }

  /**
   * Starts a capture and keeps the lock until {@link #endCapture}: no other thread's launch may
   * land in it.
   */
  @Override
  public void beginCapture() {
    lock.lock();
    boolean begun = false;
    try {
      ops.beginCapture();
      begun = true;
    } finally {
      if (!begun) {
        lock.unlock();
      }
    }
  }

  /** Ends the capture begun by this thread and releases the lock beginCapture kept. */
  @Override
  public Graph endCapture() {
    try {
      Graph g = ops.endCapture();
      return new Graph() {
        @Override
        public void run() {
          lock.lock();
          try {
            g.run();
          } finally {
            lock.unlock();
          }
        }

        @Override
        public void close() {
          lock.lock();
          try {
            g.close();
          } finally {
            lock.unlock();
          }
        }
      };
    } finally {
      lock.unlock();
    }
  }

  // ---- kernels -------------------------------------------------------------------------------

  @Override
  public void gemm(boolean transA, boolean transB, long m, long n, long k, float alpha, long a,
      long b, float beta, long c, Epilogue epilogue, long workspace, long workspaceFloats,
      int precision) {
    lock.lock();
    try {
      ops.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, epilogue, workspace,
          workspaceFloats, precision);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void biasActForward(long x, long bias, long z, long y, long rows, long cols, int act,
      float alpha) {
    locked(() -> ops.biasActForward(x, bias, z, y, rows, cols, act, alpha));
  }

  @Override
  public void actBackward(long z, long y, long dy, long dz, long rows, long cols, int act,
      float alpha) {
    locked(() -> ops.actBackward(z, y, dy, dz, rows, cols, act, alpha));
  }

  @Override
  public void biasGrad(long dz, long db, long rows, long cols) {
    locked(() -> ops.biasGrad(dz, db, rows, cols));
  }

  @Override
  public void softmaxXent(long pred, long labels, long rowLoss, long grad, long rows, long cols,
      boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale, long lossSum,
      long correctSum) {
    lock.lock();
    try {
      ops.softmaxXent(pred, labels, rowLoss, grad, rows, cols, sparse, fromLogits,
          labelSmoothing, gradScale, lossSum, correctSum);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void dropout(long x, long y, long n, long seed, long step, long stepDev, int stream,
      int threshold, float scale) {
    locked(() -> ops.dropout(x, y, n, seed, step, stepDev, stream, threshold, scale));
  }

  @Override
  public long shuffleScratchBytes(long n) {
    return locked(() -> ops.shuffleScratchBytes(n));
  }

  @Override
  public void shuffleOrder(long n, long seed, long epoch, long keys, long sorted, long order,
      long temp, long tempBytes) {
    locked(() -> ops.shuffleOrder(n, seed, epoch, keys, sorted, order, temp, tempBytes));
  }

  @Override
  public void gatherRows(long src, long width, long order, long batchDev, long base, long stride,
      long rows, long dst) {
    locked(() -> ops.gatherRows(src, width, order, batchDev, base, stride, rows, dst));
  }

  @Override
  public void advance(long batch, long step) {
    locked(() -> ops.advance(batch, step));
  }

  @Override
  public void optimizerStepTable(int rule, long hpTable, long hpRow, long w, long g, long s0,
      long s1, long s2, long[] segEnd, float[] gscale, long gscaleDev, float[] wd,
      float clipValue, long lambScratch) {
    lock.lock();
    try {
      ops.optimizerStepTable(rule, hpTable, hpRow, w, g, s0, s1, s2, segEnd, gscale, gscaleDev,
          wd, clipValue, lambScratch);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void segmentSumSquares(long x, long[] segEnd, long out) {
    locked(() -> ops.segmentSumSquares(x, segEnd, out));
  }

  @Override
  public void clipScales(long sums, int nseg, float pre, float clipnorm, float globalClipnorm,
      long gscale) {
    locked(() -> ops.clipScales(sums, nseg, pre, clipnorm, globalClipnorm, gscale));
  }

  // ---- the graph's light ops -------------------------------------------------------------------

  @Override
  public void copy(long dst, long src, long bytes) {
    locked(() -> ops.copy(dst, src, bytes));
  }

  @Override
  public void axpy(long y, long x, float a, long n) {
    locked(() -> ops.axpy(y, x, a, n));
  }

  @Override
  public void emaUpdate(long avg, long w, float momentum, long n) {
    locked(() -> ops.emaUpdate(avg, w, momentum, n));
  }

  @Override
  public void fill(long y, float value, long n) {
    locked(() -> ops.fill(y, value, n));
  }

  @Override
  public void unary(int kind, long x, long y, long n, float c) {
    locked(() -> ops.unary(kind, x, y, n, c));
  }

  @Override
  public void unaryBackward(int kind, long x, long g, long out, long n, float c) {
    locked(() -> ops.unaryBackward(kind, x, g, out, n, c));
  }

  @Override
  public void binary(int kind, long a, long na, long b, long nb, long y, long n) {
    locked(() -> ops.binary(kind, a, na, b, nb, y, n));
  }

  @Override
  public void binaryGrad(long g, long other, long otherSize, long out, long m, long n,
      float sign) {
    locked(() -> ops.binaryGrad(g, other, otherSize, out, m, n, sign));
  }

  @Override
  public void reduceRows(long x, long w, long y, long rows, long group, double divisor) {
    locked(() -> ops.reduceRows(x, w, y, rows, group, divisor));
  }

  @Override
  public void scaleRows(long g, long m, long out, long rows, long group, float divisor) {
    locked(() -> ops.scaleRows(g, m, out, rows, group, divisor));
  }

  @Override
  public void pointwiseLoss(int kind, double labelSmoothing, long y, long p, long loss, long rows,
      long group) {
    locked(() -> ops.pointwiseLoss(kind, labelSmoothing, y, p, loss, rows, group));
  }

  @Override
  public void pointwiseLossBackward(int kind, double labelSmoothing, long y, long p, long g,
      long out, long rows, long group) {
    locked(() -> ops.pointwiseLossBackward(kind, labelSmoothing, y, p, g, out, rows, group));
  }

  @Override
  public void close() {
    locked(() -> ops.close());
  }
}
