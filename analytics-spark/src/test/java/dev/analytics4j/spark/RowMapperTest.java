package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** The reasons rows are rejected for: the summary counts rows by reason, which names a column, never a value. */
class RowMapperTest {
  private static final StructType SCHEMA = new StructType()
      .add("type", DataTypes.StringType)
      .add("userId", DataTypes.StringType)
      .add("event", DataTypes.StringType)
      .add("timestamp", DataTypes.TimestampType)
      .add("messageId", DataTypes.StringType);

  private static RejectedValueException rejected(long epochSecond, String messageId) {
    InternalRow row = new GenericInternalRow(new Object[] {UTF8String.fromString("track"), UTF8String.fromString("u1"),
        UTF8String.fromString("E"), epochSecond * 1_000_000L, messageId == null ? null : UTF8String.fromString(messageId)});
    RowMapper mapper = new RowMapper(SCHEMA, WriterOptions.parse(Map.of("writeKey", "k")), new RowIds());
    return assertThrows(RejectedValueException.class, () -> mapper.map(row));
  }

  @Test
  void aTimestampBeyondTheYear9999IsOneReasonWhateverItsValue() {
    RejectedValueException first = rejected(253_402_300_800L, null); // +10000-01-01T00:00:00Z
    RejectedValueException second = rejected(253_402_300_800L + 86_400, null);

    assertEquals("column 'timestamp' is outside the years 0000 to 9999", first.reason());
    assertEquals(first.reason(), second.reason());
    assertEquals("column 'timestamp' is outside the years 0000 to 9999: +10000-01-01T00:00:00Z", first.getMessage());
  }

  @Test
  void aMessageIdOver100CharactersIsOneReasonWhateverItsLength() {
    RejectedValueException first = rejected(1_700_000_000L, "m".repeat(101));
    RejectedValueException second = rejected(1_700_000_000L, "m".repeat(150));

    assertEquals("column 'messageId' is longer than 100 characters", first.reason());
    assertEquals(first.reason(), second.reason());
    assertEquals("column 'messageId' is longer than 100 characters: 101 characters", first.getMessage());
  }
}
