package dev.analytics4j.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages every benchmark sends, the same for both clients: a typical e-commerce Track of ten
 * properties, one of them a list of two product maps, and an Identify with a few traits.
 */
public final class Workload {
  public static final String EVENT = "Order Completed";

  private Workload() {}

  /** A fresh properties map for order {@code n}, as application code builds one per event. */
  public static Map<String, Object> trackProperties(long n) {
    Map<String, Object> properties = new LinkedHashMap<>(16);
    properties.put("order_id", "ord_" + n);
    properties.put("checkout_id", "chk_7f3a9c21");
    properties.put("affiliation", "Web Store");
    properties.put("total", 67.49);
    properties.put("revenue", 57.49);
    properties.put("shipping", 6.5);
    properties.put("tax", 3.5);
    properties.put("coupon", "SPRING25");
    properties.put("currency", "EUR");
    List<Object> products = new ArrayList<>(2);
    products.add(product("sku_1042", "Trail Running Shoes", 44.99, 1));
    products.add(product("sku_2207", "Merino Socks", 12.5, 1));
    properties.put("products", products);
    return properties;
  }

  private static Map<String, Object> product(String sku, String name, double price, int quantity) {
    Map<String, Object> product = new LinkedHashMap<>(8);
    product.put("product_id", sku);
    product.put("sku", sku);
    product.put("name", name);
    product.put("price", price);
    product.put("quantity", quantity);
    product.put("category", "Apparel");
    return product;
  }

  /** Traits of a known user. */
  public static Map<String, Object> identifyTraits(long n) {
    Map<String, Object> traits = new LinkedHashMap<>(8);
    traits.put("email", "user" + n + "@example.org");
    traits.put("name", "Ada Lovelace");
    traits.put("plan", "team");
    traits.put("logins", 42);
    traits.put("verified", true);
    return traits;
  }

  /** The user of message {@code n}: a few thousand distinct users, as on a busy server. */
  public static String userId(long n) {
    return "usr_" + (n % 5_000);
  }
}
