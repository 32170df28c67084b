package io.heapguard.bench.startup;

import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.nio.charset.StandardCharsets;

/**
 * The "larger application" of the start-up benchmark: an embedded Jetty 12 server on 127.0.0.1 (an
 * ephemeral port), one GET to itself through Jetty's HTTP client, then a clean stop and exit. It loads a
 * few thousand classes; run with {@code -Xlog:class+load:file=...} to count them.
 */
public final class JettyHello {
    private JettyHello() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
                Content.Sink.write(response, true, "hello from " + Request.getPathInContext(request) + "\n",
                        callback);
                return true;
            }
        });
        HttpClient client = new HttpClient();
        try {
            server.start();
            client.start();
            ContentResponse r = client.GET("http://127.0.0.1:" + connector.getLocalPort() + "/startup");
            String body = new String(r.getContent(), StandardCharsets.UTF_8);
            if (r.getStatus() != 200 || !body.startsWith("hello from /startup")) {
                System.err.println("unexpected response " + r.getStatus() + ": " + body);
                System.exit(1);
            }
            System.out.print(body);
            client.stop();
            server.stop();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // Jetty's non-daemon threads must not keep a failed run alive
        }
    }
}
