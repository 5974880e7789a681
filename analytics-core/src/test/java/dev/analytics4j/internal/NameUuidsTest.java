package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class NameUuidsTest {
  @Test
  void makesTheVersion5UuidOfRfc9562sExample() throws Exception {
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    sha1.update(NameUuids.bytes(UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8"))); // the DNS namespace
    sha1.update("www.example.com".getBytes(StandardCharsets.UTF_8));
    assertEquals("2ed6657d-e927-568b-95e1-2665a8aea6a2", NameUuids.fromSha1(sha1.digest()));
  }
}
