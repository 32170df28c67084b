package io.heapguard.agent.hooks;

import java.util.ArrayList;
import java.util.List;

/** Every advice the agent installs. Add a growth point here and in {@code GrowthPoint}. */
public final class Advices {
    private Advices() {
    }

    public static List<Advice> all() {
        List<Advice> all = new ArrayList<>(List.of(
                new ByteArrayOutputStreamGrowth(),
                new ByteArrayOutputStreamCopy("toByteArray", "()[B"),
                new ByteArrayOutputStreamCopy("toString", "()Ljava/lang/String;"),
                new ByteArrayOutputStreamCopy("toString", "(Ljava/lang/String;)Ljava/lang/String;"),
                new ByteArrayOutputStreamCopy("toString", "(Ljava/nio/charset/Charset;)Ljava/lang/String;"),
                new ByteArrayOutputStreamCopy("toString", "(I)Ljava/lang/String;"),
                new ByteBufferAllocate(),
                new ByteBufferAllocateDirect()));
        all.addAll(JdkAdvices.forThisJdk());
        return all;
    }
}
