package dev.backstop.operator.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {

  @TempDir Path tmp;

  @Test
  void deletesATreeButNotWhatALinkInsidePointsTo() throws IOException {
    Path outside = Files.writeString(tmp.resolve("outside.txt"), "keep me");
    Path tree = Files.createDirectories(tmp.resolve("release").resolve("checkouts").resolve("abc"));
    Files.writeString(tree.resolve("compose.yaml"), "services: {}\n");
    Files.createSymbolicLink(tree.resolve("link"), outside);

    FileTrees.deleteTree(tmp.resolve("release"));

    assertThat(tmp.resolve("release")).doesNotExist();
    assertThat(Files.readString(outside)).isEqualTo("keep me");
  }

  @Test
  void aMissingTreeIsNothingToDo() throws IOException {
    FileTrees.deleteTree(tmp.resolve("never-created"));

    assertThat(tmp.resolve("never-created")).doesNotExist();
  }
}
