package dev.nabla.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that readers see the old content or the new, never a mix: the content goes to
 * a hidden temporary file in the same folder, is fsynced, takes the target's permissions (or
 * rw-r--r-- for a new file), and is renamed over the target; the folder is then fsynced too.
 * Temporaries left by a writer that was killed are removed by the next write of the same target.
 *
 * <p>Thread-safe: static functions; concurrent writers of one path each replace it whole.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the temporary file it is given. */
  @FunctionalInterface
  public interface Writer {
    void write(Path temporary) throws IOException;
  }

  public static void write(Path target, Writer writer) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    String prefix = "." + abs.getFileName() + ".";
    removeStale(dir, prefix);
    Path tmp;
    try {
      tmp = Files.createTempFile(dir, prefix, ".tmp");
    } catch (IOException e) { // the JDK's message is the temporary's name alone
      throw new IOException("cannot write " + abs + ": cannot create a file in " + dir + " ("
          + reason(e) + ")", e);
    }
    try {
      writer.write(tmp);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      copyPermissions(abs, tmp);
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true); // the rename itself reaches the disk
      } catch (IOException ignored) {
        // some file systems cannot fsync a folder; the file itself is synced
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Throws, with the reason, unless a file can be created in {@code target}'s folder (or the
   * nearest existing folder above it, which {@link #write} would create it under): checked
   * before long work whose result goes there. Leaves nothing behind.
   */
  public static void checkWritable(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      throw new IOException(target + " is a folder; give a file name");
    }
    Path dir = abs.getParent();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IOException("cannot write " + target + ": no existing folder above it");
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("cannot write " + target + ": " + dir + " is a file, not a folder");
    }
    try {
      Files.delete(Files.createTempFile(dir, ".nabla-write-check.", ".tmp"));
    } catch (IOException e) {
      throw new IOException("cannot write " + target + ": cannot create a file in " + dir + " ("
          + reason(e) + ")", e);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  public static void writeString(Path target, String text) throws IOException {
    write(target, tmp -> Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void removeStale(Path dir, String prefix) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, prefix + "*.tmp")) {
      for (Path p : s) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // best effort: a stale temporary wastes space but never affects the target
    }
  }

  private static void copyPermissions(Path target, Path tmp) {
    try {
      Set<PosixFilePermission> perms = Files.exists(target)
          ? Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--");
      Files.setPosixFilePermissions(tmp, perms);
    } catch (UnsupportedOperationException | IOException ignored) {
      // not a POSIX file system: keep the default
    }
  }
}
