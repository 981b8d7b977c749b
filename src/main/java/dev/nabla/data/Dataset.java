package dev.nabla.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * An image-classification dataset held in flat float arrays, the layout the training loop feeds
 * to the kernels directly: images as {@code n*rows*cols} floats in [0,1], labels as float class
 * indices {@code 0..numClasses-1}.
 *
 * <p>Not thread-safe while loading; once loaded, any number of threads may read it.
 */
public final class Dataset {

    public static final String MNIST = "mnist";
    public static final String FASHION_MNIST = "fashion-mnist";
    /** Where Debian's dataset-fashion-mnist package installs the four .gz files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    public final String name;
    public final float[] yTrain, yTest;
    public final int rows, cols, numClasses;
    // Pixels as loaded (unsigned bytes, 4x smaller than floats) or as given (floats); the other
    // form is made on demand. Training uses imageTensor, which never builds a float[] on the heap.
    private final byte[] trainBytes, testBytes;
    private float[] xTrain, xTest;

    public Dataset(String name, float[] xTrain, float[] yTrain, float[] xTest, float[] yTest,
                   int rows, int cols, int numClasses) {
        int pixels = rows * cols;
        if (rows <= 0 || cols <= 0 || numClasses <= 0
                || xTrain.length != yTrain.length * pixels || xTest.length != yTest.length * pixels) {
            throw new IllegalArgumentException(String.format(
                    "%s: inconsistent sizes: xTrain %d, yTrain %d, xTest %d, yTest %d for %dx%d images, %d classes",
                    name, xTrain.length, yTrain.length, xTest.length, yTest.length, rows, cols, numClasses));
        }
        this.name = name;
        this.xTrain = xTrain;
        this.yTrain = yTrain;
        this.xTest = xTest;
        this.yTest = yTest;
        this.rows = rows;
        this.cols = cols;
        this.numClasses = numClasses;
        this.trainBytes = null;
        this.testBytes = null;
    }

    /** Loaded data: pixels kept as the files' unsigned bytes. */
    private Dataset(String name, byte[] trainBytes, float[] yTrain, byte[] testBytes, float[] yTest,
                    int rows, int cols, int numClasses) {
        this.name = name;
        this.trainBytes = trainBytes;
        this.testBytes = testBytes;
        this.yTrain = yTrain;
        this.yTest = yTest;
        this.rows = rows;
        this.cols = cols;
        this.numClasses = numClasses;
    }

    /**
     * The training images ({@code train} true: (nTrain, rows, cols), 60000 for MNIST) or the test
     * images (false: (nTest, rows, cols), 10000) as a new off-heap tensor scaled to [0, 1] (pixel
     * / 255), converted in one pass from the loaded bytes (no float[] copy on the heap). The
     * labels are {@link #yTrain} and {@link #yTest}: class indices 0..numClasses-1 as floats.
     * The caller closes the tensor.
     */
    public dev.nabla.Tensor imageTensor(boolean train) {
        int n = train ? nTrain() : nTest();
        dev.nabla.Tensor t = dev.nabla.Tensor.zeros(n, rows, cols);
        java.nio.FloatBuffer out = t.buffer();
        byte[] b = train ? trainBytes : testBytes;
        if (b != null) {
            float[] row = new float[rows * cols];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < row.length; k++) {
                    row[k] = (b[i * row.length + k] & 0xFF) * (1f / 255f);
                }
                out.put(i * row.length, row);
            }
        } else {
            out.put(0, train ? xTrain : xTest);
        }
        return t;
    }

    private static float[] scaled(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = (b[i] & 0xFF) * (1f / 255f);
        return f;
    }

    public String name() { return name; }
    /** Training pixels as floats in [0, 1] (made on first call from the loaded bytes). */
    public synchronized float[] xTrain() {
        if (xTrain == null) xTrain = scaled(trainBytes);
        return xTrain;
    }
    public float[] yTrain() { return yTrain; }
    /** Test pixels as floats in [0, 1] (made on first call from the loaded bytes). */
    public synchronized float[] xTest() {
        if (xTest == null) xTest = scaled(testBytes);
        return xTest;
    }
    public float[] yTest() { return yTest; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    public int numClasses() { return numClasses; }
    public int nTrain() { return yTrain.length; }
    public int nTest() { return yTest.length; }

    /** MNIST from {@code dir}; each file may be raw or have a .gz suffix. */
    public static Dataset mnist(Path dir) throws IOException {
        return read(MNIST, dir, "fetch it with scripts/fetch-mnist.sh " + dir + " (in Nabla's "
                + "repository), or put the four IDX files of MNIST there (raw or .gz)");
    }

    /** Fashion-MNIST from {@code dir}, normally {@link #FASHION_MNIST_DIR} (.gz files; raw also accepted). */
    public static Dataset fashionMnist(Path dir) throws IOException {
        String fix = dir.toAbsolutePath().normalize().equals(FASHION_MNIST_DIR)
                ? "install it with: apt-get install dataset-fashion-mnist (or scripts/fetch-fashion-mnist.sh)"
                : "copy the four files there from " + FASHION_MNIST_DIR + " (apt-get install dataset-fashion-mnist)";
        return read(FASHION_MNIST, dir, fix);
    }

    /**
     * Loads a dataset by name, "mnist" or "fashion-mnist", from {@code dirOrNull}, else from
     * $NABLA_DATA_DIR, else from its default folder (~/.cache/nabla/mnist, where
     * scripts/fetch-mnist.sh puts MNIST; /usr/share/datasets/fashion-mnist, where Debian's package
     * puts Fashion-MNIST). A data folder, given either way, may hold the four IDX files itself or
     * one subfolder per data set ({@code DIR/mnist}, {@code DIR/fashion-mnist}); see
     * {@link #resolveDir}.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IOException when the files are missing or malformed (the message names the file and
     *     the fix)
     */
    public static Dataset load(String name, Path dirOrNull) throws IOException {
        String key = canonicalName(name);
        Path dir = dirOrNull != null ? resolveDir(dirOrNull, key) : defaultDir(key);
        return key.equals(MNIST) ? mnist(dir) : fashionMnist(dir);
    }

    /** "mnist" or "fashion-mnist" for any accepted spelling; IllegalArgumentException otherwise. */
    public static String canonicalName(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (key) {
            case MNIST:
                return MNIST;
            case FASHION_MNIST:
            case "fashionmnist":
                return FASHION_MNIST;
            default:
                throw new IllegalArgumentException("unknown dataset '" + name + "'; accepted: "
                        + MNIST + ", " + FASHION_MNIST);
        }
    }

    /**
     * The folder holding {@code dataset}'s IDX files: {@code dir} itself when it holds them,
     * else {@code dir/dataset}. So --data-dir and NABLA_DATA_DIR mean the same thing, whichever
     * of the two layouts a user has.
     */
    public static Path resolveDir(Path dir, String dataset) {
        boolean direct = Files.isRegularFile(dir.resolve(TRAIN_IMAGES))
                || Files.isRegularFile(dir.resolve(TRAIN_IMAGES + ".gz"));
        Path sub = dir.resolve(canonicalName(dataset));
        return direct || !Files.isDirectory(sub) ? dir : sub;
    }

    /** $NABLA_DATA_DIR (resolved as {@link #resolveDir}) if set, else the data set's default folder. */
    public static Path defaultDir(String dataset) {
        String key = canonicalName(dataset);
        String env = System.getenv("NABLA_DATA_DIR");
        if (env != null && !env.isBlank()) {
            Path dir = Path.of(env);
            Path resolved = resolveDir(dir, key);
            // nothing there yet: where scripts/fetch-mnist.sh would put it
            return resolved.equals(dir) && !Files.isRegularFile(dir.resolve(TRAIN_IMAGES))
                    && !Files.isRegularFile(dir.resolve(TRAIN_IMAGES + ".gz"))
                    ? dir.resolve(key) : resolved;
        }
        return key.equals(MNIST) ? Path.of(System.getProperty("user.home"), ".cache", "nabla", MNIST)
                : FASHION_MNIST_DIR;
    }

    /** MNIST's default folder: {@code defaultDir("mnist")}. */
    public static Path defaultMnistDir() {
        return defaultDir(MNIST);
    }

    /**
     * The class names, index by index: the digits for MNIST, Zalando's ten article names for
     * Fashion-MNIST (as in its README and Keras's docs).
     */
    public static java.util.List<String> classNames(String dataset) {
        return canonicalName(dataset).equals(MNIST)
                ? java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
                : java.util.List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    }

    /** The first {@code nTrain} training and {@code nTest} test samples (copies), for quick runs. */
    public Dataset slice(int nTrain, int nTest) {
        if (nTrain < 0 || nTrain > nTrain() || nTest < 0 || nTest > nTest()) {
            throw new IllegalArgumentException(String.format("%s: slice(%d, %d) out of range: the dataset has %d"
                    + " training and %d test samples", name, nTrain, nTest, nTrain(), nTest()));
        }
        int p = rows * cols;
        if (trainBytes != null) { // stay in bytes: no float copy of the whole set
            return new Dataset(name, Arrays.copyOf(trainBytes, nTrain * p), Arrays.copyOf(yTrain, nTrain),
                    Arrays.copyOf(testBytes, nTest * p), Arrays.copyOf(yTest, nTest), rows, cols, numClasses);
        }
        return new Dataset(name, Arrays.copyOf(xTrain(), nTrain * p), Arrays.copyOf(yTrain, nTrain),
                Arrays.copyOf(xTest(), nTest * p), Arrays.copyOf(yTest, nTest), rows, cols, numClasses);
    }

    @Override
    public String toString() {
        return String.format("Dataset(%s: %d train, %d test, %dx%d, %d classes)",
                name, nTrain(), nTest(), rows, cols, numClasses);
    }

    // ---- loading -------------------------------------------------------------------------------

    private static Dataset read(String name, Path dir, String fix) throws IOException {
        // Resolve all four first so a missing download is reported before any slow decoding.
        Path trainImages = find(name, dir, TRAIN_IMAGES, fix);
        Path trainLabels = find(name, dir, TRAIN_LABELS, fix);
        Path testImages = find(name, dir, TEST_IMAGES, fix);
        Path testLabels = find(name, dir, TEST_LABELS, fix);
        int numClasses = 10;

        Idx.Array xtr = images(trainImages, fix);
        Idx.Array xte = images(testImages, fix);
        int[] s = xtr.shape(), t = xte.shape();
        if (s[1] != t[1] || s[2] != t[2]) {
            throw new Idx.IdxFormatException(String.format("%s has %dx%d images but %s has %dx%d; %s",
                    trainImages, s[1], s[2], testImages, t[1], t[2], fix));
        }
        float[] ytr = labels(trainLabels, trainImages, xtr.count(), numClasses, fix);
        float[] yte = labels(testLabels, testImages, xte.count(), numClasses, fix);
        return new Dataset(name, xtr.ubytes(), ytr, xte.ubytes(), yte, s[1], s[2], numClasses);
    }

    /** {@code dir/base}, or {@code dir/base.gz}; else a NoSuchFileException saying which, where and the fix. */
    private static Path find(String name, Path dir, String base, String fix) throws NoSuchFileException {
        for (Path p : new Path[] {dir.resolve(base), dir.resolve(base + ".gz")}) {
            if (Files.isRegularFile(p)) return p;
        }
        String where = Files.isDirectory(dir) ? "is not in " + dir : "is missing: folder " + dir
                + " does not exist";
        throw new NoSuchFileException(dir.resolve(base).toString(), null,
                name + " file " + base + " (or " + base + ".gz) " + where + "; " + fix);
    }

    private static Idx.Array images(Path file, String fix) throws IOException {
        Idx.Array a = Idx.read(file, fix);
        if (a.shape().length != 3 || a.type() != Idx.Type.UBYTE) {
            throw new Idx.IdxFormatException(String.format("%s: expected ubyte images [n, rows, cols], found %s; "
                    + "is it the right file? %s", file, a, fix));
        }
        return a;
    }

    private static float[] labels(Path file, Path imageFile, int nImages, int numClasses, String fix)
            throws IOException {
        Idx.Array a = Idx.read(file, fix);
        if (a.shape().length != 1) {
            throw new Idx.IdxFormatException(String.format("%s: expected 1-d labels [n], found %s; "
                    + "is it the right file? %s", file, a, fix));
        }
        if (a.count() != nImages) {
            throw new Idx.IdxFormatException(String.format("label/image count mismatch: %s has %d labels but %s has"
                    + " %d images; the files come from different downloads or one is damaged; %s",
                    file, a.count(), imageFile, nImages, fix));
        }
        float[] y = a.toFloats();
        for (int i = 0; i < y.length; i++) {
            if (!(y[i] >= 0 && y[i] < numClasses) || y[i] != Math.rint(y[i])) {
                String v = y[i] == Math.rint(y[i]) ? String.valueOf((long) y[i]) : String.valueOf(y[i]);
                throw new Idx.IdxFormatException(String.format("%s: label %s at index %d is out of range 0..%d; "
                        + "is it the right file? %s", file, v, i, numClasses - 1, fix));
            }
        }
        return y;
    }
}
