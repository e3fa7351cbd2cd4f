package dev.backstop.operator.it;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * `make bench`'s one table: each benchmark of the run adds its rows (a median over rounds, beside
 * a baseline measured in the same run, and the target), and the table is printed once,
 * when the whole run ends. A benchmark gets it as a test parameter through {@link Extension}.
 */
public final class BenchTable implements AutoCloseable {

  /**
   * One measured figure.
   *
   * @param baseline what it is compared with, or null; {@code baselineMedian} is its median
   * @param target the target in words, or null; {@code met} whether this run met it
   */
  public record Row(String group, String measure, List<Double> samples, String unit, String baseline,
      Double baselineMedian, String target, Boolean met) {

    /** A row with no baseline and no target. */
    public static Row of(String group, String measure, List<Double> samples, String unit) {
      return new Row(group, measure, List.copyOf(samples), unit, null, null, null, null);
    }

    /** This row compared with {@code baseline}, whose median is {@code baselineMedian}. */
    public Row against(String baseline, double baselineMedian) {
      return new Row(group, measure, samples, unit, baseline, baselineMedian, target, met);
    }

    /** This row with the target and whether this run met it. */
    public Row target(String target, boolean met) {
      return new Row(group, measure, samples, unit, baseline, baselineMedian, target, met);
    }

    public double median() {
      return BenchTable.median(samples);
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final PrintStream out;
  private final Path copy;

  BenchTable(PrintStream out, Path copy) {
    this.out = out;
    this.copy = copy;
  }

  /** Adds a row and returns it, so that a benchmark can print it at once too. */
  public synchronized Row add(Row row) {
    rows.add(row);
    out.println("[bench] " + line(row));
    return row;
  }

  /** The middle value (the upper one of an even count). */
  public static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = xs.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /** The value at quantile {@code q} (nearest rank). */
  public static double quantile(List<Double> xs, double q) {
    List<Double> sorted = xs.stream().sorted().toList();
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
  }

  /** Rounds per figure: {@code -Dbench.rounds}, else {@code fallback}. */
  public static int rounds(int fallback) {
    return Integer.getInteger("bench.rounds", fallback);
  }

  /** The table as printed at the end of the run. */
  public synchronized String render() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-16s %-52s %10s %6s  %-34s %10s %7s  %-34s %s%n", "group", "measure", "median",
        "n", "baseline (same run)", "median", "ratio", "target", "met"));
    for (Row r : rows) {
      b.append(line(r)).append('\n');
    }
    return b.toString();
  }

  private static String line(Row r) {
    String ratio = r.baselineMedian() == null || r.baselineMedian() == 0 ? ""
        : String.format("%.2fx", r.median() / r.baselineMedian());
    return String.format("%-16s %-52s %10s %6d  %-34s %10s %7s  %-34s %s", r.group(), r.measure(),
        figure(r.median(), r.unit()), r.samples().size(), r.baseline() == null ? "" : r.baseline(),
        r.baselineMedian() == null ? "" : figure(r.baselineMedian(), r.unit()), ratio,
        r.target() == null ? "" : r.target(), r.met() == null ? "" : r.met() ? "met" : "NOT met");
  }

  private static String figure(double value, String unit) {
    return String.format(value >= 100 ? "%.0f %s" : "%.2f %s", value, unit);
  }

  @Override
  public synchronized void close() throws IOException {
    if (rows.isEmpty()) {
      return;
    }
    String table = render();
    out.println("\n[bench] ===== make bench: medians, each beside its baseline from the same run =====");
    table.lines().forEach(l -> out.println("[bench] " + l));
    Files.createDirectories(copy.getParent());
    Files.writeString(copy, table);
    out.println("[bench] (also in " + copy.toAbsolutePath() + ")");
  }

  /**
   * Hands every benchmark of a run the same table, kept in JUnit's root store, which closes it
   * (and so prints it) after the last test of the run.
   */
  public static final class Extension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BenchTable.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == BenchTable.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(BenchTable.class,
          k -> new BenchTable(System.out, Path.of("target/bench-table.txt")), BenchTable.class);
    }
  }
}
