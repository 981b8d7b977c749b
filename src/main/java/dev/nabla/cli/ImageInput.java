package dev.nabla.cli;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Image input for predict (PNG, JPEG, GIF, BMP), prepared as MNIST's digits were: composited onto
 * a plain background, white ink on black, the ink's bounding box scaled into a 20x20 box (aspect
 * kept) and centred by its centre of mass in the 28x28 field (LeCun et al.'s description of
 * MNIST; other input sizes keep the same proportions). Kept out of PredictCommand so the CLI's
 * classes link without the java.desktop module (the GPU bundle's runtime leaves it out): AWT is
 * touched only when an image is actually read.
 */
final class ImageInput {
  private ImageInput() {}

  /** A pixel counts as ink above this (0 = background, 1 = full ink). */
  static final float INK = 0.2f;

  /** What {@link #read} made of the file: the pixels and what was done to them. */
  record Prepared(float[] pixels, boolean inverted, boolean blank) {}

  /** The image as rows x cols values in [0, 1], ink high, prepared as MNIST was. */
  static Prepared read(Path file, int rows, int cols, PrintWriter out) throws IOException {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException e) { // ImageIO's own words name no file ("I/O error reading header!")
      throw new IOException(file + ": looks like an image but cannot be decoded ("
          + e.getMessage() + "); " + PredictCommand.ACCEPTS, e);
    }
    if (img == null) {
      throw new IOException(file + ": not an image Java can decode (PNG, JPEG, GIF or BMP)");
    }
    int w = img.getWidth(), h = img.getHeight();
    float[] gray = new float[w * h];
    float[] alpha = new float[w * h];
    double inkShade = 0, opaque = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = img.getRGB(x, y);
        float a = img.getColorModel().hasAlpha() ? (argb >>> 24) / 255f : 1f;
        float lum = (0.299f * (argb >> 16 & 0xFF) + 0.587f * (argb >> 8 & 0xFF)
            + 0.114f * (argb & 0xFF)) / 255f;
        gray[y * w + x] = lum;
        alpha[y * w + x] = a;
        inkShade += a * lum;
        opaque += a;
      }
    }
    // Transparent pixels are background: composite onto the shade that contrasts with what is
    // drawn (dark strokes onto white, light strokes onto black), so a digit on a transparent
    // background is not lost whatever its colour.
    float back = opaque > 0 && inkShade / opaque < 0.5 ? 1f : 0f;
    for (int i = 0; i < gray.length; i++) {
      gray[i] = alpha[i] * gray[i] + (1 - alpha[i]) * back;
    }
    // The background is what the border mostly is; MNIST is white ink on black.
    double border = 0;
    int n = 0;
    for (int x = 0; x < w; x++) {
      border += gray[x] + gray[(h - 1) * w + x];
      n += 2;
    }
    for (int y = 0; y < h; y++) {
      border += gray[y * w] + gray[y * w + w - 1];
      n += 2;
    }
    boolean inverted = border / n > 0.5;
    if (inverted) {
      out.println("(light background: inverted, as the model saw white-on-black digits)");
      for (int i = 0; i < gray.length; i++) {
        gray[i] = 1f - gray[i];
      }
    }
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (gray[y * w + x] > INK) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    if (x1 < 0) {
      return new Prepared(new float[rows * cols], inverted, true);
    }
    return new Prepared(fit(gray, w, x0, y0, x1 - x0 + 1, y1 - y0 + 1, rows, cols), inverted,
        false);
  }

  /** The ink's box scaled into a box of 20/28 of the field, placed by its centre of mass. */
  private static float[] fit(float[] gray, int w, int bx, int by, int bw, int bh, int rows,
      int cols) {
    int box = Math.max(1, Math.round(Math.min(rows, cols) * 20f / 28f));
    double scale = (double) box / Math.max(bw, bh);
    int sw = Math.max(1, (int) Math.round(bw * scale)), sh = Math.max(1, (int) Math.round(bh * scale));
    BufferedImage crop = new BufferedImage(bw, bh, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < bh; y++) {
      for (int x = 0; x < bw; x++) {
        crop.getRaster().setSample(x, y, 0, Math.round(gray[(by + y) * w + bx + x] * 255f));
      }
    }
    // area averaging: a 200-pixel stroke shrinks to grey edges as MNIST's anti-aliased ones
    Image scaled = crop.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING);
    BufferedImage small = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = small.createGraphics();
    g.drawImage(scaled, 0, 0, null);
    g.dispose();
    double mass = 0, mx = 0, my = 0;
    for (int y = 0; y < sh; y++) {
      for (int x = 0; x < sw; x++) {
        double v = small.getRaster().getSample(x, y, 0) / 255.0;
        mass += v;
        mx += v * x;
        my += v * y;
      }
    }
    // offsets putting the centre of mass at the field's centre (pixel centres at +0.5)
    int ox = (int) Math.round(cols / 2.0 - (mass > 0 ? mx / mass : sw / 2.0) - 0.5);
    int oy = (int) Math.round(rows / 2.0 - (mass > 0 ? my / mass : sh / 2.0) - 0.5);
    float[] v = new float[rows * cols];
    for (int y = 0; y < sh; y++) {
      for (int x = 0; x < sw; x++) {
        int r = y + oy, c = x + ox;
        if (r >= 0 && r < rows && c >= 0 && c < cols) {
          v[r * cols + c] = small.getRaster().getSample(x, y, 0) / 255f;
        }
      }
    }
    return v;
  }
}
