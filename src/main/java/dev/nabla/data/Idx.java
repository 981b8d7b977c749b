package dev.nabla.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for IDX files, the format MNIST and Fashion-MNIST ship in: a big-endian magic
 * {@code 0x0000TTDD} (TT type code, DD number of dimensions), DD big-endian int32 sizes, then the
 * values, big-endian, row-major. Gzipped files are recognised by their first two bytes, so
 * {@code foo} and {@code foo.gz} read the same whatever their names say.
 *
 * <p>Every failure is an {@link IOException} whose message names the file, what is wrong and how
 * to fix it: these files usually come from a download, and a bad download should say so plainly
 * rather than surface later as a shape error deep inside training.
 *
 * <p>Thread-safe: static readers, on distinct streams.
 */
public final class Idx {

    /** Suggested fix appended to format errors when the caller has nothing more specific. */
    public static final String DEFAULT_FIX = "re-download it, e.g. with scripts/fetch-mnist.sh for MNIST";

    private static final int MAX_DIMS = 8;
    // Largest Java array the JVM reliably allocates.
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Idx() {}

    /** The IDX element types, by their type code in the magic number. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        public final int code;
        public final int bytes;

        Type(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /** A malformed IDX file (wrong magic, bad sizes, truncated, trailing bytes, bad gzip). */
    public static final class IdxFormatException extends IOException {
        public IdxFormatException(String message) {
            super(message);
        }
    }

    /** An IDX array: element type, shape and the raw big-endian values as read from the file. */
    public static final class Array {
        private final Type type;
        private final int[] shape;
        private final byte[] data;

        Array(Type type, int[] shape, byte[] data) {
            this.type = type;
            this.shape = shape;
            this.data = data;
        }

        public Type type() { return type; }

        /** The sizes from the header; a copy, so callers cannot corrupt the array's view of itself. */
        public int[] shape() { return shape.clone(); }

        /** Number of samples: the first dimension. */
        public int count() { return shape[0]; }

        /** Total number of values (product of the shape). */
        public int size() { return data.length / type.bytes; }

        public float[] toFloats() { return toFloats(1f); }

        /** The raw unsigned bytes of a UBYTE array (no copy: do not modify). */
        byte[] ubytes() {
            if (type != Type.UBYTE) throw new IllegalStateException("not a ubyte array: " + type);
            return data;
        }

        /** All values as floats, each multiplied by {@code scale} (e.g. 1/255f for pixels). */
        public float[] toFloats(float scale) {
            int n = size();
            float[] out = new float[n];
            if (type == Type.UBYTE) {
                for (int i = 0; i < n; i++) out[i] = (data[i] & 0xFF) * scale;
                return out;
            }
            if (type == Type.BYTE) {
                for (int i = 0; i < n; i++) out[i] = data[i] * scale;
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
            switch (type) {
                case SHORT -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i) * scale; }
                case INT -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i) * scale; }
                case FLOAT -> { for (int i = 0; i < n; i++) out[i] = b.getFloat(4 * i) * scale; }
                case DOUBLE -> { for (int i = 0; i < n; i++) out[i] = (float) (b.getDouble(8 * i) * scale); }
                default -> throw new AssertionError(type);
            }
            return out;
        }

        @Override
        public String toString() {
            return "Idx.Array(" + type.name().toLowerCase() + " " + Arrays.toString(shape) + ")";
        }
    }

    /** Reads {@code file} (raw or gzipped); errors suggest {@link #DEFAULT_FIX}. */
    public static Array read(Path file) throws IOException {
        return read(file, DEFAULT_FIX);
    }

    /**
     * Reads {@code file} (raw or gzipped). {@code fix} is the remedy quoted in error messages,
     * e.g. "re-run scripts/fetch-mnist.sh", so that a dataset loader can name its own fetcher.
     */
    public static Array read(Path file, String fix) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null,
                    (Files.exists(file) ? "not a regular file" : "no such file") + "; " + fix);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try {
                // inside the try: a file cut off within its gzip header fails here
                InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
                return parse(file, new DataInputStream(in), gzip ? -1 : Files.size(file),
                        gzip ? Files.size(file) : -1, fix);
            } catch (ZipException | EOFException e) {
                // parse checks raw sizes itself, so these come from a damaged or cut-off gzip stream.
                if (!gzip) throw e;
                throw new IdxFormatException(file + ": corrupt or truncated gzip data (" + e.getMessage()
                        + "); " + fix);
            }
        }
    }

    /** {@code fileSize} is the on-disk size for raw files (checked up front), -1 for gzip. */
    private static Array parse(Path file, DataInputStream in, long fileSize, long gzipBytes, String fix)
            throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4) {
            throw new IdxFormatException(file + ": not an IDX file (only " + head.length
                    + " bytes, too short for the 4-byte magic; was the download cut off? " + fix + ")");
        }
        int magic = ByteBuffer.wrap(head).getInt();
        int code = head[2] & 0xFF;
        int dims = head[3] & 0xFF;
        Type type = Type.of(code);
        if (head[0] != 0 || head[1] != 0 || type == null || dims == 0 || dims > MAX_DIMS) {
            String why = head[0] != 0 || head[1] != 0 ? "does not start with two zero bytes"
                    : type == null ? String.format("unknown type code 0x%02X", code)
                    : dims + " dimensions, expected 1.." + MAX_DIMS;
            throw new IdxFormatException(String.format(
                    "%s: not an IDX file (magic 0x%08X: %s; expected 0x0000TTDD with TT one of 08 ubyte, 09 byte,"
                            + " 0B short, 0C int, 0D float, 0E double and DD the number of dimensions, e.g."
                            + " 0x00000803 for ubyte images; is it the right file, or was it corrupted? %s)",
                    file, magic, why, fix));
        }

        int headerBytes = 4 + 4 * dims;
        byte[] sizeBytes = in.readNBytes(4 * dims);
        if (sizeBytes.length < 4 * dims) {
            throw new IdxFormatException(file + ": truncated header (" + dims + " dimension sizes promised, only "
                    + sizeBytes.length + " of " + 4 * dims + " size bytes present; " + fix + ")");
        }
        ByteBuffer sb = ByteBuffer.wrap(sizeBytes);
        int[] shape = new int[dims];
        long values = 1;
        for (int d = 0; d < dims; d++) {
            shape[d] = sb.getInt();
            if (shape[d] < 0) {
                throw new IdxFormatException(file + ": dimension " + d + " has negative size " + shape[d]
                        + " (sizes " + Arrays.toString(shape) + "); the header is corrupted; " + fix);
            }
            values *= shape[d];
            // Checked per dimension so the running product cannot overflow a long either.
            if (values * type.bytes > MAX_BYTES) {
                throw new IdxFormatException(file + ": absurd sizes " + describe(sizeBytes) + " ("
                        + type.name().toLowerCase() + "): more than " + MAX_BYTES
                        + " data bytes, beyond what one array can hold; the header is corrupted; " + fix);
            }
        }
        int dataBytes = (int) (values * type.bytes);
        String promise = "the header promises " + Arrays.toString(shape) + " " + type.name().toLowerCase()
                + " = " + dataBytes + " data bytes";

        byte[] data;
        if (fileSize >= 0) {
            // Raw file: compare sizes before allocating, so a corrupted header cannot trigger a huge allocation.
            long found = fileSize - headerBytes;
            if (found < dataBytes) throw truncated(file, promise, found, fix);
            if (found > dataBytes) throw trailing(file, promise, found - dataBytes, fix);
            data = new byte[dataBytes];
            in.readFully(data);
        } else {
            // Gzip: the size is unknown until read. Deflate expands at most ~1032:1, so a header
            // promising more than that is a lie: read in growing chunks (a lie costs nothing).
            // Otherwise read straight into one array of the promised size (no 2x copy peak).
            if (dataBytes <= gzipBytes * 1040L) {
                data = new byte[dataBytes];
                int n = in.readNBytes(data, 0, dataBytes);
                if (n < dataBytes) throw truncated(file, promise, n, fix);
            } else {
                data = in.readNBytes(dataBytes);
                if (data.length < dataBytes) throw truncated(file, promise, data.length, fix);
            }
            long extra = in.transferTo(OutputStream.nullOutputStream());
            if (extra > 0) throw trailing(file, promise, extra, fix);
        }
        return new Array(type, shape, data);
    }

    private static IdxFormatException truncated(Path file, String promise, long found, String fix) {
        return new IdxFormatException(file + ": truncated (" + promise + " but only " + found
                + " follow; was the download cut off? " + fix + ")");
    }

    private static IdxFormatException trailing(Path file, String promise, long extra, String fix) {
        return new IdxFormatException(file + ": " + extra + " unexpected trailing bytes (" + promise
                + " and the file has more; is it the right file, or was it corrupted? " + fix + ")");
    }

    private static String describe(byte[] sizeBytes) {
        ByteBuffer b = ByteBuffer.wrap(sizeBytes);
        StringBuilder s = new StringBuilder("[");
        while (b.hasRemaining()) s.append(Integer.toUnsignedString(b.getInt())).append(b.hasRemaining() ? ", " : "]");
        return s.toString();
    }
}
