package dev.nabla.train;

import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Shuffle;
import dev.nabla.metrics.Mean;
import dev.nabla.metrics.MeanMetric;
import dev.nabla.metrics.Metric;
import java.util.List;

/**
 * The batches of fit's epochs: each batch one training step of the model's planned graph, on
 * whatever backend the model runs on. One step code for every backend:
 *
 * <ul>
 *   <li>On a host backend (Java, CPU) the batch is gathered into the plan's inputs in the
 *       epoch's order, and the loss and metrics are read after each step.
 *   <li>On a device backend ({@link Backend#runsStepsOnDevice}) with a step that can run from
 *       tables (the optimizer {@link dev.nabla.optimizers.Optimizer#capturable}, a fused
 *       cross-entropy loss, argmax accuracy metrics), the training set is uploaded once, each
 *       epoch is a step run ({@link Backend.StepRun}: order, hyperparameter rows, step
 *       counters in device memory, one run for the fit), each step gathers its batch on the device, and the loss and
 *       hits are summed there and read only when progress is reported. The step is captured
 *       once per batch shape and replayed ({@link StepPlan#run}): no host synchronisation per
 *       step.
 *   <li>Otherwise (a device with host metrics, use_ema, gradient accumulation, norm clipping,
 *       losses other than the cross-entropies) the host stages each batch, uploads it, and
 *       reads the loss and predictions after each step: every feature, at host speed.
 * </ul>
 *
 * <p>Not thread-safe: one fit at a time per model, on one thread. Each step's weight update runs
 * through {@link Trainable#exclusively}, so predictions on other threads see the weights from
 * between two steps; evaluations (fit's validation included) check out inference plans of their
 * own ({@link Trainable#checkout}).
 */
public final class EpochRunner implements AutoCloseable {
  /** Called after a step when the progress wants figures: steps done, samples seen. */
  public interface BatchListener {
    void batchEnd(int step, int samples);
  }

  private final Trainable model;
  private final Backend backend;
  private final Tensor trainX, trainY; // host tensors
  private final int nTrain, batchSize, steps, widthX, widthY;
  private final boolean shuffle;
  private final int[] order;
  private final Mean lossTracker;
  private final List<Metric> metrics;
  private boolean onDevice;
  private Tensor deviceX, deviceY; // the training set in the device's memory (device runs)
  private Backend.StepRun run; // its order, hyperparameter table, counters and tallies
  private Tensor validationX, validationY, validationSource; // fit's validation set, on device
  private Backend.StepRun validationRun;
  private boolean validationStaged; // no room for it on the device in this fit
  private static boolean fallbackSaid;

  /**
   * @param argmaxMetricsOnly whether every metric is an argmax accuracy (what a device step run
   *     can tally)
   * @param fusedLoss whether the loss is a softmax cross-entropy the graph computes in one kernel
   *     (what a device step run can sum)
   */
  public EpochRunner(Trainable model, Tensor trainX, Tensor trainY, int nTrain, int batchSize,
      boolean shuffle, Mean lossTracker, List<Metric> metrics, boolean argmaxMetricsOnly,
      boolean fusedLoss) {
    this.model = model;
    this.backend = model.backend();
    this.trainX = trainX;
    this.trainY = trainY;
    this.nTrain = nTrain;
    this.batchSize = batchSize;
    this.steps = (nTrain + batchSize - 1) / batchSize;
    this.widthX = Math.toIntExact(trainX.size() / trainX.dim(0));
    this.widthY = Math.toIntExact(trainY.size() / trainY.dim(0));
    this.shuffle = shuffle;
    this.order = new int[nTrain];
    this.lossTracker = lossTracker;
    this.metrics = metrics;
    this.onDevice = backend.runsStepsOnDevice() && model.optimizer().capturable()
        && argmaxMetricsOnly && fusedLoss;
  }

  /** Steps per epoch. */
  public int steps() {
    return steps;
  }

  /** Whether the epochs run as device step runs (captured, tallied on the device). */
  public boolean onDevice() {
    return onDevice;
  }

  /**
   * One epoch: visits the samples in the order of (seed, epoch) (or in order), one step per
   * batch, ending early after the batch at which {@link Trainable#stopTrainingRequested} turns
   * true (Keras's stop_training); afterwards the loss tracker and metrics hold the figures of
   * the batches run. Every {@code reportEvery} steps (0: never; the last step and the step a
   * stop ends always) the tracker and metrics are brought up to date and {@code listener} is
   * called.
   */
  public void epoch(int epoch, int reportEvery, BatchListener listener) {
    if (shuffle) { // a function of (seed, epoch): a resumed run shuffles as it would have
      Shuffle.order(model.seed(), epoch, order);
    } else {
      for (int i = 0; i < nTrain; i++) {
        order[i] = i;
      }
    }
    lossTracker.reset();
    metrics.forEach(Metric::reset);
    // the planned graphs for full batches and for the last partial one, looked up once
    StepPlan full = model.plan(true, Math.min(batchSize, nTrain), trainY);
    StepPlan last = model.plan(true, nTrain - (steps - 1) * batchSize, trainY);
    if (onDevice) {
      deviceEpoch(full, last, reportEvery, listener);
    } else {
      hostEpoch(full, last, reportEvery, listener);
    }
  }

  private void hostEpoch(StepPlan full, StepPlan last, int reportEvery, BatchListener listener) {
    full.graph.setPredictionsNeeded(!metrics.isEmpty());
    last.graph.setPredictionsNeeded(!metrics.isEmpty());
    for (int step = 0; step < steps; step++) {
      int start = step * batchSize;
      int rows = Math.min(batchSize, nTrain - start);
      StepPlan p = step == steps - 1 ? last : full;
      // into the plan's inputs on a host backend, its host staging on a device
      Backend.gatherOnHost(trainX, widthX, order, start, rows, p.xHost);
      Backend.gatherOnHost(trainY, widthY, order, start, rows, p.yHost);
      p.upload();
      trainStep(model, p);
      lossTracker.updateMean(p.loss.value().get(0), rows);
      if (!metrics.isEmpty()) {
        Tensor pred = p.predictions();
        for (Metric m : metrics) {
          m.update(p.yHost, pred, null, rows);
        }
      }
      // a stop asked before this batch's report (in on_epoch_begin) ends the epoch here too
      boolean stop = model.stopTrainingRequested();
      if (stop || step == steps - 1 || reportEvery > 0 && (step + 1) % reportEvery == 0) {
        listener.batchEnd(step, start + rows);
      }
      if (stop || model.stopTrainingRequested()) {
        break; // Keras: the epoch ends after the batch in which the stop was asked
      }
    }
  }

  private void deviceEpoch(StepPlan full, StepPlan last, int reportEvery,
      BatchListener listener) {
    if (deviceX == null && !uploadTrainingSet()) {
      hostEpoch(full, last, reportEvery, listener);
      return;
    }
    full.graph.setPredictionsNeeded(false); // loss and hits come from the tallies
    last.graph.setPredictionsNeeded(false);
    // the epoch's hyperparameter rows, taken now: during the epoch the optimizer's counters
    // (iterations, learning rate) read as at its end; mid-epoch changes apply from the next
    long first = model.optimizer().steps();
    float[] table = model.optimizer().takeSteps(steps);
    run.begin(first, order, table);
    try {
      for (int step = 0; step < steps; step++) {
        int rows = Math.min(batchSize, nTrain - step * batchSize);
        StepPlan p = step == steps - 1 ? last : full;
        int s = step;
        model.exclusively(() -> p.run(() -> {
          backend.gatherBatch(deviceX, widthX, order, s, batchSize, rows, p.x.value());
          backend.gatherBatch(deviceY, widthY, order, s, batchSize, rows, p.y.value());
          p.graph.setStep(first + s);
          p.graph.forward();
          p.graph.backward(p.loss);
          model.optimizer().applyFromTable(model.flatParameters(), model.weights(),
              model.flatGradients());
          run.endStep();
        }));
        boolean stop = model.stopTrainingRequested();
        if (stop || step == steps - 1 || reportEvery > 0 && (step + 1) % reportEvery == 0) {
          int seen = Math.min((step + 1) * batchSize, nTrain);
          double[] tally = run.readTally();
          lossTracker.reset();
          lossTracker.updateMean(tally[0] / seen, seen);
          for (Metric m : metrics) {
            m.reset();
            tallied(m).updateMean(tally[1] / seen, seen);
          }
          run.pause(); // a callback's own work (an evaluate, a loss) takes its arguments
          try {
            listener.batchEnd(step, seen);
          } finally {
            run.resume();
          }
        }
        if (stop || model.stopTrainingRequested()) {
          // Keras: the epoch ends after this batch; the table's later rows were never applied,
          // so the optimizer counts only the steps taken
          model.optimizer().untakeSteps(steps - step - 1);
          break;
        }
      }
    } finally {
      run.end();
    }
  }

  /**
   * Copies the training set to the device once per fit and opens the fit's run; false (said
   * once) when the device has no room, and the epochs then stage each batch from the host.
   */
  private boolean uploadTrainingSet() {
    try {
      deviceX = backend.zeros(nTrain, widthX);
      deviceY = backend.zeros(nTrain, widthY);
      deviceX.copyFrom(trainX.view(0, Math.multiplyExact(nTrain, widthX)));
      deviceY.copyFrom(trainY.view(0, Math.multiplyExact(nTrain, widthY)));
      run = backend.openRun(nTrain, steps);
      return true;
    } catch (dev.nabla.Device.OutOfMemory e) {
      freeDeviceData();
      onDevice = false;
      if (!fallbackSaid) {
        fallbackSaid = true;
        System.err.println("nabla: the training set does not fit on " + backend.device().name()
            + " (" + e.getMessage() + "); staging each batch from the host instead");
      }
      return false;
    }
  }

  private void freeDeviceData() {
    AutoCloseable[] owned = {run, deviceX, deviceY};
    run = null;
    deviceX = deviceY = null;
    closeAll(owned);
  }

  /** Closes each (nulls skipped), every one even when an earlier close throws. */
  static void closeAll(AutoCloseable... resources) {
    RuntimeException first = null;
    for (AutoCloseable c : resources) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException ? (RuntimeException) e
              : new IllegalStateException(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Keras's evaluate over the first dim of (x, y) in batches: the loss tracker and metrics hold
   * the figures afterwards; {@code listener} is told after every batch. On a device backend that
   * can tally the loss and metrics ({@code tallies}) the set is uploaded once and evaluated as
   * one step run (batches gathered on the device, loss and hits summed there, one read at the
   * end); otherwise each batch is staged on the host, uploaded, and read back.
   */
  public static void evaluate(Trainable model, Tensor x, Tensor y, int batchSize,
      Mean lossTracker, List<Metric> metrics, boolean tallies, BatchListener listener) {
    int n = x.dim(0);
    int steps = (n + batchSize - 1) / batchSize;
    Backend backend = model.backend();
    lossTracker.reset();
    metrics.forEach(Metric::reset);
    if (n == 0) {
      return;
    }
    int wx = Math.toIntExact(x.size() / n), wy = Math.toIntExact(y.size() / n);
    if (tallies && backend.runsStepsOnDevice()) {
      boolean done = false;
      try (Tensor dx = backend.zeros(n, wx); Tensor dy = backend.zeros(n, wy);
          Backend.StepRun run = backend.openRun(n, 0)) {
        dx.copyFrom(x.view(0, Math.multiplyExact(n, wx)));
        dy.copyFrom(y.view(0, Math.multiplyExact(n, wy)));
        evaluateOnDevice(model, dx, dy, run, y, batchSize, lossTracker, metrics);
        done = true;
      } catch (dev.nabla.Device.OutOfMemory e) {
        // no room for the whole set: the batches are staged from the host below
      }
      if (done) {
        listener.batchEnd(steps - 1, n);
        return;
      }
    }
    for (int step = 0; step < steps; step++) {
      int start = step * batchSize;
      int rows = Math.min(batchSize, n - start);
      StepPlan p = model.checkout(rows, y); // this thread's alone until released
      try {
        p.xHost.buffer().put(0, x.buffer(), start * wx, rows * wx);
        p.yHost.buffer().put(0, y.buffer(), start * wy, rows * wy);
        p.upload();
        p.graph.forward();
        lossTracker.updateMean(p.loss.value().get(0), rows);
        if (!metrics.isEmpty()) {
          Tensor pred = p.predictions();
          for (Metric m : metrics) {
            m.update(p.yHost, pred, null, rows);
          }
        }
      } finally {
        model.release(p);
      }
      listener.batchEnd(step, start + rows);
    }
  }

  /**
   * Evaluates (dx, dy), already in the device's memory, as one step run: batches gathered there,
   * loss and hits summed there, one read at the end.
   */
  private static void evaluateOnDevice(Trainable model, Tensor dx, Tensor dy,
      Backend.StepRun run, Tensor labels, int batchSize, Mean lossTracker,
      List<Metric> metrics) {
    Backend backend = model.backend();
    int n = dx.dim(0), wx = dx.dim(1), wy = dy.dim(1);
    int steps = (n + batchSize - 1) / batchSize;
    int[] identity = new int[n];
    for (int i = 0; i < n; i++) {
      identity[i] = i;
    }
    run.begin(0, identity, new float[0]);
    double[] tally;
    try {
      for (int step = 0; step < steps; step++) {
        int rows = Math.min(batchSize, n - step * batchSize);
        StepPlan p = model.checkout(rows, labels);
        try {
          backend.gatherBatch(dx, wx, identity, step, batchSize, rows, p.x.value());
          backend.gatherBatch(dy, wy, identity, step, batchSize, rows, p.y.value());
          p.graph.forward();
          run.endStep();
        } finally {
          model.release(p); // the forward pass is queued: the next user's comes after it
        }
      }
      tally = run.readTally();
    } finally {
      run.end();
    }
    lossTracker.reset();
    metrics.forEach(Metric::reset);
    lossTracker.updateMean(tally[0] / n, n);
    for (Metric m : metrics) {
      tallied(m).updateMean(tally[1] / n, n);
    }
  }

  /**
   * fit's validation after an epoch: {@link #evaluate}, with the validation set uploaded to the
   * device once for the whole fit (kept while the same tensor comes back).
   */
  public void validate(Tensor x, Tensor y, int batch, Mean lossTracker, List<Metric> metrics,
      boolean tallies) {
    if (tallies && backend.runsStepsOnDevice() && x.dim(0) > 0) {
      if (validationSource != x && !validationStaged) {
        freeValidation();
        int n = x.dim(0), wx = Math.toIntExact(x.size() / n), wy = Math.toIntExact(y.size() / n);
        try {
          validationX = backend.zeros(n, wx);
          validationY = backend.zeros(n, wy);
          validationX.copyFrom(x.view(0, Math.multiplyExact(n, wx)));
          validationY.copyFrom(y.view(0, Math.multiplyExact(n, wy)));
          validationRun = backend.openRun(n, 0);
          validationSource = x;
        } catch (dev.nabla.Device.OutOfMemory e) {
          freeValidation(); // no room: staged from the host for the rest of this fit
          validationStaged = true;
          System.err.println("nabla: the validation set does not fit on "
              + backend.device().name() + " (" + e.getMessage() + "); staging its batches");
        }
      }
      if (validationSource == x) {
        evaluateOnDevice(model, validationX, validationY, validationRun, y, batch, lossTracker,
            metrics);
        return;
      }
    }
    evaluate(model, x, y, batch, lossTracker, metrics, false, (step, samples) -> { });
  }

  private void freeValidation() {
    AutoCloseable[] owned = {validationRun, validationX, validationY};
    validationRun = null;
    validationX = validationY = validationSource = null;
    closeAll(owned);
  }

  /**
   * A metric fed from a device run's argmax hits: the caller promised argmax accuracies only
   * (argmaxMetricsOnly), which are means of per-sample hits.
   */
  private static MeanMetric tallied(Metric m) {
    if (!(m instanceof MeanMetric)) {
      throw new IllegalStateException(m.name() + " (" + m.className() + ") cannot be tallied on "
          + "the device; only argmax accuracies can");
    }
    return (MeanMetric) m;
  }

  /**
   * Forward, backward and one optimizer step on the batch already in the plan's inputs; the
   * step's weight update runs {@link Trainable#exclusively exclusively}.
   */
  public static void trainStep(Trainable model, StepPlan p) {
    p.graph.setStep(model.optimizer().steps()); // dropout masks: a function of (seed, step)
    p.graph.forward();
    p.graph.backward(p.loss);
    model.exclusively(() -> model.optimizer().applyFlat(model.flatParameters(), model.weights(),
        model.flatGradients()));
  }

  /** Frees the device copy of the training set, the run, and the captures that refer to them. */
  @Override
  public void close() {
    try {
      if (deviceX != null) {
        model.plan(true, Math.min(batchSize, nTrain), trainY).dropCapture();
        model.plan(true, nTrain - (steps - 1) * batchSize, trainY).dropCapture();
      }
    } finally {
      try {
        freeDeviceData();
      } finally {
        freeValidation();
      }
    }
  }
}
