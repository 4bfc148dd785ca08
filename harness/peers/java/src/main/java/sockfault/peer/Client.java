package sockfault.peer;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import io.socket.engineio.client.EngineIOException;
import io.socket.engineio.client.HandshakeData;
import io.socket.engineio.client.Transport;
import io.socket.thread.EventThread;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The client half of docs/peer-protocol.md over socket.io-client-java 1.x and 2.x, one code
 * path for both: reconnect_* are read on the Manager (1.x emits them there too), incoming
 * events on the Manager's decoded packets (1.x has no onAny), acked with the Socket's own
 * ack(id); the engine (Manager.engine, package-private) is read by reflection for the
 * handshake and upgrade events.
 */
final class Client {
    private static final int EVENT = 2, BINARY_EVENT = 5;   // io.socket.parser.Parser
    private final int major;
    private Socket socket;
    private Manager manager;
    private String nsp = "/";
    private volatile io.socket.engineio.client.Socket engine;
    private final Set<Object> hooked = Collections.newSetFromMap(new IdentityHashMap<>());

    Client(int major) {
        this.major = major;
    }

    void connect(JSONObject cmd) throws Exception {
        if (socket != null && socket.connected()) throw new IllegalStateException("already connected; send disconnect first");
        if (socket != null) {   // a previous, failed or closed, connection: silence it and start afresh
            socket.off();
            manager.off();
            socket.close();
        }
        String url = cmd.getString("url");
        IO.Options opts = new IO.Options();
        opts.forceNew = true;   // one Manager per connect, as each `connect` is a new io() in the other runners
        List<String> ignored = Options.apply(opts, cmd.optJSONObject("options"));
        if (!ignored.isEmpty()) System.err.println("sockfault java peer: options not in this version, ignored: " + ignored);
        String path = new URI(url).getPath();
        nsp = path == null || path.isEmpty() ? "/" : path;
        engine = null;
        final Socket s = IO.socket(url, opts);
        final Manager m = s.io();
        socket = s;
        manager = m;

        m.on(Manager.EVENT_TRANSPORT, a -> hookEngine(m));   // the engine emits it on creating each transport
        m.on(Manager.EVENT_PACKET, a -> onPacket(s, (io.socket.parser.Packet<?>) a[0]));
        for (String name : new String[] {"reconnect_attempt", "reconnect"}) {
            m.on(name, a -> Json.out(name, "attempt", a.length > 0 ? a[0] : null));
        }
        m.on("reconnect_error", a -> Json.out("reconnect_error", describe(a.length > 0 ? a[0] : null)));
        m.on("reconnect_failed", a -> Json.out("reconnect_failed"));

        s.on(Socket.EVENT_CONNECT, a -> Json.out("connect", "id", s.id(), "transport", transportName()));
        s.on(Socket.EVENT_CONNECT_ERROR, a -> Json.out("connect_error", describe(a.length > 0 ? a[0] : null)));
        s.on(Socket.EVENT_DISCONNECT, a -> Json.out("disconnect", "reason", a.length > 0 ? a[0] : null));
        if (major < 2) {
            s.on("connect_timeout", a -> Json.out("connect_timeout", "timeout", a.length > 0 ? a[0] : null));
            // 1.x: errors from the server (middleware, namespace) arrive as 'error'
            s.on("error", a -> {
                Object[] kv = describe(a.length > 0 ? a[0] : null);
                Object[] more = Arrays.copyOf(kv, kv.length + 2);
                more[kv.length] = "source";
                more[kv.length + 1] = "error";
                Json.out("connect_error", more);
            });
        }
        s.connect();
    }

    /** The engine's transport at this moment (its package-private `transport` field), as the JS runner reports it. */
    private String transportName() {
        Object t = field(io.socket.engineio.client.Socket.class, "transport", engine);
        return t instanceof Transport ? ((Transport) t).name : null;
    }

    private static Object field(Class<?> cls, String name, Object of) {
        if (of == null) return null;
        try {
            Field f = cls.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(of);
        } catch (ReflectiveOperationException e) {
            System.err.println("sockfault java peer: no " + cls.getSimpleName() + "." + name + ": " + e);
            return null;
        }
    }

    private void hookEngine(Manager m) {
        final io.socket.engineio.client.Socket engine = (io.socket.engineio.client.Socket) field(Manager.class, "engine", m);
        if (engine == null || !hooked.add(engine)) return;
        this.engine = engine;
        engine.on(io.socket.engineio.client.Socket.EVENT_HANDSHAKE, a -> {
            HandshakeData h = (HandshakeData) a[0];
            Json.out("handshake", "sid", h.sid, "upgrades", h.upgrades, "pingInterval", h.pingInterval,
                     "pingTimeout", h.pingTimeout, "transport", transportName());
        });
        engine.on(io.socket.engineio.client.Socket.EVENT_UPGRADE,
                  a -> Json.out("upgrade", "transport", a.length > 0 && a[0] instanceof Transport ? ((Transport) a[0]).name : transportName()));
        engine.on(io.socket.engineio.client.Socket.EVENT_UPGRADE_ERROR,
                  a -> Json.out("upgradeError", describe(a.length > 0 ? a[0] : null)));
    }

    private void onPacket(Socket s, io.socket.parser.Packet<?> p) {
        if ((p.type != EVENT && p.type != BINARY_EVENT) || !nsp.equals(p.nsp) || !(p.data instanceof JSONArray)) return;
        JSONArray data = (JSONArray) p.data;
        if (data.length() == 0) return;
        String name = String.valueOf(data.opt(0));
        List<Object> args = new ArrayList<>();
        for (int i = 1; i < data.length(); i++) args.add(data.opt(i));
        int size = Json.size(args);
        Json.out("event", "name", name, "size", size, "args", size <= 1024 ? args : null);
        if (p.id >= 0) {
            try {
                Method ack = Socket.class.getDeclaredMethod("ack", int.class);
                ack.setAccessible(true);
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("name", name);
                reply.put("size", size);
                ((Ack) ack.invoke(s, p.id)).call(new JSONObject(reply));
            } catch (ReflectiveOperationException e) {
                Json.out("error", "cmd", null, "message", "cannot ack " + name + ": " + e);
            }
        }
    }

    void emit(JSONObject cmd) throws Exception {
        if (socket == null) throw new IllegalStateException("not connected");
        final String event = cmd.getString("event");
        JSONArray raw = cmd.optJSONArray("args");
        List<Object> args = new ArrayList<>();
        for (int i = 0; raw != null && i < raw.length(); i++) args.add(expand(raw.get(i)));
        final Object ackId = cmd.has("ack") && !cmd.isNull("ack") ? cmd.get("ack") : null;
        if (ackId != null) {
            socket.emit(event, args.toArray(), res -> Json.out("ack", "ack", ackId, "args", Arrays.asList(res)));
        } else {
            socket.emit(event, args.toArray());
        }
        Json.out("emitted", "ack", ackId, "name", event, "size", Json.size(args));
    }

    void disconnect() {
        if (socket != null) socket.disconnect();
    }

    /** Disconnect and let the event thread send what it has queued (bounded). */
    void close() {
        if (socket == null) return;
        socket.disconnect();
        CountDownLatch done = new CountDownLatch(1);
        EventThread.exec(done::countDown);
        try {
            done.await(1, TimeUnit.SECONDS);
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {"$bytes": n}: a string of n "x"; {"$binary": n}: n bytes of 0xab (a byte[], sent as a binary attachment). */
    private static Object expand(Object v) {
        if (!(v instanceof JSONObject) || ((JSONObject) v).length() != 1) return v;
        JSONObject o = (JSONObject) v;
        if (o.opt("$bytes") instanceof Number) {
            char[] xs = new char[((Number) o.opt("$bytes")).intValue()];
            Arrays.fill(xs, 'x');
            return new String(xs);
        }
        if (o.opt("$binary") instanceof Number) {
            byte[] bs = new byte[((Number) o.opt("$binary")).intValue()];
            Arrays.fill(bs, (byte) 0xab);
            return bs;
        }
        return v;
    }

    /** An error the library hands a listener -> message, description, type, data (as the JS runner names them). */
    static Object[] describe(Object err) {
        if (err instanceof JSONObject) {   // a CONNECT_ERROR packet's payload (2.x)
            JSONObject o = (JSONObject) err;
            return new Object[] {"message", o.opt("message"), "data", o.opt("data")};
        }
        if (!(err instanceof Throwable)) return new Object[] {"message", err == null ? null : String.valueOf(err)};
        Throwable t = (Throwable) err;
        Object description = null;
        if (t instanceof EngineIOException && ((EngineIOException) t).code != null) description = ((EngineIOException) t).code;
        else if (t.getCause() != null) description = t.getCause().getMessage() != null ? t.getCause().getMessage() : t.getCause().getClass().getSimpleName();
        if (description instanceof String && ((String) description).matches("\\d{3}")) description = Integer.parseInt((String) description);
        Object transport = t instanceof EngineIOException ? ((EngineIOException) t).transport : null;
        return new Object[] {"message", t.getMessage(), "description", description, "type", t.getClass().getSimpleName(),
                             "transport", transport};
    }
}
