package dev.analytics4j.it.modular;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.it.Collector;
import dev.analytics4j.messages.TrackMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Runs on the module path. Argument 1 names the setup, argument 2 the module the transport must
 * come from. Delivers to a collector, then sends to a closed port so the client warns.
 */
public final class ModularApp {
  public static void main(String[] args) throws Exception {
    String setup = args[0];
    String transportModule = args[1];
    check(ModularApp.class.getModule().isNamed(), "the app is not a named module");
    check("dev.analytics4j".equals(Analytics.class.getModule().getName()),
        "Analytics is in " + Analytics.class.getModule());
    check(ModuleLayer.boot().findModule(transportModule).isPresent(),
        transportModule + " was not resolved: " + ModuleLayer.boot().modules());
    boolean slf4j = ModuleLayer.boot().findModule("org.slf4j").isPresent();
    check(slf4j == setup.endsWith("-slf4j"), "org.slf4j in the module graph: " + slf4j);

    try (Collector collector = Collector.start();
         Analytics analytics = Analytics.builder("module-path-write-key")
             .endpoint(collector.url())
             .shutdownHook(false)
             .build()) {
      List<String> ids = List.of(UUID.randomUUID().toString());
      analytics.enqueue(TrackMessage.builder("Module Path Used").userId("u1").messageId(ids.get(0)));
      FlushResult result = analytics.flush(Duration.ofSeconds(30));
      check(result.isSuccess(), "flush did not deliver: " + result);
      collector.awaitMessageIds(ids, Duration.ofSeconds(10));
    }

    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (Analytics analytics = Analytics.builder("module-path-write-key")
        .endpoint("http://127.0.0.1:" + closedPort)
        .maxRetries(0)
        .shutdownHook(false)
        .build()) {
      analytics.enqueue(TrackMessage.builder("Logged").userId("u1"));
      check(!analytics.flush(Duration.ofSeconds(30)).isSuccess(), "a closed port accepted the batch");
    }
    System.out.println("module-path-app " + setup + ": delivered from module "
        + Analytics.class.getModule().getName() + " with the transport of " + transportModule);
  }

  private static void check(boolean condition, String message) {
    if (!condition) throw new AssertionError(message);
  }
}
