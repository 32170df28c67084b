package io.heapguard.agent.bytecode;

import static io.heapguard.agent.bytecode.ByteOutput.s2;
import static io.heapguard.agent.bytecode.ByteOutput.s4;
import static io.heapguard.agent.bytecode.ByteOutput.u1;
import static io.heapguard.agent.bytecode.ByteOutput.u2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.heapguard.agent.bytecode.StackMapFrames.Frame;

/**
 * Rewrites the {@code Code} attribute of one method in place of ASM's reader and writer, for the JDK
 * classes the agent retransforms at start-up (ASM cost about 30 ms there: its classes run cold, and what
 * they allocate is memory touched for the first time). A {@link Weaver} sees each original instruction
 * and may emit code before it or instead of it; this class moves everything that names a code offset:
 * jumps and switches, the exception table, line numbers, local variable ranges and the stack map frames.
 *
 * <p>Added locals go after the method's own ({@code max_locals}), so no original instruction changes
 * slot. Every frame is rewritten as a full frame that declares the added local; code added before an
 * instruction belongs to it (a jump to the instruction runs it; an exception range that starts or ends
 * there includes or excludes it with the instruction), as with ASM labels.
 *
 * <p>What this class does not expect of a javac-compiled JDK method ({@code jsr}, code attributes other
 * than line numbers, local variables and frames, a method grown past what a 16-bit jump reaches) is an
 * {@link IllegalStateException}: the caller leaves the class as it was.
 */
public final class MethodRewriter {

    /** What to weave into one method; called in code order. */
    public interface Weaver {
        /** Code before the first original instruction. */
        void atEntry(MethodRewriter r);

        /**
         * At each original instruction: emit code before it and return false to have it copied after, or
         * emit its replacement (or {@link #copy()} it yourself) and return true.
         */
        boolean atInstruction(MethodRewriter r);

        /** After the last original instruction: handlers. */
        void atEnd(MethodRewriter r);
    }

    /** An added local holding a reference (a reservation), for the constructor's {@code newLocal}. */
    public static final int OBJECT_LOCAL = 1;
    /** An added {@code long} local (a running total). */
    public static final int LONG_LOCAL = 2;

    private static final String THROWABLE = "java/lang/Throwable";
    /** Stack room for what the advices add: a hook's arguments above whatever the method had there. */
    private static final int ADDED_STACK = 8;

    private final byte[] b;
    private final ConstantPool pool;
    private final int attribute;
    private final int maxStack;
    private final int maxLocals;
    private final int codeStart;
    private final int codeLength;
    private final int exceptionTable;
    private final int exceptionCount;
    private final int[] length;
    private final boolean[] labelAt;
    private final int[] initialLocals;
    private final int newLocalType;

    private final ByteOutput out;
    private final CodeEmitter emitter;
    private final int[] newStart;
    /** {position to patch, new start of the instruction, old target, width 2 or 4}. */
    private final List<int[]> fixups = new ArrayList<>();
    /** {start, end, handler} in new offsets, after the method's own. */
    private final List<int[]> catchAlls = new ArrayList<>();
    private final List<Frame> addedFrames = new ArrayList<>();
    /** The method's own frames, decoded once; null without a {@code StackMapTable}. */
    private List<Frame> originalFrames;
    private int current;
    private boolean lineAtEntry;

    /**
     * @param codeAttribute where the method's {@code Code} attribute starts (its name index)
     * @param newLocal      the verification type of a local to add ({@link #OBJECT_LOCAL},
     *                      {@link #LONG_LOCAL}), or 0 for none
     */
    public MethodRewriter(byte[] classfile, ConstantPool pool, int codeAttribute, String owner, boolean isStatic,
                          String name, String descriptor, int newLocal) {
        this.b = classfile;
        this.pool = pool;
        this.attribute = codeAttribute;
        this.maxStack = u2(b, codeAttribute + 6);
        this.maxLocals = u2(b, codeAttribute + 8);
        this.codeLength = s4(b, codeAttribute + 10);
        this.codeStart = codeAttribute + 14;
        this.exceptionTable = codeStart + codeLength + 2;
        this.exceptionCount = u2(b, codeStart + codeLength);
        this.newLocalType = newLocal == OBJECT_LOCAL
                ? StackMapFrames.type(StackMapFrames.OBJECT, pool.classIndex("java/lang/Object"))
                : newLocal == LONG_LOCAL ? StackMapFrames.type(StackMapFrames.LONG, 0) : -1;
        this.initialLocals = StackMapFrames.initialLocals(pool, owner, isStatic, name, descriptor);
        this.length = new int[codeLength];
        this.labelAt = new boolean[codeLength + 1];
        this.newStart = new int[codeLength + 1];
        this.out = new ByteOutput(codeLength + 64);
        this.emitter = new CodeEmitter(out, pool);
        scanInstructions();
        markLabels();
        for (int at = 1; at < codeLength; at++) {
            if (labelAt[at] && length[at] == 0) {
                throw new IllegalStateException("a code offset " + at + " that is no instruction's");
            }
        }
    }

    // ---- for the weaver ----

    public CodeEmitter emitter() {
        return emitter;
    }

    /** Where the next emitted byte goes, in the new code. */
    public int position() {
        return out.position();
    }

    /** The added local's slot, or -1. */
    public int newLocal() {
        return newLocalType < 0 ? -1 : maxLocals;
    }

    public boolean hasTryBlocks() {
        return exceptionCount > 0;
    }

    /** The current instruction's opcode. */
    public int opcode() {
        return u1(b, codeStart + current);
    }

    /** For a field or method instruction: the member's owner, name and descriptor. */
    public String memberOwner() {
        return pool.refOwner(u2(b, codeStart + current + 1));
    }

    public String memberName() {
        return pool.refName(u2(b, codeStart + current + 1));
    }

    public String memberDescriptor() {
        return pool.refDescriptor(u2(b, codeStart + current + 1));
    }

    /** For {@code newarray}: the element type code. */
    public int arrayType() {
        return u1(b, codeStart + current + 1);
    }

    /** For {@code anewarray}: the element's internal name. */
    public String typeOperand() {
        return pool.className(u2(b, codeStart + current + 1));
    }

    /**
     * Whether the current instruction can be reached other than from the one before, or starts a line or
     * a range: where ASM would have shown a label.
     */
    public boolean labelHere() {
        return labelAt[current];
    }

    /** Copies the current instruction, its jump offsets moved. */
    public void copy() {
        int at = codeStart + current;
        int op = u1(b, at);
        int start = out.position();
        if ((op >= 153 && op <= 167) || op == 198 || op == 199) { // if<cond>, goto, ifnull, ifnonnull
            out.u1(op);
            fixups.add(new int[] {out.position(), start, current + s2(b, at + 1), 2});
            out.u2(0);
        } else if (op == 200) { // goto_w
            out.u1(op);
            fixups.add(new int[] {out.position(), start, current + s4(b, at + 1), 4});
            out.u4(0);
        } else if (op == 170 || op == 171) { // tableswitch, lookupswitch: padding follows the new offset
            out.u1(op);
            while (out.position() % 4 != 0) {
                out.u1(0);
            }
            int base = codeStart + ((current + 4) & ~3);
            fixups.add(new int[] {out.position(), start, current + s4(b, base), 4});
            out.u4(0);
            if (op == 170) {
                int low = s4(b, base + 4);
                int high = s4(b, base + 8);
                out.u4(low).u4(high);
                for (int i = 0; i <= high - low; i++) {
                    fixups.add(new int[] {out.position(), start, current + s4(b, base + 12 + 4 * i), 4});
                    out.u4(0);
                }
            } else {
                int pairs = s4(b, base + 4);
                out.u4(pairs);
                for (int i = 0; i < pairs; i++) {
                    out.u4(s4(b, base + 8 + 8 * i));
                    fixups.add(new int[] {out.position(), start, current + s4(b, base + 12 + 8 * i), 4});
                    out.u4(0);
                }
            }
        } else {
            out.bytes(b, at, length[current]);
        }
    }

    /** Adds a catch-all entry, after the method's own, over [start, end) of the new code. */
    public void catchAll(int start, int end, int handler) {
        catchAlls.add(new int[] {start, end, handler});
    }

    /**
     * A frame here, for a handler: a {@code Throwable} on the stack; the added local; {@code this} and the
     * arguments if {@code withArguments} (then the method must not store into them: checked), else
     * nothing else.
     */
    public void handlerFrame(boolean withArguments) {
        if (withArguments) {
            checkArgumentsNeverStored();
        }
        int[] locals = withArguments ? initialLocals : new int[0];
        addedFrames.add(new StackMapFrames.Frame(out.position(), withNewLocal(locals),
                new int[] {StackMapFrames.type(StackMapFrames.OBJECT, pool.classIndex(THROWABLE))}));
    }

    /** Gives the code before the first original instruction the method's first line, for stack traces. */
    public void lineAtEntry() {
        lineAtEntry = true;
    }

    // ---- the rewrite ----

    /** The new {@code Code} attribute, whole. */
    public byte[] rewrite(Weaver weaver) {
        weaver.atEntry(this);
        for (int at = 0; at < codeLength; at += length[at]) {
            current = at;
            newStart[at] = out.position();
            if (!weaver.atInstruction(this)) {
                copy();
            }
        }
        int bodyEnd = out.position();
        newStart[codeLength] = bodyEnd;
        weaver.atEnd(this);
        emitter.resolveJumps();
        for (int[] f : fixups) {
            int target = newStart[f[2]] - f[1];
            if (f[3] == 2) {
                if (target != (short) target) {
                    throw new IllegalStateException("a jump no longer fits in 16 bits");
                }
                out.u2At(f[0], target);
            } else {
                out.u4At(f[0], target);
            }
        }
        if (out.position() > 0xffff) {
            throw new IllegalStateException("the method's code grew past 64 KiB");
        }
        return attribute();
    }

    private byte[] attribute() {
        ByteOutput a = new ByteOutput(out.position() + 256);
        a.u2(u2(b, attribute)).u4(0); // name, length patched below
        a.u2(maxStack + ADDED_STACK).u2(maxLocals + (newLocalType < 0 ? 0 : slots(newLocalType)));
        a.u4(out.position()).bytes(out);
        a.u2(exceptionCount + catchAlls.size());
        int table = a.position();
        a.bytes(b, exceptionTable, 8 * exceptionCount); // then each offset moved in place
        for (int i = 0; i < exceptionCount; i++) {
            int e = exceptionTable + 8 * i;
            a.u2At(table + 8 * i, newStart[u2(b, e)]);
            a.u2At(table + 8 * i + 2, newStart[u2(b, e + 2)]);
            a.u2At(table + 8 * i + 4, newStart[u2(b, e + 4)]);
        }
        for (int[] c : catchAlls) {
            a.u2(c[0]).u2(c[1]).u2(c[2]).u2(0);
        }
        int attributes = exceptionTable + 8 * exceptionCount;
        int count = u2(b, attributes);
        boolean hasFrames = false;
        int countAt = a.position();
        a.u2(0);
        int written = 0;
        for (int i = 0, at = attributes + 2; i < count; i++) {
            String name = pool.utf8(u2(b, at));
            int size = s4(b, at + 2);
            switch (name) {
                case "LineNumberTable" -> lineNumbers(at, a);
                case "LocalVariableTable", "LocalVariableTypeTable" -> localVariables(at, a);
                case "StackMapTable" -> {
                    frames(at, a);
                    hasFrames = true;
                }
                default -> throw new IllegalStateException("a code attribute " + name + " this rewriter cannot move");
            }
            written++;
            at += 6 + size;
        }
        if (!hasFrames && (!addedFrames.isEmpty() || newLocalType >= 0)) {
            frames(-1, a);
            written++;
        }
        a.u2At(countAt, written);
        a.u4At(2, a.position() - 6);
        return a.toByteArray();
    }

    private void lineNumbers(int at, ByteOutput a) {
        int count = u2(b, at + 6);
        int firstLine = -1;
        int firstPc = Integer.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            int pc = u2(b, at + 8 + 4 * i);
            if (pc < firstPc) {
                firstPc = pc;
                firstLine = u2(b, at + 10 + 4 * i);
            }
        }
        boolean extra = lineAtEntry && firstLine >= 0 && newStart[0] > 0;
        a.u2(u2(b, at)).u4(2 + 4 * (count + (extra ? 1 : 0))).u2(count + (extra ? 1 : 0));
        if (extra) {
            a.u2(0).u2(firstLine);
        }
        int table = a.position();
        a.bytes(b, at + 8, 4 * count); // then each start moved in place
        for (int i = 0; i < count; i++) {
            a.u2At(table + 4 * i, newStart[u2(b, at + 8 + 4 * i)]);
        }
    }

    private void localVariables(int at, ByteOutput a) {
        int count = u2(b, at + 6);
        int table = a.position() + 8;
        a.bytes(b, at, 8 + 10 * count); // then each range moved in place
        for (int i = 0; i < count; i++) {
            int e = at + 8 + 10 * i;
            int start = u2(b, e);
            int end = start + u2(b, e + 2);
            a.u2At(table + 10 * i, newStart[start]);
            a.u2At(table + 10 * i + 2, newStart[end] - newStart[start]);
        }
    }

    private void frames(int at, ByteOutput a) {
        List<Frame> frames = new ArrayList<>();
        if (originalFrames != null) {
            for (Frame f : originalFrames) {
                frames.add(new Frame(newStart[f.offset], withNewLocal(moved(f.locals)), moved(f.stack)));
            }
        }
        frames.addAll(addedFrames);
        ByteOutput table = new ByteOutput(64 * frames.size() + 2);
        StackMapFrames.encode(frames, table);
        a.u2(at >= 0 ? u2(b, at) : pool.utf8Index("StackMapTable")).u4(table.position()).bytes(table);
    }

    /** {@code Uninitialized(offset)} follows its {@code new} instruction. */
    private int[] moved(int[] types) {
        int[] result = types;
        for (int i = 0; i < types.length; i++) {
            if (StackMapFrames.tag(types[i]) == StackMapFrames.UNINITIALIZED) {
                if (result == types) {
                    result = types.clone();
                }
                result[i] = StackMapFrames.type(StackMapFrames.UNINITIALIZED, newStart[StackMapFrames.data(types[i])]);
            }
        }
        return result;
    }

    /** {@code locals} up to {@code max_locals} (the rest as top), then the added local, if any. */
    private int[] withNewLocal(int[] locals) {
        if (newLocalType < 0) {
            return locals;
        }
        int slots = StackMapFrames.slots(locals);
        if (slots > maxLocals) {
            throw new IllegalStateException("a frame declares more locals than max_locals");
        }
        int[] result = Arrays.copyOf(locals, locals.length + (maxLocals - slots) + 1);
        result[result.length - 1] = newLocalType; // the top padding in between is 0
        return result;
    }

    private static int slots(int type) {
        return StackMapFrames.tag(type) == StackMapFrames.LONG ? 2 : 1;
    }

    // ---- reading the original code ----

    private void scanInstructions() {
        for (int at = 0; at < codeLength; ) {
            int op = u1(b, codeStart + at);
            int n = instructionLength(op, at);
            length[at] = n;
            if ((op >= 153 && op <= 167) || op == 198 || op == 199) {
                mark(at + s2(b, codeStart + at + 1));
            } else if (op == 200) {
                mark(at + s4(b, codeStart + at + 1));
            } else if (op == 170 || op == 171) {
                int base = codeStart + ((at + 4) & ~3);
                mark(at + s4(b, base));
                int targets = op == 170 ? s4(b, base + 8) - s4(b, base + 4) + 1 : s4(b, base + 4);
                for (int i = 0; i < targets; i++) {
                    mark(at + s4(b, op == 170 ? base + 12 + 4 * i : base + 12 + 8 * i));
                }
            }
            at += n;
            if (at > codeLength) {
                throw new IllegalStateException("an instruction runs past the end of the code");
            }
        }
    }

    /**
     * Marks the offsets the exception table, the line and local-variable tables and the frames name (the
     * jumps were marked by the scan), and decodes the frames once.
     */
    private void markLabels() {
        for (int i = 0; i < exceptionCount; i++) {
            int e = exceptionTable + 8 * i;
            mark(u2(b, e));
            mark(u2(b, e + 2));
            mark(u2(b, e + 4));
        }
        int attributes = exceptionTable + 8 * exceptionCount;
        for (int i = 0, count = u2(b, attributes), at = attributes + 2; i < count; i++) {
            String name = pool.utf8(u2(b, at));
            int entries = u2(b, at + 6);
            if (name.equals("LineNumberTable")) {
                for (int k = 0; k < entries; k++) {
                    mark(u2(b, at + 8 + 4 * k));
                }
            } else if (name.equals("LocalVariableTable") || name.equals("LocalVariableTypeTable")) {
                for (int k = 0; k < entries; k++) {
                    int start = u2(b, at + 8 + 10 * k);
                    mark(start);
                    mark(start + u2(b, at + 10 + 10 * k));
                }
            } else if (name.equals("StackMapTable")) {
                originalFrames = StackMapFrames.decode(b, at + 6, initialLocals);
                for (Frame f : originalFrames) {
                    mark(f.offset);
                }
            }
            at += 6 + s4(b, at + 2);
        }
    }

    /** Checked once every instruction is known (a jump may name one further on). */
    private void mark(int offset) {
        if (offset < 0 || offset > codeLength) {
            throw new IllegalStateException("a code offset " + offset + " outside the code");
        }
        labelAt[offset] = true;
    }

    private int instructionLength(int op, int at) {
        switch (op) {
            case 16, 18, 21, 22, 23, 24, 25, 54, 55, 56, 57, 58, 188: // bipush ldc xload xstore newarray
                return 2;
            case 17, 19, 20, 132, 178, 179, 180, 181, 182, 183, 184, 187, 189, 192, 193, 198, 199:
                return 3; // sipush ldc_w ldc2_w iinc field/method new anewarray checkcast instanceof ifnull
            case 197: // multianewarray
                return 4;
            case 185, 186, 200: // invokeinterface invokedynamic goto_w
                return 5;
            case 196: // wide
                return u1(b, codeStart + at + 1) == 132 ? 6 : 4;
            case 170: {
                int base = (at + 4) & ~3;
                return base - at + 12 + 4 * (s4(b, codeStart + base + 8) - s4(b, codeStart + base + 4) + 1);
            }
            case 171: {
                int base = (at + 4) & ~3;
                return base - at + 8 + 8 * s4(b, codeStart + base + 4);
            }
            case 168, 169, 201: // jsr ret jsr_w: not in class files of version 51 on
                throw new IllegalStateException("jsr/ret in a method");
            default:
                if (op >= 153 && op <= 167) {
                    return 3;
                }
                if (op > 201) {
                    throw new IllegalStateException("opcode " + op);
                }
                return 1;
        }
    }

    private void checkArgumentsNeverStored() {
        int argumentSlots = StackMapFrames.slots(initialLocals);
        for (int at = 0; at < codeLength; at += length[at]) {
            int op = u1(b, codeStart + at);
            int slot;
            if (op >= 54 && op <= 58) { // xstore
                slot = u1(b, codeStart + at + 1);
            } else if (op >= 59 && op <= 78) { // xstore_<n>
                slot = (op - 59) % 4;
            } else if (op == 132) { // iinc
                slot = u1(b, codeStart + at + 1);
            } else if (op == 196 && ((u1(b, codeStart + at + 1) >= 54 && u1(b, codeStart + at + 1) <= 58)
                    || u1(b, codeStart + at + 1) == 132)) { // wide xstore, wide iinc
                slot = u2(b, codeStart + at + 2);
            } else {
                continue;
            }
            if (slot < argumentSlots) {
                throw new IllegalStateException("the method stores into its argument slot " + slot);
            }
        }
    }
}
