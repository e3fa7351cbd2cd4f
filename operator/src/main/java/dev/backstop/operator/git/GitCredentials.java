package dev.backstop.operator.git;

/**
 * Credentials for one repository, from a Secret. {@link #toString()} never shows the values, so a
 * stray log statement cannot leak them.
 *
 * @param username for https; null means a token-only host ({@code x-access-token})
 * @param password password or token for https
 * @param sshPrivateKey PEM private key for ssh URLs
 * @param knownHosts known_hosts lines for ssh URLs
 */
public record GitCredentials(
    String username, String password, String sshPrivateKey, String knownHosts) {

  /** Username and password (or token) for https remotes. */
  public static GitCredentials basic(String username, String password) {
    return new GitCredentials(username, password, null, null);
  }

  public boolean hasPassword() {
    return password != null && !password.isEmpty();
  }

  public boolean hasSshKey() {
    return sshPrivateKey != null && !sshPrivateKey.isEmpty();
  }

  @Override
  public String toString() {
    return "GitCredentials[" + (hasPassword() ? "password " : "") + (hasSshKey() ? "ssh-key" : "")
        + "]";
  }
}
