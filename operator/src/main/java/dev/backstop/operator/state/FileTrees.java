package dev.backstop.operator.state;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removes directory trees and says when it could not. */
public final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes {@code dir} and everything below it; nothing to do when it does not exist. Links are
   * removed, never followed.
   *
   * @throws IOException naming the first entry that could not be deleted
   */
  public static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void delete(Path p) throws IOException {
    try {
      Files.delete(p);
    } catch (NoSuchFileException e) {
      // Gone already (another cleanup got there first): that is the wanted end state.
    }
  }
}
