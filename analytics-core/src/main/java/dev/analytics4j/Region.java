package dev.analytics4j;

/**
 * Where a workspace lives. A write key only works in its own region: a US key sent to the EU host
 * (or the reverse) is rejected.
 */
public enum Region {
  US("https://api.segment.io"),
  EU("https://events.eu1.segmentapis.com");

  private final String host;

  Region(String host) {
    this.host = host;
  }

  /** The API host, without a path; the client posts to {@code host + "/v1/batch"}. */
  public String host() {
    return host;
  }
}
