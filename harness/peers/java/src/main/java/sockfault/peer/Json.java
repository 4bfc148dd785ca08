package sockfault.peer;

import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.json.JSONArray;
import org.json.JSONObject;

/** Events out, one JSON object per line, flushed (docs/peer-protocol.md); values the library hands us made JSON-safe. */
final class Json {
    private static final PrintStream OUT;

    static {
        try {
            OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Json() {}

    /** An event: out("connect", "id", id, "transport", name); null values are left out. Its `mono`: when it
     *  happened, ms of CLOCK_MONOTONIC (HotSpot's nanoTime on Linux; the runner times the event by it). */
    static void out(String event, Object... kv) {
        double mono = System.nanoTime() / 1e6;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
        }
        m.put("mono", Math.round(mono * 1000) / 1000.0);
        String line = write(m, 8);
        synchronized (OUT) {
            OUT.print(line);
            OUT.print('\n');
            OUT.flush();
        }
    }

    /** Characters of the JSON of these args (the `size` of docs/peer-protocol.md). */
    static int size(List<?> args) {
        return write(args, 8).length();
    }

    static String write(Object v, int depth) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, depth);
        return sb.toString();
    }

    /** As JSON.stringify quotes: only ", \\ and control characters escaped (org.json also escapes U+2000-U+20FF, "</"). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder sb, Object v, int depth) {
        if (v == null || v == JSONObject.NULL) {
            sb.append("null");
        } else if (v instanceof String) {
            sb.append(quote((String) v));
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) sb.append("null");
            else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d);
            else sb.append(d);
        } else if (v instanceof byte[]) {
            sb.append("{\"$buffer\":").append(((byte[]) v).length).append('}');
        } else if (depth <= 0) {
            sb.append(quote("[" + v.getClass().getSimpleName() + "]"));
        } else if (v instanceof JSONObject) {
            Map<String, Object> m = new LinkedHashMap<>();
            JSONObject o = (JSONObject) v;
            for (Iterator<?> it = o.keys(); it.hasNext(); ) {
                String k = (String) it.next();
                m.put(k, o.opt(k));
            }
            write(sb, m, depth);
        } else if (v instanceof JSONArray) {
            JSONArray a = (JSONArray) v;
            sb.append('[');
            for (int i = 0; i < a.length(); i++) {
                if (i > 0) sb.append(',');
                write(sb, a.opt(i), depth - 1);
            }
            sb.append(']');
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                if (!first) sb.append(',');
                first = false;
                sb.append(quote(e.getKey())).append(':');
                write(sb, e.getValue(), depth - 1);
            }
            sb.append('}');
        } else if (v instanceof Iterable || v instanceof Object[]) {
            Iterable<?> items = v instanceof Object[] ? java.util.Arrays.asList((Object[]) v) : (Iterable<?>) v;
            sb.append('[');
            boolean first = true;
            for (Object x : items) {
                if (!first) sb.append(',');
                first = false;
                write(sb, x, depth - 1);
            }
            sb.append(']');
        } else if (v instanceof Throwable) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.getClass().getSimpleName());
            m.put("message", ((Throwable) v).getMessage());
            write(sb, m, depth);
        } else {
            sb.append(quote(String.valueOf(v)));
        }
    }
}
