package dev.analytics4j.internal;

import java.util.UUID;

/**
 * Not API: may change in any release. Name-based (version 5) UUIDs as RFC 9562 makes them, for the
 * modules of ours whose messageIds must come out the same on every run (the importer's lines, the
 * Spark writer's rows): the caller hashes a namespace's bytes and the name with SHA-1.
 */
public final class NameUuids {
  private NameUuids() {}

  /** The 16 bytes of {@code uuid}, most significant first: what goes into the hash before the name. */
  public static byte[] bytes(UUID uuid) {
    byte[] bytes = new byte[16];
    long high = uuid.getMostSignificantBits();
    long low = uuid.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (high >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (low >>> (56 - 8 * i));
    }
    return bytes;
  }

  /** The version 5 UUID, as text, of a SHA-1 {@code digest} of namespace and name. */
  public static String fromSha1(byte[] digest) {
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) high = high << 8 | (digest[i] & 0xff);
    for (int i = 8; i < 16; i++) low = low << 8 | (digest[i] & 0xff);
    high = (high & ~0xF000L) | 0x5000L; // version 5
    low = (low & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L; // IETF variant
    return new UUID(high, low).toString();
  }
}
