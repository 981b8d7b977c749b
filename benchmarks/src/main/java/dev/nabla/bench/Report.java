package dev.nabla.bench;

import dev.nabla.backend.OptimizerRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks (arguments as JMH's own command line, e.g. a benchmark regex) and, for
 * the optimizer benchmark, prints a table of achieved GB/s against the copy ceiling measured in
 * the same run.
 */
public final class Report {
  private Report() {}

  public static void main(String[] args) throws Exception {
    Options cli = new CommandLineOptions(args.length == 0
        ? new String[] {"OptimizerBenchmark"} : args);
    Options opts = new OptionsBuilder().parent(cli).build();
    Collection<RunResult> results = new Runner(opts).run();
    printOptimizerTable(results);
  }

  static void printOptimizerTable(Collection<RunResult> results) throws RunnerException {
    List<String[]> rows = new ArrayList<>();
    java.util.Map<String, Double> copyUs = new java.util.HashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      if (!label.contains("OptimizerBenchmark")) {
        continue;
      }
      String n = r.getParams().getParam("n");
      double us = r.getPrimaryResult().getScore();
      if (label.endsWith(".copy")) {
        copyUs.merge(n, us, Math::min);
      } else {
        rows.add(new String[] {r.getParams().getParam("rule"), n, Double.toString(us)});
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    System.out.println();
    System.out.println("| rule | params | us/step | bytes/param | GB/s | copy GB/s | % of copy |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String[] row : rows) {
      OptimizerRule rule = OptimizerRule.valueOf(row[0]);
      long n = Long.parseLong(row[1]);
      double us = Double.parseDouble(row[2]);
      double gbs = OptimizerBenchmark.bytesPerElement(rule) * (double) n / (us * 1e3);
      Double c = copyUs.get(row[1]);
      double copyGbs = c == null ? Double.NaN : 8.0 * n / (c * 1e3);
      System.out.printf(Locale.ROOT, "| %s | %,d | %.0f | %d | %.2f | %.2f | %.0f%% |%n",
          rule, n, us, OptimizerBenchmark.bytesPerElement(rule), gbs, copyGbs,
          100 * gbs / copyGbs);
    }
  }
}
