package sockfault.peer;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import io.socket.client.IO;
import org.json.JSONObject;

/**
 * socket.io-client-java as a JSON-lines client peer (docs/peer-protocol.md): commands on stdin,
 * events on stdout. Exits on {"cmd":"stop"} and when stdin closes.
 * usage: java -jar target/<version>/sockfault-java-peer.jar
 */
public final class Main {
    private Main() {}

    public static void main(String[] argv) throws Exception {
        String version = mavenVersion(IO.class, "socket.io-client");
        Client client = new Client(version.startsWith("1.") ? 1 : 2);
        Json.out("hello", "role", "client", "impl", "socket.io-client-java", "version", version,
                 "engineio", mavenVersion(io.socket.engineio.client.Socket.class, "engine.io-client"),
                 "java", System.getProperty("java.version"), "pid", ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.trim().isEmpty()) continue;
            JSONObject cmd;
            try {
                cmd = new JSONObject(line);
            } catch (Exception e) {
                Json.out("error", "cmd", null, "message", "bad json: " + e.getMessage());
                continue;
            }
            String name = cmd.optString("cmd", null);
            try {
                if ("connect".equals(name)) client.connect(cmd);
                else if ("emit".equals(name)) client.emit(cmd);
                else if ("disconnect".equals(name)) client.disconnect();
                else if ("stop".equals(name)) break;
                else Json.out("error", "cmd", name, "message", "unknown command");
            } catch (Exception e) {
                Json.out("error", "cmd", name, "message", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        try {
            client.close();
        } finally {
            Json.out("stopped");
            System.exit(0);   // okhttp's and the event thread's threads must not keep the JVM alive
        }
    }

    /** The version Maven packaged (META-INF/maven/io.socket/<artifact>/pom.properties of the loaded jar). */
    private static String mavenVersion(Class<?> cls, String artifact) {
        try (InputStream s = cls.getResourceAsStream("/META-INF/maven/io.socket/" + artifact + "/pom.properties")) {
            Properties p = new Properties();
            p.load(s);
            return p.getProperty("version");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
