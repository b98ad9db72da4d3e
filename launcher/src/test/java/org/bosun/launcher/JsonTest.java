package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class JsonTest {

    @Test
    public void parsesAnObjectKeepingKeyOrder() {
        Object parsed = Json.parse("{ \"b\": 1, \"a\": \"x\", \"c\": true, \"d\": false, \"e\": null }");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("b", 1L);
        expected.put("a", "x");
        expected.put("c", Boolean.TRUE);
        expected.put("d", Boolean.FALSE);
        expected.put("e", null);
        assertEquals(expected, parsed);
        assertEquals(List.of("b", "a", "c", "d", "e"), List.copyOf(((Map<?, ?>) parsed).keySet()));
    }

    @Test
    public void parsesNestedObjectsAndArrays() {
        Object parsed = Json.parse("{\"bundles\":[{\"id\":\"g:a:1\",\"start-order\":2},{\"id\":\"g:b:1\"}],"
                + "\"x\":{\"y\":[[],{}]}}");
        assertEquals(Map.of("bundles", List.of(Map.of("id", "g:a:1", "start-order", 2L), Map.of("id", "g:b:1")),
                "x", Map.of("y", List.of(List.of(), Map.of()))), parsed);
    }

    @Test
    public void parsesEmptyContainersAndTopLevelScalars() {
        assertEquals(Map.of(), Json.parse(" {} "));
        assertEquals(List.of(), Json.parse("[ ]"));
        assertEquals("s", Json.parse("\"s\""));
        assertEquals(Boolean.TRUE, Json.parse("true"));
        assertNull(Json.parse("null"));
    }

    @Test
    public void parsesEscapesInStrings() {
        assertEquals("q\" b\\ s/ n\n t\t r\r b\b f\f", Json.parse("\"q\\\" b\\\\ s\\/ n\\n t\\t r\\r b\\b f\\f\""));
        assertEquals("é€", Json.parse("\"\\u00e9\\u20AC\""));
        assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""));
        assertEquals("unicode as is: äö", Json.parse("\"unicode as is: äö\""));
    }

    @Test
    public void parsesIntegersAsLongsAndOtherNumbersAsDoubles() {
        assertEquals(Arrays.asList(0L, -7L, 9007199254740993L, 1.5, -0.25, 1e3, 2.5E-3),
                Json.parse("[0, -7, 9007199254740993, 1.5, -0.25, 1e3, 2.5E-3]"));
    }

    @Test
    public void refusesMalformedDocumentsWithTheOffset() {
        for (String bad : new String[] {"", "   ", "{", "[1, 2", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "{a: 1}",
                "tru", "nul", "@", "\"unterminated", "{} {}", "[1],", "{\"a\":}", "-", "1.2.3"}) {
            IllegalArgumentException e = assertThrows("'" + bad + "'", IllegalArgumentException.class,
                    () -> Json.parse(bad));
            assertTrue("'" + bad + "': " + e.getMessage(), e.getMessage() != null);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1} x"));
        assertTrue(e.getMessage(), e.getMessage().contains("offset 9"));
    }

    @Test
    public void refusesADocumentThatEndsInsideAnEscape() {
        for (String bad : new String[] {"\"abc\\", "\"\\u12"}) {
            IllegalArgumentException e = assertThrows(bad, IllegalArgumentException.class, () -> Json.parse(bad));
            assertTrue(bad + ": " + e.getMessage(), e.getMessage().contains("offset"));
        }
    }

    @Test
    public void writesWhatItReadsBack() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "quote \" backslash \\ tab \t é");
        doc.put("n", 12L);
        doc.put("d", 0.5);
        doc.put("b", Boolean.FALSE);
        doc.put("z", null);
        doc.put("l", List.of("a", 1L, List.of(), Map.of()));
        String written = Json.write(doc);
        assertEquals(doc, Json.parse(written));
        assertTrue(written, written.startsWith("{\"s\":\"quote \\\" backslash \\\\ tab \\u0009"));
    }
}
