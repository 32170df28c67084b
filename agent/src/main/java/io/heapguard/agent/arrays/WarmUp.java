package io.heapguard.agent.arrays;

import java.util.Arrays;

/**
 * Never run: its class file is what {@link ArrayTransformer#warmUp()} scans and rewrites, one of each
 * allocation the guard rewrites, with lengths that are not constants.
 */
final class WarmUp {
    private WarmUp() {
    }

    static Object[] allocate(int n, Object[] source) {
        byte[] bytes = new byte[n];
        Object[] objects = new Object[n];
        int[][] matrix = new int[n][n];
        return new Object[] {bytes, objects, matrix, Arrays.copyOf(source, n)};
    }
}
