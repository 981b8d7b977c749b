package dev.nabla;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints every skipped test with its reason on the console (Maven's summary counts them and
 * says nothing more): disabled tests, and tests whose assumption did not hold (no GPU, no
 * Fashion-MNIST). Registered through META-INF/services for every run of the suite.
 */
public final class SkipReasons implements TestExecutionListener {
  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    System.out.println("SKIPPED " + test.getLegacyReportingName() + " [" + test.getUniqueId()
        .replaceAll(".*\\[class:([^\\]]+)\\].*", "$1") + "]: " + reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      String reason = result.getThrowable().map(Throwable::getMessage).orElse("no reason given");
      System.out.println("SKIPPED " + test.getLegacyReportingName() + " [" + test.getUniqueId()
          .replaceAll(".*\\[class:([^\\]]+)\\].*", "$1") + "]: " + reason);
    }
  }
}
