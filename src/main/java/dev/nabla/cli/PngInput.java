package dev.nabla.cli;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * PNG input for predict, kept out of PredictCommand so the CLI's classes link without the
 * java.desktop module (the GPU bundle's runtime leaves it out): AWT is touched only when a PNG
 * is actually read.
 */
final class PngInput {
  private PngInput() {}

  /** The image scaled to rows x cols grayscale in [0, 1], inverted when the background is light. */
  static float[] read(Path file, int rows, int cols, PrintWriter out) throws IOException {
    BufferedImage img = ImageIO.read(file.toFile());
    if (img == null) {
      throw new IOException(file + ": not a readable PNG image");
    }
    BufferedImage gray = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = gray.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
        RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, cols, rows, null);
    g.dispose();
    float[] v = new float[rows * cols];
    double mean = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        v[r * cols + c] = (gray.getRaster().getSample(c, r, 0) & 0xFF) / 255f;
        mean += v[r * cols + c];
      }
    }
    if (mean / v.length > 0.5) {
      out.println("(light background: inverted, as the model saw white-on-black digits)");
      for (int i = 0; i < v.length; i++) {
        v[i] = 1f - v[i];
      }
    }
    return v;
  }
}
