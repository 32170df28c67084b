package io.heapguard.agent.arrays;

import org.objectweb.asm.ClassReader;

/**
 * A pass over a class file's bytecode, without ASM's visitors (no labels, no objects per instruction):
 * which methods allocate an array the guard must check, and their {@code max_locals}.
 *
 * <p>A method needs the rewrite if it has a {@code newarray}/{@code anewarray} whose length is not a
 * constant pushed by the instruction just before it and below the charged length, a
 * {@code multianewarray}, or an {@code invokestatic} of a {@link HookedCalls hooked} JDK method. A
 * constant length counts only if no branch lands on the allocation (then the length may come from
 * elsewhere). Most classes need nothing and are returned to the JVM untouched after this pass alone.
 *
 * <p>Malformed code (an unknown opcode, an offset out of bounds) throws; the transformer then leaves the
 * class alone and the JVM reports it as it would have.
 */
final class ClassScan {
    /** Per method, in class file order: whether to rewrite it. */
    final boolean[] rewrite;
    /** Per method, in class file order: its {@code max_locals} (0 without code). */
    final int[] maxLocals;
    /** How many methods need the rewrite. */
    final int count;

    private ClassScan(boolean[] rewrite, int[] maxLocals, int count) {
        this.rewrite = rewrite;
        this.maxLocals = maxLocals;
        this.count = count;
    }

    /** The scan of a class file, or {@code null} when no method needs the rewrite. */
    static ClassScan scan(ClassReader reader, byte[] b, Thresholds t) {
        return new Scanner(reader, b, t).run();
    }

    /** {@code opcode → instruction length}; 0: variable (switches, wide); -1: not an opcode. */
    private static final byte[] LENGTH = new byte[256];

    static {
        java.util.Arrays.fill(LENGTH, (byte) -1);
        fill(0x00, 0x0f, 1);   // nop .. dconst_1
        LENGTH[0x10] = 2;      // bipush
        LENGTH[0x11] = 3;      // sipush
        LENGTH[0x12] = 2;      // ldc
        LENGTH[0x13] = 3;      // ldc_w
        LENGTH[0x14] = 3;      // ldc2_w
        fill(0x15, 0x19, 2);   // iload .. aload
        fill(0x1a, 0x35, 1);   // iload_0 .. saload
        fill(0x36, 0x3a, 2);   // istore .. astore
        fill(0x3b, 0x83, 1);   // istore_0 .. lxor
        LENGTH[0x84] = 3;      // iinc
        fill(0x85, 0x98, 1);   // i2l .. dcmpg
        fill(0x99, 0xa8, 3);   // ifeq .. jsr
        LENGTH[0xa9] = 2;      // ret
        LENGTH[0xaa] = 0;      // tableswitch
        LENGTH[0xab] = 0;      // lookupswitch
        fill(0xac, 0xb1, 1);   // ireturn .. return
        fill(0xb2, 0xb8, 3);   // getstatic .. invokestatic
        LENGTH[0xb9] = 5;      // invokeinterface
        LENGTH[0xba] = 5;      // invokedynamic
        LENGTH[0xbb] = 3;      // new
        LENGTH[0xbc] = 2;      // newarray
        LENGTH[0xbd] = 3;      // anewarray
        LENGTH[0xbe] = 1;      // arraylength
        LENGTH[0xbf] = 1;      // athrow
        LENGTH[0xc0] = 3;      // checkcast
        LENGTH[0xc1] = 3;      // instanceof
        LENGTH[0xc2] = 1;      // monitorenter
        LENGTH[0xc3] = 1;      // monitorexit
        LENGTH[0xc4] = 0;      // wide
        LENGTH[0xc5] = 4;      // multianewarray
        LENGTH[0xc6] = 3;      // ifnull
        LENGTH[0xc7] = 3;      // ifnonnull
        LENGTH[0xc8] = 5;      // goto_w
        LENGTH[0xc9] = 5;      // jsr_w
    }

    private static void fill(int from, int to, int length) {
        for (int op = from; op <= to; op++) {
            LENGTH[op] = (byte) length;
        }
    }

    private static final class Scanner {
        private final ClassReader reader;
        private final byte[] b;
        private final Thresholds t;
        private final char[] chars;
        private int codeNameIndex = -1;
        /** Per constant pool index: 0 not looked at, 1 not hooked, 2 hooked. */
        private byte[] hooked;
        // per method, reused
        private int[] targets = new int[16];
        private int targetCount;
        private int[] constSites = new int[8];
        private int constSiteCount;

        Scanner(ClassReader reader, byte[] b, Thresholds t) {
            this.reader = reader;
            this.b = b;
            this.t = t;
            this.chars = new char[reader.getMaxStringLength()];
        }

        ClassScan run() {
            int p = reader.header + 6;
            p += 2 + 2 * u2(p);                      // interfaces
            int fields = u2(p);
            p += 2;
            for (int i = 0; i < fields; i++) {
                p = skipMember(p);
            }
            int methods = u2(p);
            p += 2;
            boolean[] rewrite = null;
            int[] maxLocals = new int[methods];
            int count = 0;
            for (int m = 0; m < methods; m++) {
                int attributes = u2(p + 6);
                p += 8;
                for (int a = 0; a < attributes; a++) {
                    int length = s4(p + 2);
                    if (isCode(p)) {
                        maxLocals[m] = u2(p + 8);
                        if (needsRewrite(p + 6)) {
                            if (rewrite == null) {
                                rewrite = new boolean[methods];
                            }
                            rewrite[m] = true;
                            count++;
                        }
                    }
                    p += 6 + length;
                }
            }
            return count == 0 ? null : new ClassScan(rewrite, maxLocals, count);
        }

        private int skipMember(int p) {
            int attributes = u2(p + 6);
            p += 8;
            for (int a = 0; a < attributes; a++) {
                p += 6 + s4(p + 2);
            }
            return p;
        }

        /** Whether the attribute is named "Code" (ASM caches each name it decodes, so this stays cheap). */
        private boolean isCode(int attributeOffset) {
            int index = u2(attributeOffset);
            if (index == codeNameIndex) {
                return true;
            }
            if ("Code".equals(reader.readUTF8(attributeOffset, chars))) {
                codeNameIndex = index; // usually the only one; another compiler may have written several
                return true;
            }
            return false;
        }

        /** @param code offset of the Code attribute's {@code max_stack} */
        private boolean needsRewrite(int code) {
            int codeLength = s4(code + 4);
            int start = code + 8;
            int end = start + codeLength;
            if (codeLength <= 0 || end > b.length) {
                throw new IllegalArgumentException("bad code length " + codeLength);
            }
            targetCount = 0;
            constSiteCount = 0;
            boolean constant = false;   // the previous instruction pushed an int constant...
            int value = 0;              // ...this one
            int pc = 0;
            while (pc < codeLength) {
                int at = start + pc;
                int op = b[at] & 0xFF;
                int length = LENGTH[op];
                boolean pushed = false;
                switch (op) {
                    case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08: // iconst_m1..5
                        pushed = true;
                        value = op - 0x03;
                        break;
                    case 0x10: // bipush
                        pushed = true;
                        value = b[at + 1];
                        break;
                    case 0x11: // sipush
                        pushed = true;
                        value = (short) u2(at + 1);
                        break;
                    case 0x12: // ldc
                    case 0x13: { // ldc_w
                        int index = op == 0x12 ? b[at + 1] & 0xFF : u2(at + 1);
                        int item = reader.getItem(index);
                        if (item > 0 && b[item - 1] == 3) { // CONSTANT_Integer
                            pushed = true;
                            value = s4(item);
                        }
                        break;
                    }
                    case 0xbc: // newarray
                        if (constant && value < t.forNewarray(b[at + 1] & 0xFF)) {
                            constSite(pc);
                        } else {
                            return true;
                        }
                        break;
                    case 0xbd: // anewarray
                        if (constant && value < t.minRef) {
                            constSite(pc);
                        } else {
                            return true;
                        }
                        break;
                    case 0xc5: // multianewarray
                        return true;
                    case 0xb8: // invokestatic
                        if (isHooked(u2(at + 1))) {
                            return true;
                        }
                        break;
                    case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: case 0xa0:
                    case 0xa1: case 0xa2: case 0xa3: case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xa8:
                    case 0xc6: case 0xc7: // if*, goto, jsr, ifnull, ifnonnull
                        target(pc + (short) u2(at + 1));
                        break;
                    case 0xc8: case 0xc9: // goto_w, jsr_w
                        target(pc + s4(at + 1));
                        break;
                    case 0xaa: { // tableswitch
                        int q = at + 1 + ((4 - ((pc + 1) & 3)) & 3);
                        target(pc + s4(q));
                        int low = s4(q + 4);
                        int high = s4(q + 8);
                        long n = (long) high - low + 1;
                        if (n < 0 || n > codeLength) {
                            throw new IllegalArgumentException("bad tableswitch at " + pc);
                        }
                        q += 12;
                        for (int i = 0; i < n; i++, q += 4) {
                            target(pc + s4(q));
                        }
                        length = q - at;
                        break;
                    }
                    case 0xab: { // lookupswitch
                        int q = at + 1 + ((4 - ((pc + 1) & 3)) & 3);
                        target(pc + s4(q));
                        int pairs = s4(q + 4);
                        if (pairs < 0 || pairs > codeLength) {
                            throw new IllegalArgumentException("bad lookupswitch at " + pc);
                        }
                        q += 8;
                        for (int i = 0; i < pairs; i++, q += 8) {
                            target(pc + s4(q + 4));
                        }
                        length = q - at;
                        break;
                    }
                    case 0xc4: // wide
                        length = (b[at + 1] & 0xFF) == 0x84 ? 6 : 4;
                        break;
                    default:
                        if (length < 0) {
                            throw new IllegalArgumentException("unknown opcode " + op + " at " + pc);
                        }
                        break;
                }
                constant = pushed;
                pc += length;
            }
            // A constant-length allocation a branch lands on may get its length from elsewhere.
            for (int i = 0; i < constSiteCount; i++) {
                int site = constSites[i];
                for (int j = 0; j < targetCount; j++) {
                    if (targets[j] == site) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean isHooked(int index) {
            if (hooked == null) {
                hooked = new byte[reader.getItemCount()];
            }
            byte known = hooked[index];
            if (known == 0) {
                known = lookUp(index) ? (byte) 2 : (byte) 1;
                hooked[index] = known;
            }
            return known == 2;
        }

        private boolean lookUp(int index) {
            int item = reader.getItem(index);
            if (item <= 0 || b[item - 1] != 10) { // CONSTANT_Methodref (static interface methods are not ours)
                return false;
            }
            String owner = reader.readClass(item, chars);
            if (!HookedCalls.ARRAYS.equals(owner) && !HookedCalls.ARRAY.equals(owner)) {
                return false;
            }
            int nameAndType = reader.getItem(u2(item + 2));
            return HookedCalls.isHooked(owner, reader.readUTF8(nameAndType, chars),
                    reader.readUTF8(nameAndType + 2, chars));
        }

        private void target(int pc) {
            if (targetCount == targets.length) {
                targets = java.util.Arrays.copyOf(targets, targetCount * 2);
            }
            targets[targetCount++] = pc;
        }

        private void constSite(int pc) {
            if (constSiteCount == constSites.length) {
                constSites = java.util.Arrays.copyOf(constSites, constSiteCount * 2);
            }
            constSites[constSiteCount++] = pc;
        }

        private int u2(int p) {
            return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
        }

        private int s4(int p) {
            return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
        }
    }
}
