package dev.backstop.operator.compose;

/**
 * TLS material for a {@code tcp://} Docker host, from spec.compose.tlsSecretRef. {@link
 * #toString()} never shows the values, so a stray log statement cannot leak the key.
 *
 * @param caCert PEM of the CA that signed the engine's certificate
 * @param clientCert PEM of the client certificate the engine trusts
 * @param clientKey PEM of the client certificate's private key
 */
public record DockerTls(String caCert, String clientCert, String clientKey) {

  @Override
  public String toString() {
    return "DockerTls[ca, cert, key]";
  }
}
