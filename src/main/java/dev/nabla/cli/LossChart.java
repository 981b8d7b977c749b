package dev.nabla.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import java.text.DecimalFormat;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line charts of training curves as PNG (JFreeChart, headless). */
final class LossChart {
  private LossChart() {}

  /** One series per name: (x, y) points; the y axis is logarithmic when {@code logY}. */
  static void write(Path png, String title, String xLabel, String yLabel,
      Map<String, List<double[]>> series, boolean logY) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      XYSeries s = new XYSeries(e.getKey(), false, true);
      for (double[] p : e.getValue()) {
        if (!logY || p[1] > 0) {
          s.add(p[0], p[1]);
        }
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plain(chart, plot);
    if (logY) {
      plot.setRangeAxis(new OneTwoFiveLogAxis(yLabel));
    }
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesStroke(i, new BasicStroke(2f));
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      r.setSeriesShapesVisible(i, data.getItemCount(i) <= 10); // few points: show them
    }
    plot.setRenderer(r);
    save(png, chart, 1100, 650);
  }

  /**
   * Colours that stay apart from each other and visible on white (Tableau's ten without its
   * pale olive, plus black and navy): one per optimizer, twelve in all.
   */
  static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14),
      new Color(44, 160, 44), new Color(214, 39, 40), new Color(148, 103, 189),
      new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
      new Color(23, 190, 207), Color.BLACK, new Color(0, 0, 128), new Color(128, 128, 0)};

  /** White everywhere, light grid, no frames around the chart, plot or legend. */
  private static void plain(JFreeChart chart, XYPlot plot) {
    chart.setBackgroundPaint(Color.WHITE);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlineVisible(false);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
    if (chart.getLegend() != null) {
      chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
      chart.getLegend().setBackgroundPaint(Color.WHITE);
    }
  }

  /** A base-10 log axis with ticks at 1, 2 and 5 times each power of ten in range. */
  static final class OneTwoFiveLogAxis extends LogAxis {
    OneTwoFiveLogAxis(String label) {
      super(label);
      setBase(10);
      setMinorTickMarksVisible(false);
    }

    @Override
    @SuppressWarnings("rawtypes")
    protected List refreshTicksVertical(java.awt.Graphics2D g2,
        java.awt.geom.Rectangle2D dataArea, org.jfree.chart.ui.RectangleEdge edge) {
      return ticks(getLowerBound(), getUpperBound());
    }

    static List<org.jfree.chart.axis.NumberTick> ticks(double lower, double upper) {
      List<org.jfree.chart.axis.NumberTick> ticks = new java.util.ArrayList<>();
      DecimalFormat f = new DecimalFormat("0.#####");
      for (int e = (int) Math.floor(Math.log10(lower)); e <= Math.ceil(Math.log10(upper)); e++) {
        for (int m : new int[] {1, 2, 5}) {
          double v = m * Math.pow(10, e);
          if (v >= lower && v <= upper) {
            ticks.add(new org.jfree.chart.axis.NumberTick(v, f.format(v),
                org.jfree.chart.ui.TextAnchor.CENTER_RIGHT, org.jfree.chart.ui.TextAnchor.CENTER,
                0.0));
          }
        }
      }
      return ticks;
    }
  }

  /** Keras-style training curves: loss and accuracy (train and val_) per epoch, stacked. */
  static void writeHistory(Path png, String title, Map<String, List<Float>> history,
      int firstEpoch) throws IOException {
    System.setProperty("java.awt.headless", "true");
    org.jfree.chart.axis.NumberAxis epochs = new org.jfree.chart.axis.NumberAxis("epoch");
    epochs.setAutoRangeIncludesZero(false);
    epochs.setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
    org.jfree.chart.plot.CombinedDomainXYPlot combined =
        new org.jfree.chart.plot.CombinedDomainXYPlot(epochs);
    for (String metric : new String[] {"loss", "accuracy"}) {
      XYSeriesCollection data = new XYSeriesCollection();
      for (String key : new String[] {metric, "val_" + metric}) {
        List<Float> values = history.get(key);
        if (values == null) {
          continue;
        }
        XYSeries s = new XYSeries((key.startsWith("val_") ? "validation " : "training ") + metric);
        for (int i = 0; i < values.size(); i++) {
          s.add(firstEpoch + i + 1, values.get(i));
        }
        data.addSeries(s);
      }
      if (data.getSeriesCount() == 0) {
        continue;
      }
      org.jfree.chart.axis.NumberAxis y = new org.jfree.chart.axis.NumberAxis(metric);
      y.setAutoRangeIncludesZero(false);
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      for (int i = 0; i < data.getSeriesCount(); i++) {
        r.setSeriesStroke(i, new BasicStroke(2f));
        boolean val = data.getSeriesKey(i).toString().startsWith("validation");
        r.setSeriesPaint(i, val ? new Color(31, 119, 180) : new Color(214, 39, 40));
      }
      XYPlot plot = new XYPlot(data, null, y, r);
      plot.setBackgroundPaint(Color.WHITE);
      plot.setOutlineVisible(false);
      plot.setDomainGridlinePaint(new Color(220, 220, 220));
      plot.setRangeGridlinePaint(new Color(220, 220, 220));
      combined.add(plot, 1);
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
    plain(chart, (XYPlot) combined);
    save(png, chart, 900, 700);
  }

  /** Writes a chart as PNG through a temporary file and a rename (never a half-written file). */
  private static void save(Path png, JFreeChart chart, int width, int height) throws IOException {
    dev.nabla.io.AtomicFiles.write(png,
        tmp -> ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height));
  }
}
