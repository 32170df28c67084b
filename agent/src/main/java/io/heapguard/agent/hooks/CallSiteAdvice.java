package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * The second way a JDK method is guarded, for growths that are one instruction inside a method rather
 * than the whole method: {@link CallSiteWeaver} shows each instruction of the matched method to the
 * advice, which may replace it by a call into {@code io.heapguard.internal.GrowthHooks} taking the same
 * operands plus the growth point's ordinal and leaving the same result, e.g.
 *
 * <pre>
 *   invokestatic java/util/Arrays.copyOf([CI)[C
 * becomes
 *   bipush &lt;point&gt;; invokestatic io/heapguard/internal/GrowthHooks.copyOfChars([CII)[C
 * </pre>
 *
 * The hook reserves, allocates as the original did, binds, and abandons if the allocation throws; below
 * the fast limit it only allocates. No branch is added, so a refusal is thrown exactly where the JDK
 * would have allocated, before any state of the object changes.
 *
 * <p>Options, each for one kind of growth point: a {@code long} running total in a new local
 * ({@link #needsRunningTotal}, for a list of chunks); a rollback ({@link #guards}, {@link #undo}) around a
 * call whose refusal would otherwise leave the object half-changed; an entry call whose reservation is tied
 * to {@code this} at the returns ({@link #hasEntry}).
 *
 * <p>A matched method in which the advice rewrote nothing fails the instrumentation of its class (the
 * transformer reports it in one line and leaves the class as it was): the JDK changed under the advice.
 */
abstract class CallSiteAdvice extends Advice {
    /** Kinds of site, for {@link #requiredSites}: a replaced call, */
    static final int CALL = 1;
    /** a guarded call, */
    static final int GUARDED_CALL = 2;
    /** a replaced {@code newarray} right after {@code Math.min(II)I}, */
    static final int CHUNK = 4;
    /** any other replaced {@code newarray}/{@code anewarray}, */
    static final int NEW_ARRAY = 8;
    /** the entry call. */
    static final int ENTRY = 16;

    /** An instance method: the buffer's owner is {@code this}, to which the charge is tied. */
    private final boolean hasThis;

    CallSiteAdvice(String owner, String name, String descriptor, boolean isStatic, GrowthPoint point) {
        super(owner, name, descriptor, isStatic, point);
        this.hasThis = !isStatic;
    }

    @Override
    final void enter(MethodVisitor mv) {
        throw new UnsupportedOperationException(this + " rewrites call sites; it has no entry");
    }

    /**
     * May replace a method call. Returns true when it emitted the replacement (the original call is then
     * dropped).
     */
    boolean methodInsn(MethodVisitor mv, int opcode, String owner, String name, String descriptor) {
        return false;
    }

    /**
     * May replace {@code newarray}/{@code anewarray} ({@code opcode}); {@code type} is the element's
     * {@code T_*} code or internal name. {@code afterMathMin}: the instruction just before (with no label
     * between) was {@code invokestatic java/lang/Math.min(II)I}. {@code runningTotal}: the slot of the
     * {@code long} local, or -1.
     */
    boolean newArray(MethodVisitor mv, int opcode, Object type, boolean afterMathMin, int runningTotal) {
        return false;
    }

    /**
     * The kinds of site the method must have had rewritten (besides at least one of any kind), else its
     * class is not instrumented.
     */
    int requiredSites() {
        return 0;
    }

    /** Whether the method gets a {@code long} local, 0 at entry, that {@link #newArray} may use. */
    boolean needsRunningTotal() {
        return false;
    }

    /**
     * Whether the method has an entry call as well ({@link #entry}), whose reservation is tied to
     * {@code this} at each return ({@code GrowthHooks.bindOwner}) and abandoned if the method throws: for a
     * growth the method decides before it changes anything, such as {@code HashMap.resize}. Instance
     * methods only.
     */
    boolean hasEntry() {
        return false;
    }

    /** Emits the entry call, leaving the reservation (or {@code null}) on the stack; see {@link #hasEntry}. */
    void entry(MethodVisitor mv) {
        throw new UnsupportedOperationException();
    }

    /** Whether this call is wrapped: a refusal thrown from it runs {@link #undo} before it propagates. */
    boolean guards(int opcode, String owner, String name, String descriptor) {
        return false;
    }

    /**
     * Emits the code that undoes what the method did before a {@link #guards guarded} call was refused.
     * Stack empty before and after; may read {@code this} and the arguments, which the method never
     * reassigns.
     */
    void undo(MethodVisitor mv) {
        throw new UnsupportedOperationException();
    }

    static final String ARRAYS = "java/util/Arrays";
    static final String COPY_OF = "copyOf";
    static final String COPY_OF_BYTES = "([BI)[B";

    /**
     * Replaces {@code invokestatic java/util/Arrays.copyOf<copyOfDescriptor>} by {@code GrowthHooks.<hook>},
     * whose descriptor is the same with the buffer's owner and the point's ordinal added.
     */
    final boolean replaceCopyOf(MethodVisitor mv, int opcode, String owner, String name, String descriptor,
                                String copyOfDescriptor, String hook) {
        if (opcode != Opcodes.INVOKESTATIC || !ARRAYS.equals(owner) || !COPY_OF.equals(name)
                || !copyOfDescriptor.equals(descriptor)) {
            return false;
        }
        int close = copyOfDescriptor.indexOf(')');
        callHookWithOwner(mv, hook, copyOfDescriptor.substring(0, close) + "Ljava/lang/Object;I"
                + copyOfDescriptor.substring(close));
        return true;
    }

    /**
     * Whether {@code this} holds the buffer that grows (a builder, a writer, a collection), rather than handing
     * out the arrays it makes (a stream's read-all).
     */
    boolean thisOwnsTheBuffer() {
        return true;
    }

    /**
     * Pushes the buffer's owner ({@code this} in an instance method, else {@code null}: the hook then ties the
     * charge to the new array) and the point's ordinal, and calls {@code GrowthHooks.<hook>}.
     */
    final void callHookWithOwner(MethodVisitor mv, String hook, String descriptor) {
        if (hasThis && thisOwnsTheBuffer()) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
        } else {
            mv.visitInsn(Opcodes.ACONST_NULL);
        }
        callHook(mv, hook, descriptor);
    }

    /** Pushes the point's ordinal and calls {@code GrowthHooks.<hook>}. */
    final void callHook(MethodVisitor mv, String hook, String descriptor) {
        pushPoint(mv);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, hook, descriptor, false);
    }
}
