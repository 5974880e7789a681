/** Of ours, only dev.analytics4j: the transport is found through the service it provides. */
module dev.analytics4j.it.modular {
  requires dev.analytics4j;
  // The consumer builds' collector (an automatic module) and the JDK's HTTP server it runs on.
  requires collector;
  requires jdk.httpserver;
}
