package dev.analytics4j.spark;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.jspecify.annotations.Nullable;

/**
 * Turns Spark's internal values into the JSON values the core sends: strings, numbers, booleans,
 * maps, lists, {@link Instant}s and {@link LocalDate}s. The types the core cannot send faithfully
 * follow the options (decimals, binary, TIMESTAMP_NTZ) or reject the row; VARIANT (Spark 4) is
 * always rejected, naming the column. A lenient converter never rejects: it renders rows for the
 * rejects file.
 */
final class ValueConverter {
  private final WriterOptions.Decimals decimals;
  private final WriterOptions.Binary binary;
  private final @Nullable ZoneId ntzZone;
  private final boolean lenient;

  ValueConverter(WriterOptions options, boolean lenient) {
    this.decimals = options.decimals;
    this.binary = options.binary;
    this.ntzZone = options.timestampNtzZone == null ? null : ZoneId.of(options.timestampNtzZone);
    this.lenient = lenient;
  }

  /**
   * Fails on the driver, before any row is sent, for a type no row of which could be sent: intervals,
   * user-defined types, maps whose keys are not strings.
   */
  static void checkSupported(DataType type, String path) {
    if (type instanceof StructType) {
      for (StructField field : ((StructType) type).fields()) checkSupported(field.dataType(), path + "." + field.name());
    } else if (type instanceof ArrayType) {
      checkSupported(((ArrayType) type).elementType(), path + "[]");
    } else if (type instanceof MapType) {
      MapType map = (MapType) type;
      if (!(map.keyType() instanceof StringType)) {
        throw new IllegalArgumentException("column '" + path + "' is a map with " + map.keyType().simpleString()
            + " keys; JSON objects have string keys: cast the keys to string");
      }
      checkSupported(map.valueType(), path + "{}");
    } else if (!isScalar(type)) {
      throw new IllegalArgumentException("column '" + path + "' has type " + type.simpleString()
          + ", which cannot be sent as JSON: cast it to a supported type or drop the column");
    }
  }

  private static boolean isScalar(DataType type) {
    return type instanceof StringType || type instanceof BooleanType || type instanceof ByteType
        || type instanceof ShortType || type instanceof IntegerType || type instanceof LongType
        || type instanceof FloatType || type instanceof DoubleType || type instanceof DecimalType
        || type instanceof DateType || type instanceof TimestampType || type instanceof TimestampNTZType
        || type instanceof BinaryType || type instanceof NullType || isVariant(type);
  }

  /** Spark 4's VARIANT, recognised by name: the class is absent from Spark 3.5, which we build on. */
  static boolean isVariant(DataType type) {
    return type.typeName().equals("variant");
  }

  /** The value of {@code ordinal} in {@code row}, or null. */
  @Nullable Object get(InternalRow row, int ordinal, DataType type, String path) throws RejectedValueException {
    return row.isNullAt(ordinal) ? null : convert(row.get(ordinal, type), type, path);
  }

  @Nullable Object convert(@Nullable Object value, DataType type, String path) throws RejectedValueException {
    if (value == null) return null;
    if (type instanceof StringType) return value.toString();
    if (type instanceof BooleanType || type instanceof IntegerType || type instanceof LongType
        || type instanceof DoubleType || type instanceof FloatType) {
      return value;
    }
    if (type instanceof ByteType || type instanceof ShortType) return ((Number) value).intValue();
    if (type instanceof DecimalType) return decimal(((Decimal) value).toJavaBigDecimal(), path);
    if (type instanceof DateType) return LocalDate.ofEpochDay((Integer) value);
    if (type instanceof TimestampType) return instant((Long) value);
    if (type instanceof TimestampNTZType) return timestampNtz((Long) value, path);
    if (type instanceof BinaryType) return binary((byte[]) value, path);
    if (type instanceof StructType) return struct((InternalRow) value, (StructType) type, path);
    if (type instanceof ArrayType) return array((ArrayData) value, ((ArrayType) type).elementType(), path);
    if (type instanceof MapType) return map((MapData) value, (MapType) type, path);
    if (isVariant(type)) {
      if (lenient) return value.toString();
      throw new RejectedValueException("column '" + path + "' is a VARIANT, which is not sent: "
          + "convert it with to_json() into a string column");
    }
    if (type instanceof NullType) return null;
    throw new RejectedValueException("column '" + path + "' has unsupported type " + type.simpleString());
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  Object timestampNtz(long micros, String path) throws RejectedValueException {
    LocalDateTime local = LocalDateTime.ofInstant(instant(micros), ZoneOffset.UTC);
    if (ntzZone != null) return local.atZone(ntzZone).toInstant();
    if (lenient) return local.toString();
    throw new RejectedValueException("column '" + path + "' is a TIMESTAMP_NTZ (no time zone)",
        local + "; set option timestampNtzZone to the zone its values are in");
  }

  private Object decimal(BigDecimal value, String path) throws RejectedValueException {
    switch (decimals) {
      case STRING:
        return value.toPlainString();
      case DOUBLE:
        return value.doubleValue();
      default:
        double d = value.doubleValue();
        if (Double.isFinite(d) && new BigDecimal(Double.toString(d)).compareTo(value) == 0) return d;
        if (lenient) return value.toPlainString();
        throw new RejectedValueException("column '" + path + "' holds a decimal a double cannot hold exactly",
            value.toPlainString() + "; set option decimals to string (exact, sent as a string) or double (rounded)");
    }
  }

  private Object binary(byte[] value, String path) throws RejectedValueException {
    if (binary == WriterOptions.Binary.BASE64 || lenient) return Base64.getEncoder().encodeToString(value);
    throw new RejectedValueException("column '" + path + "' is BINARY, which JSON cannot hold",
        value.length + " bytes; set option binary=base64 to send it as a Base64 string");
  }

  private Map<String, @Nullable Object> struct(InternalRow row, StructType type, String path)
      throws RejectedValueException {
    StructField[] fields = type.fields();
    Map<String, @Nullable Object> map = new LinkedHashMap<>(fields.length * 2);
    for (int i = 0; i < fields.length; i++) {
      map.put(fields[i].name(), get(row, i, fields[i].dataType(), path + "." + fields[i].name()));
    }
    return map;
  }

  private List<@Nullable Object> array(ArrayData array, DataType elementType, String path)
      throws RejectedValueException {
    int n = array.numElements();
    List<@Nullable Object> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(array.isNullAt(i) ? null : convert(array.get(i, elementType), elementType, path + "[" + i + "]"));
    }
    return list;
  }

  private Map<String, @Nullable Object> map(MapData data, MapType type, String path) throws RejectedValueException {
    ArrayData keys = data.keyArray();
    ArrayData values = data.valueArray();
    int n = data.numElements();
    Map<String, @Nullable Object> map = new SparkMap<>(n);
    for (int i = 0; i < n; i++) {
      String key = keys.get(i, type.keyType()).toString();
      map.put(key, values.isNullAt(i) ? null : convert(values.get(i, type.valueType()), type.valueType(), path + "." + key));
    }
    return map;
  }
}
