package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path tmp;

    /** An IDX file image: magic 0x0000TTDD, big-endian sizes, then {@code data} as given. */
    static byte[] idx(int typeCode, int[] shape, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + data.length);
        b.putInt((typeCode << 8) | shape.length);
        for (int s : shape) b.putInt(s);
        return b.put(data).array();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    static byte[] ramp(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) d[i] = (byte) (i * 37);
        return d;
    }

    /** Asserts {@code read} fails with an IOException naming the file and containing every fragment. */
    IOException fails(Path file, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), "message should name the file: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "message should mention '" + f + "': " + m);
        return e;
    }

    @Test
    void ubyteRawAndGzipReadBackExactly() throws IOException {
        byte[] data = ramp(2 * 3 * 4);
        byte[] file = idx(0x08, new int[] {2, 3, 4}, data);
        for (Path p : new Path[] {write("a-idx3-ubyte", file), write("a-idx3-ubyte.gz", gzip(file))}) {
            Idx.Array a = Idx.read(p);
            assertEquals(Idx.Type.UBYTE, a.type());
            assertArrayEquals(new int[] {2, 3, 4}, a.shape());
            assertEquals(2, a.count());
            assertEquals(24, a.size());
            float[] f = a.toFloats(), g = a.toFloats(1f / 255f);
            for (int i = 0; i < data.length; i++) {
                assertEquals(data[i] & 0xFF, f[i], 0f);
                assertEquals((data[i] & 0xFF) * (1f / 255f), g[i], 0f);
                assertTrue(g[i] >= 0f && g[i] <= 1f);
            }
        }
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        byte[] file = idx(0x08, new int[] {3}, new byte[] {1, 2, 3});
        // A gzipped file without .gz and a raw file with .gz both read correctly.
        assertArrayEquals(new float[] {1, 2, 3}, Idx.read(write("plain", gzip(file))).toFloats());
        assertArrayEquals(new float[] {1, 2, 3}, Idx.read(write("lying.gz", file)).toFloats());
    }

    @Test
    void signedTypesReadBackExactly() throws IOException {
        float[] want = {-3.5f, 0f, 1e-7f, 12345.25f, Float.MAX_VALUE, -0f};
        ByteBuffer fb = ByteBuffer.allocate(4 * want.length);
        for (float v : want) fb.putFloat(v);
        Idx.Array f = Idx.read(write("f.gz", gzip(idx(0x0D, new int[] {3, 2}, fb.array()))));
        assertEquals(Idx.Type.FLOAT, f.type());
        assertArrayEquals(new int[] {3, 2}, f.shape());
        assertArrayEquals(want, f.toFloats());

        int[] ints = {-2_000_000, -1, 0, 7, 1 << 20};
        ByteBuffer ib = ByteBuffer.allocate(4 * ints.length);
        for (int v : ints) ib.putInt(v);
        Idx.Array i = Idx.read(write("i", idx(0x0C, new int[] {5}, ib.array())));
        assertEquals(Idx.Type.INT, i.type());
        assertArrayEquals(new float[] {-2_000_000f, -1f, 0f, 7f, 1 << 20}, i.toFloats());
        assertArrayEquals(new float[] {-1_000_000f, -0.5f, 0f, 3.5f, 1 << 19}, i.toFloats(0.5f));

        Idx.Array s = Idx.read(write("s", idx(0x0B, new int[] {2}, new byte[] {(byte) 0xFF, (byte) 0xFE, 0x01, 0x00})));
        assertArrayEquals(new float[] {-2f, 256f}, s.toFloats());
        Idx.Array b = Idx.read(write("b", idx(0x09, new int[] {2}, new byte[] {(byte) 0xFF, 0x7F})));
        assertArrayEquals(new float[] {-1f, 127f}, b.toFloats());
        ByteBuffer db = ByteBuffer.allocate(16).putDouble(-0.25).putDouble(1e10);
        assertArrayEquals(new float[] {-0.25f, 1e10f}, Idx.read(write("d", idx(0x0E, new int[] {2}, db.array()))).toFloats());
    }

    @Test
    void emptyArrayIsAllowed() throws IOException {
        Idx.Array a = Idx.read(write("empty", idx(0x08, new int[] {0, 28, 28}, new byte[0])));
        assertEquals(0, a.count());
        assertEquals(0, a.toFloats().length);
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        byte[] bad = ByteBuffer.allocate(12).putInt(0x12345678).putInt(1).putInt(0).array();
        fails(write("train-images-idx3-ubyte", bad), "not an IDX file", "0x12345678", "expected 0x0000TTDD",
                "fetch-mnist.sh");
        fails(write("text", "hello world\n".getBytes()), "not an IDX file");
        fails(write("tiny", new byte[] {0, 0}), "not an IDX file", "too short");
    }

    @Test
    void unknownTypeOrBadDimensionCountIsRejected() throws IOException {
        fails(write("type0A", idx(0x0A, new int[] {1}, new byte[1])), "not an IDX file", "unknown type code 0x0A");
        fails(write("zero-dims", new byte[] {0, 0, 8, 0}), "not an IDX file", "0 dimensions");
        fails(write("nine-dims", idx(0x08, new int[9], new byte[0])), "not an IDX file", "9 dimensions");
    }

    @Test
    void negativeOrAbsurdSizesAreRejected() throws IOException {
        fails(write("neg", idx(0x08, new int[] {2, -3}, new byte[0])), "negative size -3");
        // 100000 * 100000 * 1000 doubles: far past what an int-indexed array holds.
        fails(write("huge", idx(0x0E, new int[] {100_000, 100_000, 1000}, new byte[0])), "absurd sizes");
        fails(write("huge.gz", gzip(idx(0x08, new int[] {65536, 65536}, new byte[0]))), "absurd sizes");
    }

    @Test
    void truncatedFileSaysExpectedAndFound() throws IOException {
        byte[] cut = idx(0x08, new int[] {2, 5}, ramp(7));
        fails(write("cut", cut), "truncated", "10 data bytes", "only 7 follow");
        fails(write("cut.gz", gzip(cut)), "truncated", "10 data bytes", "only 7 follow");
        // A header that promises far more than is there must not allocate it before noticing.
        fails(write("lie.gz", gzip(idx(0x08, new int[] {60000, 28, 28}, ramp(100)))), "47040000 data bytes",
                "only 100 follow");
        fails(write("halfheader", Arrays.copyOf(idx(0x08, new int[] {2, 5}, new byte[0]), 9)), "truncated header");
    }

    @Test
    void cutOffGzipStreamIsReported() throws IOException {
        byte[] gz = gzip(idx(0x08, new int[] {100}, ramp(100)));
        fails(write("cutgz.gz", Arrays.copyOf(gz, gz.length - 12)), "gzip");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] extra = idx(0x08, new int[] {2, 2}, ramp(7));
        fails(write("extra", extra), "3 unexpected trailing bytes", "4 data bytes");
        fails(write("extra.gz", gzip(extra)), "3 unexpected trailing bytes");
    }

    @Test
    void missingFileNamesPathAndFix() {
        Path p = tmp.resolve("nowhere").resolve("train-labels-idx1-ubyte");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("fetch-mnist.sh"), e.getMessage());
    }
}
