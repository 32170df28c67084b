package io.heapguard.it.apps.growth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.heapguard.it.apps.Report.result;

/**
 * Run with rule {@code cap}: targets Files.readAllBytes, max-buffer 1m; argument: a scratch directory.
 * {@code Files.readAllBytes} and {@code Files.readString} of a 2 MiB file are refused before reading; the file
 * and a 500 KB one still read afterwards.
 */
public final class FilesReadAllCapApp {
    private static final int MiB = 1 << 20;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path big = dir.resolve("big.txt");
        Path small = dir.resolve("small.txt");
        Files.writeString(big, "0123456789abcdef".repeat(2 * MiB / 16), StandardCharsets.US_ASCII);
        Files.writeString(small, "0123456789abcdef".repeat(500_000 / 16), StandardCharsets.US_ASCII);

        Attempt.refused("bytes", () -> Files.readAllBytes(big));
        Attempt.refused("string", () -> Files.readString(big));
        Attempt.ok("small", () -> {
            if (Files.readAllBytes(small).length != 500_000 || Files.readString(small).length() != 500_000) {
                throw new AssertionError("wrong length");
            }
        });
        result("big.size", Files.size(big));
        result("done", true);
    }
}
