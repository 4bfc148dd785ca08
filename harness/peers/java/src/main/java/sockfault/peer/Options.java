package sockfault.peer;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.socket.client.IO;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The connect command's options (JS names) onto IO.Options: each key sets the public field of
 * that name where this version has one (transports, path, timeout, reconnection*, forceNew,
 * auth, extraHeaders, query, ...), converted to the field's type. The rest are reported as ignored.
 */
final class Options {
    private Options() {}

    /** Returns the names this version has no field for. */
    static List<String> apply(IO.Options opts, JSONObject json) throws Exception {
        List<String> ignored = new ArrayList<>();
        if (json == null) return ignored;
        for (Iterator<?> it = json.keys(); it.hasNext(); ) {
            String key = (String) it.next();
            Field f;
            try {
                f = IO.Options.class.getField(key);
            } catch (NoSuchFieldException e) {
                ignored.add(key);
                continue;
            }
            f.set(opts, convert(key, f, json.get(key)));
        }
        return ignored;
    }

    private static Object convert(String key, Field f, Object v) throws Exception {
        Class<?> t = f.getType();
        if (t == boolean.class) return (Boolean) v;
        if (t == int.class) return ((Number) v).intValue();
        if (t == long.class) return ((Number) v).longValue();
        if (t == double.class) return ((Number) v).doubleValue();
        if (t == String.class) return v instanceof JSONObject ? queryString((JSONObject) v) : String.valueOf(v);
        if (t == String[].class) {
            JSONArray a = (JSONArray) v;
            String[] out = new String[a.length()];
            for (int i = 0; i < a.length(); i++) out[i] = a.getString(i);
            return out;
        }
        if (t == Map.class) {
            // Map<String,String> (auth, query) or Map<String,List<String>> (extraHeaders)
            boolean lists = f.getGenericType().getTypeName().contains("List");
            JSONObject o = (JSONObject) v;
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<?> it = o.keys(); it.hasNext(); ) {
                String k = (String) it.next();
                Object x = o.get(k);
                if (!lists) {
                    m.put(k, String.valueOf(x));
                } else {
                    List<String> l = new ArrayList<>();
                    if (x instanceof JSONArray) for (int i = 0; i < ((JSONArray) x).length(); i++) l.add(((JSONArray) x).getString(i));
                    else l.add(String.valueOf(x));
                    m.put(k, l);
                }
            }
            return m;
        }
        throw new IllegalArgumentException("option " + key + ": cannot set a " + t.getSimpleName() + " from JSON");
    }

    private static String queryString(JSONObject o) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Iterator<?> it = o.keys(); it.hasNext(); ) {
            String k = (String) it.next();
            if (sb.length() > 0) sb.append('&');
            sb.append(java.net.URLEncoder.encode(k, "UTF-8")).append('=')
              .append(java.net.URLEncoder.encode(String.valueOf(o.get(k)), "UTF-8"));
        }
        return sb.toString();
    }
}
