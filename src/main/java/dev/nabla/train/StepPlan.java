package dev.nabla.train;

import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;

/**
 * A graph planned for one batch shape: its input, label, prediction and loss nodes, host staging
 * for them, and, where the backend captures, the recorded training step.
 *
 * <p>On a host backend the staging is the nodes' own memory; on a device a batch assembled in
 * page-locked host memory is uploaded once ({@link #upload}), and predictions come back into it
 * for host metrics ({@link #predictions}).
 *
 * <p>Not thread-safe: a plan's buffers belong to one running step at a time.
 */
public final class StepPlan implements AutoCloseable {
  public final Graph graph;
  public final Node x, y, pred, loss;
  public final Tensor xHost, yHost, predHost;
  private Backend.CapturedStep captured;
  private int runs;
  private boolean eagerOnly;
  private static boolean captureFailureSaid;

  /** y and loss are null for a prediction plan. */
  public StepPlan(Graph graph, Node x, Node y, Node pred, Node loss) {
    this.graph = graph;
    this.x = x;
    this.y = y;
    this.pred = pred;
    this.loss = loss;
    dev.nabla.Device device = graph.backend().device();
    boolean host = device.isHost();
    // a device's staging is page-locked: batches go up (and predictions down) by DMA
    Tensor xs = null, ys = null;
    try {
      xs = host ? x.value() : Tensor.pinned(device, x.shape());
      ys = y == null ? null : host ? y.value() : Tensor.pinned(device, y.shape());
      this.predHost = host ? pred.value() : Tensor.pinned(device, pred.shape());
    } catch (RuntimeException e) {
      if (!host) {
        EpochRunner.closeAll(xs, ys);
      }
      throw e;
    }
    this.xHost = xs;
    this.yHost = ys;
  }

  /** Copies the staged batch to the graph's inputs (nothing on a host backend). */
  public void upload() {
    if (xHost != x.value()) {
      x.value().copyFrom(xHost);
      if (y != null) {
        y.value().copyFrom(yHost);
      }
    }
  }

  /** The last forward pass's predictions in host memory (downloaded from a device). */
  public Tensor predictions() {
    if (predHost != pred.value()) {
      predHost.copyFrom(pred.value());
    }
    return predHost;
  }

  /**
   * Runs one training step. The first run is eager (it allocates what the graph allocates
   * lazily and loads every kernel, which a capture must not see); the second is captured where
   * the backend can, and every later one replays the capture. Everything that changes between
   * steps is read by the kernels from memory (see {@link Backend.StepRun}), so a replay is the
   * step it stands for. A backend that cannot capture, or a failed capture (said once), runs
   * eagerly.
   */
  public void run(Runnable step) {
    if (runs++ == 0 || eagerOnly) {
      step.run();
      return;
    }
    if (captured == null) {
      try {
        captured = graph.backend().capture(step);
      } catch (RuntimeException e) {
        if (!captureFailureSaid) {
          captureFailureSaid = true;
          System.err.println("nabla: capturing the training step failed (" + e.getMessage()
              + "); running it step by step");
        }
      }
      if (captured == null) { // the capture ran nothing: this step still has to happen
        eagerOnly = true;
        step.run();
        return;
      }
    }
    captured.replay();
  }

  /** How many steps this plan ran (eager and replayed). */
  public int runs() {
    return runs;
  }

  /**
   * Forgets the capture (it refers to buffers of one fit); the next run is eager again (state
   * made between fits, such as new optimizer slots, is made outside any capture), then captured.
   */
  public void dropCapture() {
    if (captured != null) {
      captured.close();
      captured = null;
    }
    runs = 0;
    eagerOnly = false;
  }

  @Override
  public void close() {
    try {
      dropCapture();
    } finally {
      try {
        graph.close();
      } finally {
        if (xHost != x.value()) {
          EpochRunner.closeAll(xHost, predHost, yHost);
        }
      }
    }
  }
}
