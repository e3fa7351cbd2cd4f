package dev.backstop.operator.cli;

import java.io.PrintWriter;

/** Sends a request (a StagingRelease request annotation) to wherever the release lives. */
final class Requests {

  private Requests() {}

  static void send(StateOption state, String name, String key, PrintWriter out) {
    String delivered = state.source().request(name, key);
    out.println(key.substring(key.indexOf('/') + 1) + " requested for " + name + "; " + delivered);
    out.flush();
  }
}
