package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.backup.BackupFormat;
import dev.backstop.operator.backup.BackupStore;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.backup.LocalDirStore;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.BackupOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ~1 GB pg_dump of random text (which gzip shrinks only to about half) streamed by Backstop to a
 * local file and to an S3 server on loopback, and restored from each, beside a plain
 * `docker exec … pg_dump > file` and `docker exec -i … psql < file` of the same data in the same
 * run, each store after one untimed dump (both JVMs warm, as a daemon and a server are). Prints
 * MB/s, the ratio against the plain baseline (target 0.9) and peak heap; asserts only
 * correctness (the bench profile runs this JVM with -Xmx256m, so buffering a dump would fail it).
 */
@ExtendWith(BenchTable.Extension.class)
class BackupBenchmark {

  private static final double TARGET = 0.9;
  private static final com.sun.management.OperatingSystemMXBean OWN_CPU =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final String DUMP = "pg_dump -U postgres bench";
  private static final String RESTORE = "psql -q -v ON_ERROR_STOP=1 -U postgres -d postgres"
      + " -c 'DROP DATABASE IF EXISTS restored WITH (FORCE)' -c 'CREATE DATABASE restored'"
      + " && psql -q -v ON_ERROR_STOP=1 -U postgres -d restored";

  @TempDir Path tmp;
  private final String project = "bsbench-" + UUID.randomUUID().toString().substring(0, 8);
  private final String container = project + "-db";

  @AfterEach
  void tearDown() throws Exception {
    DemoRepo.run(List.of("docker", "rm", "-f", "-v", container), tmp);
  }

  @Test
  void oneGigabyteOfRandomTextStreamsToFileAndS3AndBackWithFlatHeap(BenchTable table) throws Exception {
    DemoRepo.run(List.of("docker", "run", "-d", "--name", container,
        "--label", "com.docker.compose.project=" + project, "--label", "com.docker.compose.service=db",
        PgStack.IMAGE), tmp);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
        DemoRepo.run(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", container), tmp).trim().equals("healthy"));
    long t0 = System.nanoTime();
    psql("postgres", "CREATE DATABASE bench");
    // ~1000 bytes of random hex per row, a million rows: about 1 GB of dump that gzip halves at best.
    // -Dbench.backup.rows=200000 makes a 200 MB dump, to compare one change quickly.
    long rows = Long.getLong("bench.backup.rows", 1_000_000);
    int rounds = Integer.getInteger("bench.backup.rounds", 1);
    psql("bench", "CREATE TABLE big AS SELECT g AS id, (SELECT string_agg(md5(random()::text || g || i), '')"
        + " FROM generate_series(1, 31) i) AS payload FROM generate_series(1, " + rows + ") g");
    System.out.printf("[bench] generated table big (%s) in %.1f s%n",
        psql("bench", "SELECT pg_size_pretty(pg_total_relation_size('big'))"), (System.nanoTime() - t0) / 1e9);

    Path plain = tmp.resolve("plain.sql");
    double plainDump = seconds(() -> DemoRepo.run(List.of("sh", "-c",
        "docker exec " + container + " " + DUMP + " > " + plain), tmp));
    long dumpBytes = Files.size(plain);
    double mb = dumpBytes / 1e6;
    double plainRestore = seconds(() -> DemoRepo.run(List.of("sh", "-c",
        "docker exec -i " + container + " sh -c \"" + RESTORE + "\" < " + plain), tmp));
    String expected = psql("restored", "SELECT count(*), md5(string_agg(payload, '' ORDER BY id)) FROM big");
    Files.delete(plain);

    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    DatabaseBackups.Target target = new DatabaseBackups.Target(project, "db", null);
    try (DockerHosts docker = new DockerHosts();
        S3Server s3 = S3Server.start(tmp, "bench");
        BackupStore local = new LocalDirStore(tmp.resolve("backups"));
        BackupStore remote = s3.store("bench", "pg")) {
      DockerDatabaseBackups backups = new DockerDatabaseBackups(docker);
      // The daemon's engine clients live as long as it does; connect them before timing, so that the
      // rows measure streaming, not this JVM's first docker-java call (~0.4 s of class loading).
      for (DockerHosts.Purpose purpose : List.of(DockerHosts.Purpose.API, DockerHosts.Purpose.LONG_CALL)) {
        docker.client(DockerEndpoint.LOCAL, purpose).pingCmd().exec();
      }
      for (BackupStore store : List.of(local, remote)) {
        String kind = store == local ? "local file" : "S3 (s3proxy)";
        DatabaseBackups.Copy copy = new DatabaseBackups.Copy(store, "bench", null);
        BackupOutcome[] out = new BackupOutcome[1];
        // -Dbench.backup.rounds=N dumps N times, each extra Backstop dump right after a plain one,
        // and compares medians: on a shared machine one pair of runs can be far apart in load.
        // One untimed dump first: the daemon and an S3 server run for months, so the rows measure
        // them warm, not this JVM's or s3proxy's first seconds of compiling the streaming code.
        assertThat(backups.dump(target, DUMP, copy).ok()).as("the warm-up dump").isTrue();
        List<Double> plainRates = new ArrayList<>(List.of(mb / plainDump));
        List<Double> rates = new ArrayList<>();
        long dumpHeap = 0;
        for (int round = 0; round < rounds; round++) {
          if (round > 0) {
            plainRates.add(mb / seconds(() -> DemoRepo.run(List.of("sh", "-c",
                "docker exec " + container + " " + DUMP + " > " + plain), tmp)));
            Files.delete(plain);
          }
          resetPeak(heap);
          Duration serverCpu = s3.cpu();
          long ownCpu = OWN_CPU.getProcessCpuTime();
          double took = seconds(() -> out[0] = backups.dump(target, DUMP, copy));
          rates.add(mb / took);
          dumpHeap = Math.max(dumpHeap, peak(heap));
          // Where the cores went, to tell the dump's own cost from the S3 server's on the same machine.
          System.out.printf("[bench] dump to %s: %.1f s; CPU: this JVM %.1f s, s3proxy %.1f s%n", kind, took,
              (OWN_CPU.getProcessCpuTime() - ownCpu) / 1e9, s3.cpu().minus(serverCpu).toMillis() / 1e3);
          assertThat(out[0].ok()).as(out[0].message()).isTrue();
        }
        row(table, "dump to " + kind, "docker exec pg_dump > file", mb, rates, BenchTable.median(plainRates),
            dumpHeap);
        resetPeak(heap);
        String sha = out[0].sha256();
        double restore = seconds(() -> out[0] = backups.restore(target, RESTORE, copy, sha));
        long restoreHeap = peak(heap);
        assertThat(out[0].ok()).as(out[0].message()).isTrue();
        row(table, "restore from " + kind, "docker exec -i psql < file", mb, List.of(mb / restore), mb / plainRestore,
            restoreHeap);
        assertThat(psql("restored", "SELECT count(*), md5(string_agg(payload, '' ORDER BY id)) FROM big"))
            .as("the restore holds exactly the data").isEqualTo(expected);
        assertThat(BackupFormat.verify(store, "bench", sha, null)).as("the backup holds the whole dump")
            .isEqualTo(dumpBytes);
      }
    }
    System.out.printf("[bench] dump %.0f MB of random text; max heap %d MB; plain dump %.1f s (%.0f MB/s),"
        + " plain restore %.1f s (%.0f MB/s)%n", mb, Runtime.getRuntime().maxMemory() / (1 << 20),
        plainDump, mb / plainDump, plainRestore, mb / plainRestore);
  }

  private static void row(BenchTable table, String what, String baseline, double mb, List<Double> rates,
      double plainRate, long heapBytes) {
    boolean met = BenchTable.median(rates) / plainRate >= TARGET;
    table.add(BenchTable.Row.of("backup", String.format("%.0f MB random text: %s", mb, what), rates,
        "MB/s").against(baseline, plainRate).target(">= " + TARGET + "x plain", met));
    table.add(BenchTable.Row.of("backup", "peak heap during " + what, List.of(heapBytes / 1e6), "MB")
        .target("flat: < the 256 MB heap", heapBytes < 256e6));
  }

  private static double seconds(Callable<?> work) throws Exception {
    long t = System.nanoTime();
    work.call();
    return (System.nanoTime() - t) / 1e9;
  }

  private static void resetPeak(List<MemoryPoolMXBean> heap) {
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peak(List<MemoryPoolMXBean> heap) {
    return heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private String psql(String db, String sql) throws Exception {
    return DemoRepo.run(List.of("docker", "exec", container, "psql", "-U", "postgres", "-d", db, "-At", "-c", sql),
        tmp).trim();
  }
}
