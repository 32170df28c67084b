package io.heapguard.agent.bytecode;

import static io.heapguard.agent.bytecode.ByteOutput.u1;
import static io.heapguard.agent.bytecode.ByteOutput.u2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A method's {@code StackMapTable} decoded into full frames, and full frames encoded back. A verification
 * type is an {@code int}: the JVMS tag in the high half, the constant-pool index ({@code Object}) or code
 * offset ({@code Uninitialized}) in the low half. Locals are listed as the class file lists them, a
 * {@code long} or {@code double} once for its two slots.
 */
final class StackMapFrames {
    static final int TOP = 0;
    static final int INTEGER = 1;
    static final int FLOAT = 2;
    static final int DOUBLE = 3;
    static final int LONG = 4;
    static final int UNINITIALIZED_THIS = 6;
    static final int OBJECT = 7;
    static final int UNINITIALIZED = 8;
    private static final int[] NONE = {};

    private StackMapFrames() {
    }

    static int type(int tag, int data) {
        return (tag << 16) | data;
    }

    static int tag(int type) {
        return type >>> 16;
    }

    static int data(int type) {
        return type & 0xffff;
    }

    /** One frame, at a code offset. */
    static final class Frame {
        final int offset;
        final int[] locals;
        final int[] stack;

        Frame(int offset, int[] locals, int[] stack) {
            this.offset = offset;
            this.locals = locals;
            this.stack = stack;
        }
    }

    /** The frame the JVM infers at a method's entry, from its descriptor. */
    static int[] initialLocals(ConstantPool pool, String owner, boolean isStatic, String name, String descriptor) {
        List<Integer> locals = new ArrayList<>();
        if (!isStatic) {
            locals.add("<init>".equals(name) ? type(UNINITIALIZED_THIS, 0) : type(OBJECT, pool.classIndex(owner)));
        }
        for (int at = 1; descriptor.charAt(at) != ')'; ) {
            int start = at;
            while (descriptor.charAt(at) == '[') {
                at++;
            }
            char c = descriptor.charAt(at);
            int end = c == 'L' ? descriptor.indexOf(';', at) + 1 : at + 1;
            if (at > start) {
                locals.add(type(OBJECT, pool.classIndex(descriptor.substring(start, end)))); // an array
            } else {
                locals.add(switch (c) {
                    case 'I', 'Z', 'B', 'C', 'S' -> type(INTEGER, 0);
                    case 'F' -> type(FLOAT, 0);
                    case 'J' -> type(LONG, 0);
                    case 'D' -> type(DOUBLE, 0);
                    case 'L' -> type(OBJECT, pool.classIndex(descriptor.substring(start + 1, end - 1)));
                    default -> throw new IllegalStateException("descriptor " + descriptor);
                });
            }
            at = end;
        }
        int[] result = new int[locals.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = locals.get(i);
        }
        return result;
    }

    /** Decodes the entries of a {@code StackMapTable} whose {@code number_of_entries} is at {@code at}. */
    static List<Frame> decode(byte[] b, int at, int[] initialLocals) {
        int count = u2(b, at);
        at += 2;
        List<Frame> frames = new ArrayList<>(count);
        int[] locals = initialLocals;
        int offset = -1;
        int[] read = new int[1];
        for (int i = 0; i < count; i++) {
            int frameType = u1(b, at++);
            int delta;
            int[] stack = NONE;
            if (frameType < 64) {
                delta = frameType;
            } else if (frameType < 128) {
                delta = frameType - 64;
                read[0] = at;
                stack = new int[] {readType(b, read)};
                at = read[0];
            } else if (frameType < 247) {
                throw new IllegalStateException("reserved stack map frame type " + frameType);
            } else {
                delta = u2(b, at);
                at += 2;
                read[0] = at;
                if (frameType == 247) {
                    stack = new int[] {readType(b, read)};
                } else if (frameType < 251) {
                    locals = Arrays.copyOf(locals, locals.length - (251 - frameType));
                } else if (frameType > 251 && frameType < 255) {
                    int[] more = new int[frameType - 251];
                    for (int k = 0; k < more.length; k++) {
                        more[k] = readType(b, read);
                    }
                    locals = concat(locals, more);
                } else if (frameType == 255) {
                    locals = readTypes(b, read);
                    stack = readTypes(b, read);
                }
                at = read[0];
            }
            offset = offset < 0 ? delta : offset + delta + 1;
            frames.add(new Frame(offset, locals, stack));
        }
        return frames;
    }

    private static int[] readTypes(byte[] b, int[] at) {
        int[] types = new int[u2(b, at[0])];
        at[0] += 2;
        for (int i = 0; i < types.length; i++) {
            types[i] = readType(b, at);
        }
        return types;
    }

    private static int readType(byte[] b, int[] at) {
        int tag = u1(b, at[0]++);
        if (tag == OBJECT || tag == UNINITIALIZED) {
            int data = u2(b, at[0]);
            at[0] += 2;
            return type(tag, data);
        }
        if (tag > UNINITIALIZED) {
            throw new IllegalStateException("verification type " + tag);
        }
        return type(tag, 0);
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Slots the listed locals take. */
    static int slots(int[] locals) {
        int n = 0;
        for (int t : locals) {
            n += tag(t) == LONG || tag(t) == DOUBLE ? 2 : 1;
        }
        return n;
    }

    /**
     * {@code number_of_entries} and the frames, each as a {@code same_frame} or
     * {@code same_locals_1_stack_item_frame} when its locals are those of the frame before, else as a
     * {@code full_frame}; offsets must be increasing. (Written whole, the padded locals of every frame were
     * most of the rewrite's time: it runs interpreted.)
     */
    static void encode(List<Frame> frames, ByteOutput out) {
        out.u2(frames.size());
        int previous = -1;
        int[] previousLocals = null;
        for (Frame f : frames) {
            if (f.offset <= previous) {
                throw new IllegalStateException("two frames at or out of order near offset " + f.offset);
            }
            int delta = previous < 0 ? f.offset : f.offset - previous - 1;
            boolean sameLocals = previousLocals != null && Arrays.equals(previousLocals, f.locals);
            if (sameLocals && f.stack.length == 0) {
                if (delta < 64) {
                    out.u1(delta); // same_frame
                } else {
                    out.u1(251).u2(delta); // same_frame_extended
                }
            } else if (sameLocals && f.stack.length == 1) {
                if (delta < 64) {
                    out.u1(64 + delta); // same_locals_1_stack_item_frame
                } else {
                    out.u1(247).u2(delta);
                }
                out.types(f.stack, false);
            } else {
                out.u1(255).u2(delta);
                out.types(f.locals, true);
                out.types(f.stack, true);
            }
            previous = f.offset;
            previousLocals = f.locals;
        }
    }
}
