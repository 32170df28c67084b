package io.heapguard.agent.bytecode;

/**
 * Methods whose code has every shape {@link MethodRewriter} must move: switches (whose padding changes
 * with the offset), an object under construction across a branch (an {@code Uninitialized} frame type),
 * returns inside loops and switches, a try block, {@code long} and {@code double} locals, more than 255
 * locals ({@code wide}). Each returns a value that depends on every path it took.
 */
public final class RewriteFixture {

    private RewriteFixture() {
    }

    public static Object shapes(int k, String s) {
        StringBuilder sb = new StringBuilder(k > 0 ? "pos" : "neg");
        switch (k) {
            case 1 -> sb.append('a');
            case 2 -> sb.append('b');
            case 3 -> sb.append('c');
            case 4 -> sb.append('d');
            default -> sb.append('z');
        }
        switch (s) {
            case "alpha" -> sb.append("A");
            case "beta" -> sb.append("B");
            case "return" -> {
                return sb.append("early").toString();
            }
            default -> sb.append("?");
        }
        for (int i = 0; i < k; i++) {
            if (i == 7) {
                return sb.append("seven").toString();
            }
        }
        try {
            sb.append(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            sb.append('!');
        }
        long big = k * 3_000_000_000L;
        double half = big / 2.0;
        switch (k * 1000) {
            case -5000 -> sb.append("m5");
            case 1000 -> sb.append("k1");
            case 100_000 -> sb.append("k100");
            default -> sb.append(half > 0 ? '+' : '-');
        }
        return sb.append(big).toString();
    }

    /** Returns nothing; throws for a negative count. */
    public static void sink(int[] out, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative " + count);
        }
        for (int i = 0; i < count; i++) {
            out[0] += i;
            if (out[0] > 1000) {
                return;
            }
        }
        out[0] = -out[0];
    }

    /** Enough locals that some need {@code wide}. */
    public static long manyLocals(int seed) {
        long a0 = seed, a1 = a0 + 1, a2 = a1 + 1, a3 = a2 + 1, a4 = a3 + 1, a5 = a4 + 1, a6 = a5 + 1, a7 = a6 + 1;
        long b0 = a7 + 1, b1 = b0 + 1, b2 = b1 + 1, b3 = b2 + 1, b4 = b3 + 1, b5 = b4 + 1, b6 = b5 + 1, b7 = b6 + 1;
        long c0 = b7 + 1, c1 = c0 + 1, c2 = c1 + 1, c3 = c2 + 1, c4 = c3 + 1, c5 = c4 + 1, c6 = c5 + 1, c7 = c6 + 1;
        long d0 = c7 + 1, d1 = d0 + 1, d2 = d1 + 1, d3 = d2 + 1, d4 = d3 + 1, d5 = d4 + 1, d6 = d5 + 1, d7 = d6 + 1;
        long e0 = d7 + 1, e1 = e0 + 1, e2 = e1 + 1, e3 = e2 + 1, e4 = e3 + 1, e5 = e4 + 1, e6 = e5 + 1, e7 = e6 + 1;
        long f0 = e7 + 1, f1 = f0 + 1, f2 = f1 + 1, f3 = f2 + 1, f4 = f3 + 1, f5 = f4 + 1, f6 = f5 + 1, f7 = f6 + 1;
        long g0 = f7 + 1, g1 = g0 + 1, g2 = g1 + 1, g3 = g2 + 1, g4 = g3 + 1, g5 = g4 + 1, g6 = g5 + 1, g7 = g6 + 1;
        long h0 = g7 + 1, h1 = h0 + 1, h2 = h1 + 1, h3 = h2 + 1, h4 = h3 + 1, h5 = h4 + 1, h6 = h5 + 1, h7 = h6 + 1;
        long sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7
                + c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7
                + e0 + e1 + e2 + e3 + e4 + e5 + e6 + e7 + f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7
                + g0 + g1 + g2 + g3 + g4 + g5 + g6 + g7 + h0 + h1 + h2 + h3 + h4 + h5 + h6 + h7;
        long[] more = new long[70];
        for (int i = 0; i < more.length; i++) {
            more[i] = sum + i;
        }
        long i0 = more[0], i1 = more[1], i2 = more[2], i3 = more[3], i4 = more[4], i5 = more[5], i6 = more[6];
        long j0 = more[7], j1 = more[8], j2 = more[9], j3 = more[10], j4 = more[11], j5 = more[12], j6 = more[13];
        long k0 = more[14], k1 = more[15], k2 = more[16], k3 = more[17], k4 = more[18], k5 = more[19];
        long l0 = more[20], l1 = more[21], l2 = more[22], l3 = more[23], l4 = more[24], l5 = more[25];
        long m0 = more[26], m1 = more[27], m2 = more[28], m3 = more[29], m4 = more[30], m5 = more[31];
        long n0 = more[32], n1 = more[33], n2 = more[34], n3 = more[35], n4 = more[36], n5 = more[37];
        long o0 = more[38], o1 = more[39], o2 = more[40], o3 = more[41], o4 = more[42], o5 = more[43];
        long p0 = more[44], p1 = more[45], p2 = more[46], p3 = more[47], p4 = more[48], p5 = more[49];
        long q0 = more[50], q1 = more[51], q2 = more[52], q3 = more[53], q4 = more[54], q5 = more[55];
        long s0 = more[56], s1 = more[57], s2 = more[58], s3 = more[59], s4 = more[60], s5 = more[61];
        long t0 = more[62], t1 = more[63], t2 = more[64], t3 = more[65], t4 = more[66], t5 = more[67];
        for (int r = 0; r < 3; r++) {
            q5 += r;
            if (q5 < 0) {
                return q5;
            }
        }
        return sum + i0 + i1 + i2 + i3 + i4 + i5 + i6 + j0 + j1 + j2 + j3 + j4 + j5 + j6 + k0 + k1 + k2 + k3 + k4
                + k5 + l0 + l1 + l2 + l3 + l4 + l5 + m0 + m1 + m2 + m3 + m4 + m5 + n0 + n1 + n2 + n3 + n4 + n5
                + o0 + o1 + o2 + o3 + o4 + o5 + p0 + p1 + p2 + p3 + p4 + p5 + q0 + q1 + q2 + q3 + q4 + q5
                + s0 + s1 + s2 + s3 + s4 + s5 + t0 + t1 + t2 + t3 + t4 + t5;
    }
}
