package dev.nabla;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs the nested test classes of a subclass with another default device: models and losses
 * made without an explicit backend (Backends.defaultBackend) live on {@link #device()} for each
 * test's duration, through the nabla.device property (what NABLA_DEVICE sets for a program).
 */
public abstract class DefaultDevice {
  private String saved;

  /** The device name the nested tests run on. */
  protected abstract String device();

  @BeforeEach
  void useDevice() {
    saved = System.getProperty("nabla.device");
    System.setProperty("nabla.device", device());
  }

  @AfterEach
  void restoreDevice() {
    if (saved == null) {
      System.clearProperty("nabla.device");
    } else {
      System.setProperty("nabla.device", saved);
    }
  }

  /** The default device of the running test: the property, else "cpu". */
  public static String current() {
    return System.getProperty("nabla.device", "cpu");
  }
}
