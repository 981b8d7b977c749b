package dev.nabla.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs the parts of one job on the calling thread and {@code threads - 1} helper threads. Parts
 * are claimed, not assigned: whichever thread is free takes the next one, so a helper that the
 * OS has descheduled (another process on a shared 2-core machine) never stalls the job; at worst
 * the caller runs every part itself. Helpers spin briefly after a job (the next one usually comes
 * within microseconds in a training step) and then park, so an idle model burns no CPU.
 *
 * <p>Thread-safe: one job at a time runs on the helpers; a caller that finds them busy with
 * another thread's job runs its own parts itself, in the same parts (so its result is the same
 * bits), instead of waiting.
 */
final class Parallel {
  private static final long SPIN_NANOS = 200_000;

  private final Thread[] helpers;
  private volatile IntConsumer job;
  private volatile int count;
  private volatile int generation;
  private volatile Throwable failure;
  private volatile boolean closed;
  private final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicBoolean busy =
      new java.util.concurrent.atomic.AtomicBoolean();

  Parallel(int threads) {
    helpers = new Thread[Math.max(0, threads - 1)];
    for (int i = 0; i < helpers.length; i++) {
      Thread t = new Thread(this::helperLoop, "nabla-cpu-" + (i + 1));
      t.setDaemon(true); // parked when idle; never keeps the JVM alive
      helpers[i] = t;
      t.start();
    }
  }

  int threads() {
    return helpers.length + 1;
  }

  /** Calls job.accept(p) for p in [0, parts), in parallel; returns when all have run. */
  void forEach(int parts, IntConsumer work) {
    if (parts <= 1 || helpers.length == 0 || !busy.compareAndSet(false, true)) {
      for (int p = 0; p < parts; p++) {
        work.accept(p);
      }
      return;
    }
    try {
      runOnHelpers(parts, work);
    } finally {
      busy.set(false);
    }
  }

  private void runOnHelpers(int parts, IntConsumer work) {
    // publish in this order: a helper that claims a part (through next) sees job and count
    job = work;
    count = parts;
    failure = null;
    done.set(0);
    next.set(0);
    generation++;
    for (Thread t : helpers) {
      LockSupport.unpark(t);
    }
    claim();
    while (done.get() < parts) {
      Thread.onSpinWait();
    }
    job = null;
    Throwable f = failure;
    if (f != null) {
      if (f instanceof RuntimeException) {
        throw (RuntimeException) f;
      }
      if (f instanceof Error) {
        throw (Error) f;
      }
      throw new IllegalStateException(f);
    }
  }

  private void claim() {
    int p;
    while ((p = next.getAndIncrement()) < count) {
      try {
        job.accept(p);
      } catch (Throwable t) {
        failure = t;
      } finally {
        done.incrementAndGet();
      }
    }
  }

  /** Lets the helper threads finish (they exit at their next wake-up). */
  void close() {
    closed = true;
    for (Thread t : helpers) {
      LockSupport.unpark(t);
    }
  }

  private void helperLoop() {
    int seen = generation;
    long idleSince = System.nanoTime();
    while (!closed) {
      int g = generation;
      if (g != seen) {
        seen = g;
        if (job != null) {
          claim();
        }
        idleSince = System.nanoTime();
      } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
        idleSince = System.nanoTime();
      }
    }
  }
}
