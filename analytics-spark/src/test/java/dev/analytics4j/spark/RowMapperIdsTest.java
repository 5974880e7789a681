package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * messageIds of rows holding Spark MAPs, built as Spark hands them to the writer: a MAP's entries in
 * another order (as after a shuffle) must not change the id.
 */
class RowMapperIdsTest {
  private static final StructType PROPERTIES = new StructType()
      .add("tags", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
      .add("lists", DataTypes.createArrayType(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType)))
      .add("inner", DataTypes.createMapType(DataTypes.StringType,
          DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType)));
  private static final StructType SCHEMA = new StructType()
      .add("type", DataTypes.StringType)
      .add("userId", DataTypes.StringType)
      .add("event", DataTypes.StringType)
      .add("properties", PROPERTIES)
      .add("context", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));

  private static UTF8String s(String s) {
    return UTF8String.fromString(s);
  }

  /** A Spark map of these keys and values, in this order. */
  private static MapData map(Object... keyValues) {
    Object[] keys = new Object[keyValues.length / 2];
    Object[] values = new Object[keys.length];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = keyValues[2 * i];
      values[i] = keyValues[2 * i + 1];
    }
    return new ArrayBasedMapData(new GenericArrayData(keys), new GenericArrayData(values));
  }

  private static InternalRow row(Object tags, Object lists, Object inner, Object context) {
    return new GenericInternalRow(new Object[] {s("track"), s("u1"), s("Viewed"),
        new GenericInternalRow(new Object[] {tags, lists, inner}), context});
  }

  private static String id(InternalRow row, String... options) throws RejectedValueException {
    Map<String, String> map = new java.util.HashMap<>(Map.of("writeKey", "k"));
    for (int i = 0; i < options.length; i += 2) map.put(options[i], options[i + 1]);
    return new RowMapper(SCHEMA, WriterOptions.parse(map), new RowIds()).map(row).messageId();
  }

  @Test
  void mapsWithTheirEntriesInAnotherOrderGiveTheSameId() throws Exception {
    InternalRow sorted = row(
        map(s("a"), 1L, s("b"), 2L, s("c"), null),
        new GenericArrayData(new Object[] {map(s("x"), s("1"), s("y"), s("2")), null, map()}),
        map(s("k1"), map(s("p"), 1, s("q"), 2), s("k2"), map()),
        map(s("ip"), s("127.0.0.1"), s("locale"), s("fr-FR")));
    InternalRow shuffled = row(
        map(s("c"), null, s("a"), 1L, s("b"), 2L),
        new GenericArrayData(new Object[] {map(s("y"), s("2"), s("x"), s("1")), null, map()}),
        map(s("k2"), map(), s("k1"), map(s("q"), 2, s("p"), 1)),
        map(s("locale"), s("fr-FR"), s("ip"), s("127.0.0.1")));
    assertEquals(id(sorted), id(shuffled));
    // The same with the maps as the id's only input (a key column).
    assertEquals(id(sorted, "keyColumns", "context"), id(shuffled, "keyColumns", "context"));
    assertNotEquals(id(sorted), id(sorted, "keyColumns", "context"));
  }

  @Test
  void aDifferentKeyOrValueInAnyMapGivesAnotherId() throws Exception {
    Object lists = new GenericArrayData(new Object[] {map(s("x"), s("1"))});
    Object inner = map(s("k1"), map(s("p"), 1));
    Object context = map(s("ip"), s("127.0.0.1"));
    Set<String> ids = new HashSet<>();
    ids.add(id(row(map(s("a"), 1L), lists, inner, context)));
    ids.add(id(row(map(s("a"), 2L), lists, inner, context)));
    ids.add(id(row(map(s("b"), 1L), lists, inner, context)));
    ids.add(id(row(map(), lists, inner, context)));
    ids.add(id(row(null, lists, inner, context)));
    ids.add(id(row(map(s("a"), 1L), new GenericArrayData(new Object[] {map(s("x"), s("2"))}), inner, context)));
    ids.add(id(row(map(s("a"), 1L), lists, map(s("k1"), map(s("p"), 2)), context)));
    ids.add(id(row(map(s("a"), 1L), lists, map(s("k1"), map(s("P"), 1)), context)));
    ids.add(id(row(map(s("a"), 1L), lists, inner, map(s("ip"), s("127.0.0.2")))));
    ids.add(id(row(map(s("a"), 1L), lists, inner, map())));
    ids.add(id(row(map(s("a"), 1L), lists, inner, null)));
    assertEquals(11, ids.size());
    // And the same row twice gives its id twice.
    assertEquals(id(row(map(s("a"), 1L), lists, inner, context)), id(row(map(s("a"), 1L), lists, inner, context)));
  }
}
