package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @Test
  void newFilesAreWorldReadableAndExistingPermissionsAreKept(@TempDir Path tmp)
      throws IOException {
    Path f = tmp.resolve("a.json");
    AtomicFiles.writeString(f, "one");
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
    AtomicFiles.writeString(f, "two");
    assertEquals("two", Files.readString(f));
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
  }

  @Test
  void aFailedWriteKeepsTheOldFileAndLeavesNoTemporary(@TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("m.bin");
    AtomicFiles.writeString(f, "good");
    assertThrows(IOException.class, () -> AtomicFiles.write(f, t -> {
      Files.writeString(t, "half");
      throw new IOException("disk full");
    }));
    assertEquals("good", Files.readString(f));
    try (var s = Files.list(tmp)) {
      assertEquals(1, s.count());
    }
  }

  @Test
  void temporariesOfAKilledWriterAreRemovedByTheNextWrite(@TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("m.bin");
    Path stale = tmp.resolve(".m.bin.123456.tmp");
    Path other = tmp.resolve(".other.bin.1.tmp");
    Files.writeString(stale, "left by a SIGKILL");
    Files.writeString(other, "someone else's");
    AtomicFiles.writeString(f, "new");
    assertFalse(Files.exists(stale));
    assertEquals("someone else's", Files.readString(other), "only this target's temporaries");
  }
}
