package dev.backstop.operator.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hung peer on loopback: it accepts every TCP connection and never sends a byte, which is what
 * a wedged Prometheus, git server or proxy looks like. Only a client deadline gets past it.
 */
public final class SilentPeer implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private SilentPeer(ServerSocket server) {
    this.server = server;
    this.acceptor = new Thread(this::accept, "silent-peer");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts listening on a free loopback port. */
  public static SilentPeer start() throws IOException {
    return new SilentPeer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** How many connections it has accepted (and left unanswered). */
  public int accepted() {
    return held.size();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        // Held open, never read from or written to: the client waits on its own deadline.
        held.add(server.accept());
      } catch (IOException e) {
        // Closed by close(): the loop ends.
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : held) {
      s.close();
    }
  }
}
