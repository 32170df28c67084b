package io.heapguard.agent.hooks;

import io.heapguard.agent.Log;

/** Where the transformer's one-line warnings go. */
public interface WarningSink {

    void warn(String line);

    /** {@link System.Logger} {@code io.heapguard}, level WARNING. */
    WarningSink LOG = new WarningSink() {
        @Override
        public void warn(String line) {
            Log.warn(line);
        }
    };
}
