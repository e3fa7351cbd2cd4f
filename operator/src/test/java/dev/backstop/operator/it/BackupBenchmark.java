package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.backup.BackupFiles;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.core.BackupOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ~1 GB pg_dump streamed by Backstop (docker-java exec -> gzip -> file) beside a plain
 * `docker exec … pg_dump > file` of the same data in the same run. Prints peak heap and MB/s;
 * asserts only correctness (the bench profile runs this JVM with -Xmx256m, so buffering the dump
 * in memory would fail it).
 */
@ExtendWith(BenchTable.Extension.class)
class BackupBenchmark {

  @TempDir Path tmp;
  private final String project = "bsbench-" + UUID.randomUUID().toString().substring(0, 8);
  private final String container = project + "-db";

  @AfterEach
  void tearDown() throws Exception {
    DemoRepo.run(List.of("docker", "rm", "-f", "-v", container), tmp);
  }

  @Test
  void oneGigabyteDumpStreamsWithFlatHeap(BenchTable table) throws Exception {
    DemoRepo.run(List.of("docker", "run", "-d", "--name", container,
        "--label", "com.docker.compose.project=" + project, "--label", "com.docker.compose.service=db",
        PgStack.IMAGE), tmp);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
        DemoRepo.run(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", container), tmp).trim().equals("healthy"));
    long t0 = System.nanoTime();
    // ~1000 bytes of text per row, a million rows: about 1 GB of dump.
    psql("CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 31) AS payload FROM generate_series(1, 1000000) g");
    System.out.printf("[bench] generated table big (%s) in %.1f s%n",
        psql("SELECT pg_size_pretty(pg_total_relation_size('big'))"), (System.nanoTime() - t0) / 1e9);

    Path plain = tmp.resolve("plain.sql");
    long p0 = System.nanoTime();
    DemoRepo.run(List.of("sh", "-c", "docker exec " + container + " pg_dump -U postgres postgres > " + plain), tmp);
    double plainSeconds = (System.nanoTime() - p0) / 1e9;
    long dumpBytes = Files.size(plain);
    Files.delete(plain);

    List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    System.gc();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    Path file = BackupFiles.file(tmp.resolve("backups"), "bench");
    long b0 = System.nanoTime();
    BackupOutcome outcome;
    try (DockerHosts docker = new DockerHosts()) {
      outcome = new DockerDatabaseBackups(docker).dump(
          new DatabaseBackups.Target(project, "db", null), "pg_dump -U postgres postgres", file);
    }
    double backstopSeconds = (System.nanoTime() - b0) / 1e9;
    long peakHeap = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    assertThat(outcome.ok()).as(outcome.message()).isTrue();
    long restoredBytes = BackupFiles.verify(file, outcome.sha256());

    double mb = dumpBytes / 1e6;
    System.out.printf("[bench] dump size %.0f MB (gzip file %.1f MB); max heap %d MB%n", mb,
        Files.size(file) / 1e6, Runtime.getRuntime().maxMemory() / (1 << 20));
    table.add(BenchTable.Row.of("backup", String.format("%.0f MB dump: exec stream -> gzip -> sha256 -> file", mb),
        List.of(mb / backstopSeconds), "MB/s").against("docker exec pg_dump > file", mb / plainSeconds));
    table.add(BenchTable.Row.of("backup", "peak heap during that dump", List.of(peakHeap / 1e6), "MB")
        .target("flat: < the 256 MB heap", peakHeap < 256e6));
    assertThat(restoredBytes).as("the gzip holds the whole dump").isEqualTo(dumpBytes);
  }

  private String psql(String sql) throws Exception {
    return DemoRepo.run(List.of("docker", "exec", container, "psql", "-U", "postgres", "-At", "-c", sql), tmp).trim();
  }
}
