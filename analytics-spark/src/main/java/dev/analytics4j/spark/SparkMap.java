package dev.analytics4j.spark;

import java.util.LinkedHashMap;

/**
 * The value of a Spark MAP: a map like any other for the core, which sends it as a JSON object, but
 * marked so that {@link RowIds} hashes its entries in a canonical order. Spark keeps a map's entries
 * in the order the data produced them, and a map built after a shuffle
 * ({@code map_from_entries(collect_list(...))}) can hold them in another order when a task is retried
 * or the job re-run: that order is not part of the row. A struct's fields, by contrast, are in the
 * schema's order and stay a plain map.
 */
final class SparkMap<K, V> extends LinkedHashMap<K, V> {
  private static final long serialVersionUID = 1L;

  SparkMap(int entries) {
    super(entries * 2);
  }
}
