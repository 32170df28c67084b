package io.heapguard.agent.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTest {

    @Test
    void nestsObjectsAndArraysWithCommasWhereTheyBelong() {
        String json = new Json().beginObject(null).field("a", 1).field("b", true).field("c", (String) null)
                .beginArray("list").field(null, "x").field(null, "y").endArray()
                .beginArray("empty").endArray()
                .beginArray("objects").beginObject(null).field("n", -1).endObject().beginObject(null).endObject().endArray()
                .beginObject("inner").field("z", "w").endObject()
                .endObject().toString();
        assertEquals("{\"a\":1,\"b\":true,\"c\":null,\"list\":[\"x\",\"y\"],\"empty\":[],\"objects\":[{\"n\":-1},{}],"
                + "\"inner\":{\"z\":\"w\"}}", json);
    }

    @Test
    void escapesWhatJsonStringsCannotHoldAsIs() {
        String json = new Json().beginObject(null).field("k\"ey", "a\\b\"c\nd\re\tf\u0001g\u2028h/é").endObject().toString();
        assertEquals("{\"k\\\"ey\":\"a\\\\b\\\"c\\nd\\re\\tf\\u0001g\\u2028h/é\"}", json);
    }
}
