package dev.analytics4j.spark;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * Parses the JSON text of a string column (properties, traits, context, integrations) into maps.
 * Numbers keep their text: an integer that fits a long stays a long, any other number becomes a
 * {@link BigDecimal}, which the core writes as it was read, so nothing is rounded on the way.
 */
final class JsonColumns {
  private JsonColumns() {}

  static Map<String, @Nullable Object> parseObject(String json, String column) throws RejectedValueException {
    try {
      JsonReader reader = JsonReader.of(new Buffer().writeUtf8(json));
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        throw new RejectedValueException("column '" + column + "' holds JSON that is not an object", reader.peek().toString());
      }
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> map = (Map<String, @Nullable Object>) read(reader, column);
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new RejectedValueException("column '" + column + "' holds more than one JSON value", "");
      }
      return map;
    } catch (JsonDataException | JsonEncodingException e) {
      throw new RejectedValueException("column '" + column + "' holds malformed JSON", String.valueOf(e.getMessage()));
    } catch (IOException e) {
      throw new RejectedValueException("column '" + column + "' holds malformed JSON", String.valueOf(e.getMessage()));
    }
  }

  private static @Nullable Object read(JsonReader reader, String column) throws IOException, RejectedValueException {
    switch (reader.peek()) {
      case BEGIN_OBJECT:
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) map.put(reader.nextName(), read(reader, column));
        reader.endObject();
        return map;
      case BEGIN_ARRAY:
        List<@Nullable Object> list = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) list.add(read(reader, column));
        reader.endArray();
        return list;
      case STRING:
        return reader.nextString();
      case NUMBER:
        String text = reader.nextString();
        try {
          return Long.parseLong(text);
        } catch (NumberFormatException notLong) {
          try {
            return new BigDecimal(text);
          } catch (NumberFormatException e) { // an exponent beyond an int: 1e-9999999999
            throw new RejectedValueException("column '" + column + "' holds a number beyond what a decimal holds", text);
          }
        }
      case BOOLEAN:
        return reader.nextBoolean();
      case NULL:
        return reader.nextNull();
      default:
        throw new JsonDataException("unexpected " + reader.peek() + " at " + reader.getPath());
    }
  }
}
