package io.heapguard.agent.management;

import io.heapguard.config.ConfigException;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code config.watch}: reloads the rules file, as {@code reload()} does, when its content changes.
 *
 * <p>It watches the directory that names the file, not the file: editors replace files, and a Kubernetes
 * ConfigMap volume changes by an atomic rename of its {@code ..data} symlink onto a new directory, which the
 * directory sees (on Linux, inotify) while the file's own inode never changes. When the name leads through
 * symlinks elsewhere, the directory the file really lives in is watched too, re-resolved after every change.
 * Whatever the events, what decides is the content: a reload happens only when the bytes differ from the
 * last ones tried, so a broken file is logged and counted once however many events it causes.
 *
 * <p>One daemon thread, blocked in the {@link WatchService} between changes; it never polls on a timer.
 */
final class RulesFileWatcher implements Runnable {
    /** Events come in bursts (create, rename, write); act once they stop for this long. */
    private static final long SETTLE_MILLIS = 100;
    /** ... but no later than this after the first, so a file written without pause is still read. */
    private static final long SETTLE_MAX_MILLIS = 2_000;

    private final Path file;
    private final AgentControl control;
    private final WatchService service;
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private byte[] lastTried;

    private RulesFileWatcher(Path file, AgentControl control, WatchService service) {
        this.file = file;
        this.control = control;
        this.service = service;
    }

    /** Starts watching {@code file}, on a daemon thread; logs one line and does nothing if it cannot. */
    static void start(Path file, AgentControl control) {
        try {
            RulesFileWatcher watcher = new RulesFileWatcher(file, control, file.getFileSystem().newWatchService());
            watcher.lastTried = watcher.content();
            watcher.watch(file.getParent());
            watcher.watchRealDirectory();
            Thread t = new Thread(watcher, "heapguard-config-watch");
            t.setDaemon(true);
            t.start();
        } catch (IOException | RuntimeException e) {
            warn("heapguard: config.watch: cannot watch " + file + " (" + e + "); reload() still re-reads it");
        }
    }

    @Override
    public void run() {
        try {
            while (awaitChange()) {
                byte[] now = content();
                if (!Arrays.equals(now, lastTried)) {
                    lastTried = now;
                    try {
                        control.reloadOrThrow();
                        System.getLogger("io.heapguard").log(System.Logger.Level.INFO,
                                "heapguard: the rules file " + file + " changed; reloaded");
                    } catch (ConfigException e) {
                        warn("heapguard: the rules file changed; " + AgentControl.rejected(e));
                    }
                }
                watchRealDirectory();
            }
            warn("heapguard: config.watch: " + file.getParent() + " is gone; " + file + " is no longer watched");
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // the JVM is ending
        }
    }

    /** Waits for events in a watched directory, then for them to settle; false when the file's directory is gone. */
    private boolean awaitChange() throws InterruptedException {
        WatchKey key = service.take();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MAX_MILLIS);
        while (key != null) {
            key.pollEvents();
            if (!key.reset()) {
                watched.values().remove(key);
            }
            long left = Math.min(SETTLE_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            key = left > 0 ? service.poll(left, TimeUnit.MILLISECONDS) : null;
        }
        return watched.containsKey(file.getParent());
    }

    private void watchRealDirectory() {
        try {
            watch(file.toRealPath().getParent());
        } catch (IOException e) {
            // missing just now (content() said so, and the reload counted it); the next change tells again
        }
    }

    private void watch(Path dir) throws IOException {
        if (!watched.containsKey(dir)) {
            watched.put(dir, dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
        }
    }

    /** The file's bytes through every symlink, or null when it cannot be read. */
    private byte[] content() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static void warn(String line) {
        System.getLogger("io.heapguard").log(System.Logger.Level.WARNING, line);
    }
}
