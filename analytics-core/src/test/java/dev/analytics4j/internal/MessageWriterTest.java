package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shape of {@link MessageWriter}'s compiled code, which its bytes do not show: a change that
 * keeps every message's bytes (WireCorpusTest) can still make a young JVM compile the walk three
 * times over while the first seconds of requests wait, as it did before writeNonScalar was one
 * method, or cost every scalar a call at steady state.
 */
final class MessageWriterTest {
  /** HotSpot's {@code FreqInlineSize}: C2 does not inline a hot method with more bytecode than this. */
  private static final int C2_HOT_INLINE_LIMIT = 325;

  @Test
  void nestedContainersGoThroughOneMethodTooBigForC2ToInline() throws IOException {
    int nonScalar = onlyLength("writeNonScalar");
    assertTrue(nonScalar > C2_HOT_INLINE_LIMIT, "writeNonScalar has " + nonScalar + " bytes of bytecode;"
        + " above " + C2_HOT_INLINE_LIMIT + " C2 compiles it once instead of a copy of the walk in every caller");
    // The scalars' path stays small enough to be inlined into every map's and list's loop.
    int value = onlyLength("writeValue");
    assertTrue(value <= C2_HOT_INLINE_LIMIT, "writeValue has " + value + " bytes of bytecode;"
        + " at most " + C2_HOT_INLINE_LIMIT + " C2 inlines it where entries and elements are written");
  }

  private static int onlyLength(String method) throws IOException {
    List<Integer> lengths = codeLengths(MessageWriter.class, method);
    assertEquals(1, lengths.size(), "one " + method + ": " + lengths);
    return lengths.get(0);
  }

  @Test
  void readsTheLengthsOfMethodsItKnows() throws IOException {
    // The reader below, checked on a method whose bytecode is fixed: return 0; (iconst_0, ireturn).
    assertEquals(List.of(2), codeLengths(Fixture.class, "zero"));
    assertEquals(List.of(), codeLengths(Fixture.class, "absent"));
  }

  private static final class Fixture {
    @SuppressWarnings("unused")
    static int zero() {
      return 0;
    }
  }

  /** The bytecode lengths of the methods named {@code name} in {@code type}'s class file. */
  static List<Integer> codeLengths(Class<?> type, String name) throws IOException {
    String resource = type.getName().substring(type.getPackageName().length() + 1) + ".class";
    try (InputStream stream = type.getResourceAsStream(resource)) {
      DataInputStream in = new DataInputStream(stream);
      in.readInt(); // magic
      in.readInt(); // minor and major version
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1: utf8[i] = in.readUTF(); break;
          case 7: case 8: case 16: case 19: case 20: in.skipBytes(2); break;
          case 15: in.skipBytes(3); break;
          case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.skipBytes(4); break;
          case 5: case 6: in.skipBytes(8); i++; break; // a long or double takes two slots
          default: throw new IOException("constant pool tag " + tag + " at " + i);
        }
      }
      in.skipBytes(6); // access flags, this class, super class
      in.skipBytes(2 * in.readUnsignedShort()); // interfaces
      skipMembers(in); // fields
      List<Integer> lengths = new ArrayList<>();
      for (int methods = in.readUnsignedShort(); methods > 0; methods--) {
        in.skipBytes(2);
        String methodName = utf8[in.readUnsignedShort()];
        in.skipBytes(2);
        for (int attributes = in.readUnsignedShort(); attributes > 0; attributes--) {
          String attribute = utf8[in.readUnsignedShort()];
          int length = in.readInt();
          if (attribute.equals("Code") && methodName.equals(name)) {
            in.skipBytes(4); // max stack, max locals
            lengths.add(in.readInt());
            in.skipBytes(length - 8);
          } else {
            in.skipBytes(length);
          }
        }
      }
      return lengths;
    }
  }

  private static void skipMembers(DataInputStream in) throws IOException {
    for (int members = in.readUnsignedShort(); members > 0; members--) {
      in.skipBytes(6);
      for (int attributes = in.readUnsignedShort(); attributes > 0; attributes--) {
        in.skipBytes(2);
        in.skipBytes(in.readInt());
      }
    }
  }
}
