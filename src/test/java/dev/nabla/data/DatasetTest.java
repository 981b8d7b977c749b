package dev.nabla.data;

import static dev.nabla.data.IdxTest.gzip;
import static dev.nabla.data.IdxTest.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {

    @TempDir
    Path tmp;

    static final int R = 4, C = 3;

    static byte[] pixels(int n, int seed) {
        byte[] d = new byte[n * R * C];
        for (int i = 0; i < d.length; i++) d[i] = (byte) (i * 31 + seed);
        return d;
    }

    /** A tiny MNIST-layout folder: 5 train and 3 test samples of 4x3 pixels; test files gzipped. */
    Path tinyMnist(byte[] trainLabels, byte[] testLabels) throws IOException {
        Path d = Files.createDirectories(tmp.resolve("tiny"));
        Files.write(d.resolve("train-images-idx3-ubyte"), idx(0x08, new int[] {5, R, C}, pixels(5, 1)));
        Files.write(d.resolve("train-labels-idx1-ubyte"), idx(0x08, new int[] {trainLabels.length}, trainLabels));
        Files.write(d.resolve("t10k-images-idx3-ubyte.gz"), gzip(idx(0x08, new int[] {3, R, C}, pixels(3, 2))));
        Files.write(d.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idx(0x08, new int[] {testLabels.length}, testLabels)));
        return d;
    }

    Path tinyMnist() throws IOException {
        return tinyMnist(new byte[] {5, 0, 4, 1, 9}, new byte[] {7, 2, 1});
    }

    @Test
    void readsTinyMnistExactly() throws IOException {
        Dataset ds = Dataset.mnist(tinyMnist());
        assertEquals("mnist", ds.name);
        assertEquals(5, ds.nTrain());
        assertEquals(3, ds.nTest());
        assertEquals(R, ds.rows);
        assertEquals(C, ds.cols);
        assertEquals(10, ds.numClasses);
        assertArrayEquals(new float[] {5, 0, 4, 1, 9}, ds.yTrain);
        assertArrayEquals(new float[] {7, 2, 1}, ds.yTest);
        byte[] p = pixels(5, 1), q = pixels(3, 2);
        for (int i = 0; i < p.length; i++) assertEquals((p[i] & 0xFF) / 255f, ds.xTrain()[i], 1e-7f);
        for (int i = 0; i < q.length; i++) assertEquals((q[i] & 0xFF) / 255f, ds.xTest()[i], 1e-7f);

        Dataset s = ds.slice(2, 1);
        assertEquals(2, s.nTrain());
        assertEquals(1, s.nTest());
        assertEquals(2 * R * C, s.xTrain().length);
        assertArrayEquals(new float[] {5, 0}, s.yTrain);
        assertEquals(ds.xTrain()[2 * R * C - 1], s.xTrain()[2 * R * C - 1]);
        assertThrows(IllegalArgumentException.class, () -> ds.slice(6, 1));
    }

    @Test
    void aDataFolderMayHoldTheFilesOrOneSubfolderPerDataSet() throws IOException {
        Path files = tinyMnist();
        // the files themselves: the folder is used as it is
        assertEquals(files, Dataset.resolveDir(files, "mnist"));
        // a parent with mnist/ inside (NABLA_DATA_DIR's layout, scripts/fetch-mnist.sh's default)
        Path parent = files.resolveSibling(files.getFileName() + "-root");
        Files.createDirectories(parent);
        Files.move(files, parent.resolve("mnist"));
        assertEquals(parent.resolve("mnist"), Dataset.resolveDir(parent, "mnist"));
        assertEquals(5, Dataset.load("mnist", parent).nTrain(), "--data-dir PARENT finds mnist/");
        assertEquals(5, Dataset.load("MNIST", parent.resolve("mnist")).nTrain());
        // neither: the folder as given, so the error names what the user typed
        Path empty = parent.resolve("empty");
        Files.createDirectories(empty);
        assertEquals(empty, Dataset.resolveDir(empty, "fashion-mnist"));
        assertEquals(java.util.List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), Dataset.classNames("fashion_mnist"));
    }

    @Test
    void loadByNameWithExplicitFolder() throws IOException {
        Path d = tinyMnist();
        assertEquals(5, Dataset.load("mnist", d).nTrain());
        // Fashion-MNIST has the same layout; the loader only differs in names and fixes.
        Dataset f = Dataset.load("fashion-mnist", d);
        assertEquals("fashion-mnist", f.name);
        assertEquals(3, f.nTest());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.load("cifar", d));
        assertTrue(e.getMessage().contains("cifar") && e.getMessage().contains("mnist")
                && e.getMessage().contains("fashion-mnist"), e.getMessage());
    }

    @Test
    void countMismatchNamesBothFilesAndCounts() throws IOException {
        Path d = tinyMnist(new byte[] {1, 2, 3, 4}, new byte[] {7, 2, 1});
        IOException e = assertThrows(IOException.class, () -> Dataset.mnist(d));
        String m = e.getMessage();
        assertTrue(m.contains("train-labels-idx1-ubyte") && m.contains("train-images-idx3-ubyte"), m);
        assertTrue(m.contains("4 labels") && m.contains("5 images"), m);
    }

    @Test
    void labelOutOfRangeIsReported() throws IOException {
        Path d = tinyMnist(new byte[] {5, 0, 4, 1, 9}, new byte[] {7, 10, 1});
        IOException e = assertThrows(IOException.class, () -> Dataset.mnist(d));
        String m = e.getMessage();
        assertTrue(m.contains("t10k-labels-idx1-ubyte.gz") && m.contains("label 10 at index 1")
                && m.contains("out of range 0..9"), m);
    }

    @Test
    void wrongShapesAreReported() throws IOException {
        Path d = tinyMnist();
        Files.write(d.resolve("train-labels-idx1-ubyte"), idx(0x08, new int[] {5, 1}, new byte[5]));
        IOException e = assertThrows(IOException.class, () -> Dataset.mnist(d));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte") && e.getMessage().contains("1-d"), e.getMessage());
        Files.write(d.resolve("train-images-idx3-ubyte"), idx(0x08, new int[] {5, R * C}, pixels(5, 1)));
        e = assertThrows(IOException.class, () -> Dataset.mnist(d));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("images [n, rows, cols]"),
                e.getMessage());
    }

    @Test
    void missingFileSaysWhichWhereAndHowToFetch() throws IOException {
        Path d = tinyMnist();
        Files.delete(d.resolve("t10k-labels-idx1-ubyte.gz"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Dataset.mnist(d));
        String m = e.getMessage();
        assertTrue(m.contains("t10k-labels-idx1-ubyte") && m.contains(d.toString())
                && m.contains("scripts/fetch-mnist.sh " + d), m);

        e = assertThrows(NoSuchFileException.class, () -> Dataset.fashionMnist(d));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
        Path none = tmp.resolve("absent");
        e = assertThrows(NoSuchFileException.class, () -> Dataset.mnist(none));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("fetch-mnist.sh"), e.getMessage());
    }

    @Test
    void corruptFileInDatasetSuggestsTheDatasetsFix() throws IOException {
        Path d = tinyMnist();
        Files.write(d.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        IOException e = assertThrows(IOException.class, () -> Dataset.mnist(d));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz") && e.getMessage().contains("not an IDX file")
                && e.getMessage().contains("scripts/fetch-mnist.sh " + d), e.getMessage());
    }

    // ---- real data -----------------------------------------------------------------------------

    static void checkFull(Dataset ds) {
        assertEquals(60000, ds.nTrain());
        assertEquals(10000, ds.nTest());
        assertEquals(28, ds.rows);
        assertEquals(28, ds.cols);
        assertEquals(60000 * 784, ds.xTrain().length);
        assertEquals(10000 * 784, ds.xTest().length);
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float[] x : new float[][] {ds.xTrain(), ds.xTest()}) {
            for (float v : x) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertEquals(0f, min, "darkest pixel");
        assertEquals(1f, max, "brightest pixel");
        for (float[] y : new float[][] {ds.yTrain, ds.yTest}) {
            boolean[] seen = new boolean[10];
            for (float v : y) seen[(int) v] = true;
            for (int k = 0; k < 10; k++) assertTrue(seen[k], "class " + k + " absent");
        }
    }

    @Test
    void realMnist() throws Exception {
        Path dir = Dataset.defaultMnistDir();
        dev.nabla.MnistFixture.ensureFetched(); // fetch rather than skip: this is the real-data check
        long t0 = System.nanoTime();
        Dataset ds = Dataset.load("mnist", null);
        System.out.printf("MNIST loaded from %s in %d ms%n", dir, (System.nanoTime() - t0) / 1_000_000);
        checkFull(ds);
        assertEquals(5f, ds.yTrain[0], "first training label of MNIST");
    }

    @Test
    void realFashionMnist() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(Dataset.FASHION_MNIST_DIR), Dataset.FASHION_MNIST_DIR
                + " is absent; install Fashion-MNIST with scripts/fetch-fashion-mnist.sh (apt-get install dataset-fashion-mnist)");
        Dataset ds = Dataset.load("fashion-mnist", null);
        checkFull(ds);
        assertEquals(9f, ds.yTrain[0], "first training label of Fashion-MNIST (ankle boot)");
    }
}
