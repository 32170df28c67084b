package io.heapguard.examples.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The service's "conversion": the upload, Base64-encoded, as a document converter or an e-mail gateway
 * would produce it. The response names the sizes and a CRC-32 of the output, so the load driver can check
 * every answer against its own computation.
 */
final class Conversion {
    private Conversion() {
    }

    /** Encodes {@code upload} through a growing buffer, the way streaming converters are usually written. */
    static ByteArrayOutputStream convert(byte[] upload) throws IOException {
        ByteArrayOutputStream converted = new ByteArrayOutputStream();
        try (OutputStream encoder = Base64.getEncoder().wrap(converted)) {
            encoder.write(upload);
        }
        return converted;
    }

    /** The response body for an upload of {@code inputBytes} converted to {@code converted}. */
    static String describe(int inputBytes, ByteArrayOutputStream converted) throws IOException {
        CRC32 crc = new CRC32();
        converted.writeTo(new java.util.zip.CheckedOutputStream(OutputStream.nullOutputStream(), crc));
        return "converted " + inputBytes + " bytes to " + converted.size() + " bytes, crc32 "
                + Long.toHexString(crc.getValue());
    }
}
