package dev.backstop.operator.notify;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.state.AtomicFile;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Local mode's reports: {@code reports.json} and {@code report-notes.json} in the release's directory. */
public final class FileReportStore implements ReportStore {

  private final StateLayout layout;

  public FileReportStore(Path stateDir) {
    this.layout = StateLayout.local(stateDir);
  }

  @Override
  public List<ReportEntry> reports(StagingRelease release) throws IOException {
    String text = read(file(release, REPORTS_KEY));
    return text == null ? List.of() : Json.reports(text);
  }

  @Override
  public void write(StagingRelease release, List<ReportEntry> reports) throws IOException {
    AtomicFile.write(file(release, REPORTS_KEY), Json.write(reports).getBytes(StandardCharsets.UTF_8),
        AtomicFile.Access.OWNER_ONLY);
  }

  @Override
  public Map<Integer, ReportNotes> notes(StagingRelease release) throws IOException {
    String text = read(file(release, NOTES_KEY));
    return text == null ? Map.of() : Json.notes(text);
  }

  @Override
  public void writeNotes(StagingRelease release, Map<Integer, ReportNotes> notes) throws IOException {
    AtomicFile.write(file(release, NOTES_KEY), Json.write(new TreeMap<>(notes)).getBytes(StandardCharsets.UTF_8),
        AtomicFile.Access.OWNER_ONLY);
  }

  private Path file(StagingRelease release, String key) {
    return layout.release(release.getMetadata().getName()).path().resolve(key);
  }

  private static String read(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
