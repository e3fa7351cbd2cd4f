package dev.backstop.operator.health;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a limit: the rest is not read (the subscription is cancelled), so a
 * target that streams forever costs at most {@code limit} bytes of memory.
 */
final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Body> {

  /** What was read, and whether the body went on beyond the limit. */
  record Body(String text, boolean truncated) {}

  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<Body> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private CappedBody(int limit) {
    this.limit = limit;
  }

  static HttpResponse.BodyHandler<Body> handler(int limit) {
    return info -> new CappedBody(limit);
  }

  @Override
  public CompletionStage<Body> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int room = limit - bytes.size();
      int take = Math.min(room, b.remaining());
      byte[] chunk = new byte[take];
      b.get(chunk);
      bytes.write(chunk, 0, take);
      if (b.hasRemaining()) {
        subscription.cancel();
        result.complete(new Body(bytes.toString(StandardCharsets.UTF_8), true));
        return;
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(new Body(bytes.toString(StandardCharsets.UTF_8), false));
  }
}
