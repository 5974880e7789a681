package dev.analytics4j.it.boot27;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.it.Collector;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import kotlin.KotlinVersion;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A Boot 2.7 application that declares the client as a bean, as a user without a starter does,
 * next to its own OkHttp 4 client; started from its Boot jar. Fails (exit code 1) unless the
 * events arrive.
 */
@SpringBootApplication
public class Boot27App {
  @Bean(destroyMethod = "close")
  Analytics analytics(@Value("${analytics.endpoint}") String endpoint) {
    return Analytics.builder("boot27-write-key").endpoint(endpoint).shutdownHook(false).build();
  }

  @Bean
  OkHttpClient okHttpClient() {
    return new OkHttpClient();
  }

  public static void main(String[] args) throws Exception {
    try (Collector collector = Collector.start();
         ConfigurableApplicationContext context = SpringApplication.run(
             Boot27App.class, "--analytics.endpoint=" + collector.url())) {
      check("1.6.21".equals(KotlinVersion.CURRENT.toString()),
          "the app's Kotlin is 1.6.21 (Boot 2.7's), but it is " + KotlinVersion.CURRENT);
      String okHttpJar = String.valueOf(
          OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation());
      check(okHttpJar.contains("okhttp-4.9.3.jar"),
          "the app's OkHttp is 4.9.3 (Boot 2.7's), but it comes from " + okHttpJar);

      Analytics analytics = context.getBean(Analytics.class);
      List<String> ids = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
      analytics.enqueue(IdentifyMessage.builder().userId("u1").messageId(ids.get(0))
          .traits(Map.of("plan", "team")));
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").messageId(ids.get(1))
          .properties(Map.of("revenue", 42.5)));
      FlushResult result = analytics.flush(Duration.ofSeconds(30));
      check(result.isSuccess(), "flush did not deliver everything: " + result);
      collector.awaitMessageIds(ids, Duration.ofSeconds(10));

      // The app's own OkHttp 4 and Kotlin 1.6 still work with the client loaded next to them.
      OkHttpClient own = context.getBean(OkHttpClient.class);
      try (Response response = own.newCall(
          new Request.Builder().url(collector.url() + "/health").build()).execute()) {
        check(response.code() == 404, "the app's own OkHttp call got " + response.code());
      }
      System.out.println("boot27-app: delivered from Spring Boot 2.7 next to OkHttp 4.9.3 and Kotlin "
          + KotlinVersion.CURRENT);
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) throw new AssertionError(message);
  }
}
