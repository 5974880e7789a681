package dev.analytics4j.spring.boot;

import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells each of several listeners; one that throws does not keep the others from being told. */
final class CompositeListener extends AnalyticsListener {
  private static final Logger logger = LoggerFactory.getLogger(CompositeListener.class);

  private final List<AnalyticsListener> listeners;

  CompositeListener(List<AnalyticsListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  static AnalyticsListener of(List<AnalyticsListener> listeners) {
    if (listeners.isEmpty()) return AnalyticsListener.NONE;
    return listeners.size() == 1 ? listeners.get(0) : new CompositeListener(listeners);
  }

  private void each(Consumer<AnalyticsListener> call) {
    for (AnalyticsListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException | LinkageError e) {
        logger.warn("AnalyticsListener {} threw; ignoring", listener, e);
      }
    }
  }

  @Override
  public void messageEnqueued(EncodedMessage message) {
    each(l -> l.messageEnqueued(message));
  }

  @Override
  public void messageDelivered(EncodedMessage message) {
    each(l -> l.messageDelivered(message));
  }

  @Override
  public void messageFailed(EncodedMessage message, Failure failure) {
    each(l -> l.messageFailed(message, failure));
  }

  @Override
  public void messageDropped(EncodedMessage message, DropReason reason) {
    each(l -> l.messageDropped(message, reason));
  }

  @Override
  public void requestStart(int messageCount, int attempt) {
    each(l -> l.requestStart(messageCount, attempt));
  }

  @Override
  public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
    each(l -> l.requestEnd(messageCount, attempt, statusCode, latencyNanos));
  }

  @Override
  public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
    each(l -> l.requestFailed(messageCount, attempt, error, latencyNanos));
  }

  @Override
  public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
    each(l -> l.retryScheduled(messageCount, nextAttempt, delayNanos));
  }

  @Override
  public String toString() {
    return "CompositeListener" + listeners;
  }
}
