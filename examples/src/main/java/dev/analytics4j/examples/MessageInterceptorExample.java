package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An interceptor on top of the public API: every message passes through a function before it is
 * enqueued. Here it adds the app's build and region to each message's context (keys the caller set
 * win), the server-side equivalent of the context a browser library collects by itself.
 *
 * <p>Messages are immutable and have no {@code newBuilder()}, so {@link #withContext} copies one
 * into a builder of its type.
 */
public final class MessageInterceptorExample {
  private MessageInterceptorExample() {}

  /** Wraps a client: {@code enqueue} runs the interceptor first. */
  static final class InterceptingAnalytics implements AutoCloseable {
    private final Analytics analytics;
    private final UnaryOperator<Message> interceptor;

    InterceptingAnalytics(Analytics analytics, UnaryOperator<Message> interceptor) {
      this.analytics = Objects.requireNonNull(analytics, "analytics == null");
      this.interceptor = Objects.requireNonNull(interceptor, "interceptor == null");
    }

    void enqueue(Message.Builder<?, ?> message) {
      analytics.enqueue(interceptor.apply(message.build()));
    }

    FlushResult flush(Duration timeout) throws InterruptedException {
      return analytics.flush(timeout);
    }

    @Override
    public void close() {
      analytics.close();
    }
  }

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  static void run(ExampleTarget target) throws Exception {
    Map<String, Object> appContext = Map.of(
        "app", Map.of("name", "billing-service", "version", "2.4.1", "build", "8812"),
        "region", "eu-west-1");

    try (InterceptingAnalytics analytics = new InterceptingAnalytics(target.builder().build(),
            message -> withContext(message, appContext))) {
      analytics.enqueue(TrackMessage.builder("Invoice Paid").userId("u1").properties(Map.of("amount", 99)));
      analytics.enqueue(IdentifyMessage.builder().userId("u1").context(Map.of("ip", "203.0.113.7")));
      System.out.println("Flush: " + analytics.flush(Duration.ofSeconds(10)));

      LocalCollector collector = target.collector();
      if (collector != null) {
        for (LocalCollector.Received request : collector.received()) {
          for (Map<String, Object> message : request.messages()) {
            System.out.println(message.get("type") + " context: " + message.get("context"));
          }
        }
      }
      target.report();
    }
  }

  /** A copy of {@code message} whose context is {@code extra} overlaid with the message's own. */
  static Message withContext(Message message, Map<String, ?> extra) {
    Map<String, Object> context = new LinkedHashMap<>(extra);
    context.putAll(message.context());
    Message.Builder<?, ?> copy;
    if (message instanceof TrackMessage) {
      TrackMessage m = (TrackMessage) message;
      copy = TrackMessage.builder(m.event()).properties(m.properties());
    } else if (message instanceof IdentifyMessage) {
      copy = IdentifyMessage.builder().traits(((IdentifyMessage) message).traits());
    } else if (message instanceof PageMessage) {
      PageMessage m = (PageMessage) message;
      PageMessage.Builder b = PageMessage.builder().properties(m.properties());
      if (m.name() != null) b.name(m.name());
      if (m.category() != null) b.category(m.category());
      copy = b;
    } else if (message instanceof ScreenMessage) {
      ScreenMessage m = (ScreenMessage) message;
      ScreenMessage.Builder b = ScreenMessage.builder().properties(m.properties());
      if (m.name() != null) b.name(m.name());
      copy = b;
    } else if (message instanceof GroupMessage) {
      GroupMessage m = (GroupMessage) message;
      copy = GroupMessage.builder(m.groupId()).traits(m.traits());
    } else if (message instanceof AliasMessage) {
      copy = AliasMessage.builder(((AliasMessage) message).previousId());
    } else {
      throw new IllegalArgumentException("unknown message type: " + message.getClass().getName());
    }
    if (message.userId() != null) copy.userId(message.userId());
    if (message.anonymousId() != null) copy.anonymousId(message.anonymousId());
    return copy.messageId(message.messageId())     // keep the id: it is the dedupe key
        .timestamp(message.timestamp())
        .integrations(message.integrations())
        .context(context)
        .build();
  }

}
