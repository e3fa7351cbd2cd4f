package dev.backstop.operator.git;

import dev.backstop.operator.state.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetch's SSH session with the key and known_hosts of a Secret: both written 0600 into a
 * private directory that lives only as long as the fetch. Host keys are checked strictly against
 * that known_hosts only, never the operator's own ~/.ssh, and unknown hosts are refused.
 */
final class SshAccess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SshAccess.class);

  private final Path dir;
  private final SshdSessionFactory factory;

  private SshAccess(Path dir, SshdSessionFactory factory) {
    this.dir = dir;
    this.factory = factory;
  }

  /**
   * @param parent where the private directory is created (the git cache root)
   * @throws IOException when the files cannot be written
   */
  static SshAccess open(Path parent, GitCredentials credentials) throws IOException {
    Files.createDirectories(parent);
    Path dir =
        Files.createTempDirectory(
            parent,
            ".ssh-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      Path key = privateFile(dir.resolve("id"), withFinalNewline(credentials.sshPrivateKey()));
      Path knownHosts = privateFile(dir.resolve("known_hosts"), withFinalNewline(credentials.knownHosts()));
      // An explicit config, so nothing from the operator's ~/.ssh/config loosens the checks.
      Path config =
          privateFile(
              dir.resolve("config"),
              "Host *\n"
                  + "  StrictHostKeyChecking yes\n"
                  + "  UserKnownHostsFile "
                  + knownHosts
                  + "\n"
                  + "  GlobalKnownHostsFile /dev/null\n"
                  + "  IdentitiesOnly yes\n"
                  + "  IdentityFile "
                  + key
                  + "\n"
                  + "  PreferredAuthentications publickey\n");
      SshdSessionFactory factory =
          new SshdSessionFactoryBuilder()
              .setHomeDirectory(dir.toFile())
              .setSshDirectory(dir.toFile())
              .setConfigFile(sshDir -> config.toFile())
              .setDefaultIdentities(sshDir -> List.of(key))
              .setDefaultKnownHostsFiles(sshDir -> List.of(knownHosts))
              .setPreferredAuthentications("publickey")
              .build(new JGitKeyCache());
      return new SshAccess(dir, factory);
    } catch (IOException | RuntimeException e) {
      delete(dir);
      throw e;
    }
  }

  /** Points the fetch's SSH transport at this session factory. */
  TransportConfigCallback callback() {
    return transport -> {
      if (transport instanceof SshTransport ssh) {
        ssh.setSshSessionFactory(factory);
      }
    };
  }

  @Override
  public void close() {
    factory.close();
    delete(dir);
  }

  private static Path privateFile(Path file, String content) throws IOException {
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  // OpenSSH-format keys without a final newline do not parse.
  private static String withFinalNewline(String text) {
    return text.endsWith("\n") ? text : text + "\n";
  }

  // The directory holds a private key, so a leftover is worth a warning; it stays 0700.
  private static void delete(Path dir) {
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("cannot remove the ssh key directory {}: {}", dir, e.toString());
    }
  }
}
