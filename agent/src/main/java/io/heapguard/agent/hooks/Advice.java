package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import io.heapguard.agent.bytecode.IntConstant;
import io.heapguard.ledger.GrowthPoint;

/**
 * How one JDK method is guarded: the method (owner, name, descriptor, static or not) and the call into
 * {@code io.heapguard.internal.GrowthHooks} made at its entry. {@link EntryWeaver} does the
 * rest, the same for every advice: keep what the entry call returned in a new local, hand it to
 * {@code GrowthHooks.bind} with the new object at each return, to {@code GrowthHooks.abandon} when the
 * body throws.
 *
 * <p>Retransformation may change method bodies only, so an advice adds no field or method. A method
 * returning a reference binds the returned value; a {@code void} method says with
 * {@link #pushAllocated} where the new object is.
 */
public abstract class Advice {

    /** The one class instrumented JDK code may call; defined in the bootstrap class loader. */
    static final String HOOKS = "io/heapguard/internal/GrowthHooks";
    static final String BIND = "bind";
    static final String BIND_OWNER = "bindOwner";
    static final String BIND_DESCRIPTOR = "(Ljava/lang/Object;Ljava/lang/Object;)V";
    static final String ABANDON = "abandon";
    static final String ABANDON_DESCRIPTOR = "(Ljava/lang/Object;)V";

    private final String owner;
    private final String name;
    private final String descriptor;
    private final boolean isStatic;
    private final GrowthPoint point;

    /**
     * @param owner      internal name of the JDK class, {@code java/io/ByteArrayOutputStream}
     * @param name       method name
     * @param descriptor method descriptor; the return type is {@code void} or a reference
     * @param isStatic   whether the method is static (part of the match: the entry code reads arguments)
     * @param point      the growth point charged
     */
    protected Advice(String owner, String name, String descriptor, boolean isStatic, GrowthPoint point) {
        int sort = Type.getReturnType(descriptor).getSort();
        if (sort != Type.VOID && sort != Type.OBJECT && sort != Type.ARRAY) {
            throw new IllegalArgumentException("an advised method returns void or a reference: " + descriptor);
        }
        this.owner = owner;
        this.name = name;
        this.descriptor = descriptor;
        this.isStatic = isStatic;
        this.point = point;
    }

    /**
     * Emits the entry call: leaves the reservation ({@code Object}, possibly {@code null}) on the operand
     * stack, or throws the refusal before anything is allocated. Uses only the arguments (and
     * {@code this}), whose local slots it may read.
     */
    abstract void enter(MethodVisitor mv);

    /** For a {@code void} method: pushes the object the growth allocated, at a return. */
    void pushAllocated(MethodVisitor mv) {
        throw new UnsupportedOperationException(this + " returns a value, which is what gets bound");
    }

    /**
     * {@code bind} ties the charge to the object pushed; {@code bindOwner} to the object holding the new
     * array, which is what growths with an owner must use (see {@code GrowthHooks.bindOwner}).
     */
    String bindMethod() {
        return BIND;
    }

    public final String owner() {
        return owner;
    }

    public final String name() {
        return name;
    }

    public final String descriptor() {
        return descriptor;
    }

    public final GrowthPoint point() {
        return point;
    }

    final boolean matches(int access, String methodName, String methodDescriptor) {
        return name.equals(methodName) && descriptor.equals(methodDescriptor)
                && ((access & Opcodes.ACC_STATIC) != 0) == isStatic
                && (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
    }

    /** {@code java.io.ByteArrayOutputStream.ensureCapacity(int)}. */
    public final String javaSignature() {
        StringBuilder sb = new StringBuilder(owner.replace('/', '.')).append('.').append(name).append('(');
        Type[] args = Type.getArgumentTypes(descriptor);
        for (int i = 0; i < args.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(args[i].getClassName());
        }
        return sb.append(')').toString();
    }

    @Override
    public String toString() {
        return javaSignature() + " -> " + point.targetName();
    }

    /** Pushes the growth point's ordinal, the argument by which one hook serves several points. */
    final void pushPoint(MethodVisitor mv) {
        IntConstant.push(mv, point.ordinal());
    }
}
