package io.heapguard.it.boot;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.TimeUnit;

/**
 * An upload service as they are written: one endpoint reads the raw body into memory, one binds a JSON
 * document. Nothing in it knows heapguard; the starter on its class path does the rest. Prints
 * {@code READY port=<port>} once it serves, for the test that starts it.
 */
@SpringBootApplication
@RestController
public class UploadApplication {
    public static void main(String[] args) {
        haltAfterLifetime(Long.getLong("it.lifetime-seconds", 0));
        SpringApplication.run(UploadApplication.class, args);
    }

    /** The test's bound on this JVM: whatever happens to the test, it ends after that many seconds (0: never). */
    private static void haltAfterLifetime(long seconds) {
        if (seconds > 0) {
            new Timer("lifetime", true).schedule(new TimerTask() {
                @Override
                public void run() {
                    System.err.println("UploadApplication: still running after " + seconds + " s, halting");
                    Runtime.getRuntime().halt(3);
                }
            }, TimeUnit.SECONDS.toMillis(seconds));
        }
    }

    /** A document of lines, as a client posts it. */
    public record Document(String title, List<String> lines) {
    }

    @PostMapping("/upload/raw")
    public String raw(HttpServletRequest request) throws IOException {
        byte[] body = request.getInputStream().readAllBytes();
        return "read " + body.length + " bytes\n";
    }

    @PostMapping("/upload/json")
    public String json(@RequestBody Document document) {
        return "read " + document.lines().size() + " lines of " + document.title() + "\n";
    }

    @EventListener(ApplicationReadyEvent.class)
    public void ready(ApplicationReadyEvent event) {
        Environment env = event.getApplicationContext().getEnvironment();
        System.out.println("READY port=" + env.getProperty("local.server.port"));
        System.out.flush();
    }
}
