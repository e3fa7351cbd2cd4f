package dev.backstop.operator.notify;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where a driver keeps a release's rollback reports: the state directory locally, a ConfigMap
 * owned by the release in a cluster. The daemon writes reports, the CLI writes notes, each into
 * its own place, so neither overwrites the other.
 */
public interface ReportStore {

  /** The reports kept for {@code release}, oldest first; empty when there are none. */
  List<ReportEntry> reports(StagingRelease release) throws IOException;

  /** Replaces the kept reports of {@code release}. */
  void write(StagingRelease release, List<ReportEntry> reports) throws IOException;

  /** The notes people added, by report id. */
  Map<Integer, ReportNotes> notes(StagingRelease release) throws IOException;

  /** Replaces the notes of {@code release}. */
  void writeNotes(StagingRelease release, Map<Integer, ReportNotes> notes) throws IOException;

  /** The reports with their notes merged in, oldest first. */
  default List<ReportEntry> annotated(StagingRelease release) throws IOException {
    Map<Integer, ReportNotes> notes = notes(release);
    return reports(release).stream().map(r -> notes.containsKey(r.id()) ? r.withNotes(notes.get(r.id())) : r).toList();
  }

  /** The name of the ConfigMap that holds {@code release}'s reports in a cluster. */
  static String configMapName(String release) {
    return release + "-rollback-reports";
  }

  /** The ConfigMap key (and local file name) of the reports. */
  String REPORTS_KEY = "reports.json";

  /** The ConfigMap key (and local file name) of the notes. */
  String NOTES_KEY = "report-notes.json";
}
