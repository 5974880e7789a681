package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonColumnsTest {
  @Test
  void keepsNumbersAsWritten() throws Exception {
    assertEquals(Map.of("a", 12L, "b", new BigDecimal("12.50")), JsonColumns.parseObject("{\"a\":12,\"b\":12.50}", "properties"));
  }

  @Test
  void aNumberWhoseExponentNoDecimalHoldsRejectsTheRowNamingTheColumn() {
    // Valid JSON; BigDecimal throws NumberFormatException for an exponent beyond an int, which failed
    // the task (and, retried, the job) instead of rejecting the one row.
    RejectedValueException e = assertThrows(RejectedValueException.class,
        () -> JsonColumns.parseObject("{\"a\":{\"b\":1e-9999999999}}", "properties"));
    assertEquals("column 'properties' holds a number beyond what a decimal holds", e.reason());
    assertEquals("column 'properties' holds a number beyond what a decimal holds: 1e-9999999999", e.getMessage());
  }
}
