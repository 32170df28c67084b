package io.heapguard.agent.bytecode;

import static io.heapguard.agent.bytecode.ByteOutput.s4;
import static io.heapguard.agent.bytecode.ByteOutput.u2;

/**
 * A class file whose methods' {@code Code} attributes can be replaced and whose constant pool can grow,
 * everything else copied as it was. Reading it costs one pass over the pool and the member tables.
 */
public final class ClassFileEditor {
    private final byte[] b;
    private final ConstantPool pool;
    private final int methodsAt;
    private final int[] methodStart;
    private final int[] methodEnd;
    private final int[] codeAttribute;
    private final byte[][] replaced;
    private final int classAttributesAt;

    public ClassFileEditor(byte[] classfile) {
        b = classfile;
        if (s4(b, 0) != 0xCAFEBABE) {
            throw new IllegalStateException("not a class file");
        }
        pool = new ConstantPool(b);
        int at = pool.end() + 6; // access_flags, this_class, super_class
        at += 2 + 2 * u2(b, at); // interfaces
        int fields = u2(b, at);
        at += 2;
        for (int i = 0; i < fields; i++) {
            at = skipMember(at, null, 0);
        }
        methodsAt = at;
        int methods = u2(b, at);
        at += 2;
        methodStart = new int[methods];
        methodEnd = new int[methods];
        codeAttribute = new int[methods];
        replaced = new byte[methods][];
        for (int i = 0; i < methods; i++) {
            methodStart[i] = at;
            codeAttribute[i] = -1;
            at = skipMember(at, codeAttribute, i);
            methodEnd[i] = at;
        }
        classAttributesAt = at;
    }

    /** Moves past a field or method; notes where its {@code Code} attribute is in {@code code[index]}. */
    private int skipMember(int at, int[] code, int index) {
        int attributes = u2(b, at + 6);
        at += 8;
        for (int i = 0; i < attributes; i++) {
            if (code != null && "Code".equals(pool.utf8(u2(b, at)))) {
                code[index] = at;
            }
            at += 6 + s4(b, at + 2);
        }
        return at;
    }

    public byte[] classfile() {
        return b;
    }

    public ConstantPool pool() {
        return pool;
    }

    /** Internal name of the class, {@code java/util/HashMap}. */
    public String className() {
        return pool.className(u2(b, pool.end() + 2));
    }

    public int methodCount() {
        return methodStart.length;
    }

    public int access(int method) {
        return u2(b, methodStart[method]);
    }

    public String name(int method) {
        return pool.utf8(u2(b, methodStart[method] + 2));
    }

    /** Whether the method is named {@code name}, without decoding its name. */
    public boolean isNamed(int method, String name) {
        return pool.utf8Equals(u2(b, methodStart[method] + 2), name);
    }

    public String descriptor(int method) {
        return pool.utf8(u2(b, methodStart[method] + 4));
    }

    /** Where the method's {@code Code} attribute starts, or -1 (abstract, native). */
    public int codeAttribute(int method) {
        return codeAttribute[method];
    }

    /** Replaces the method's {@code Code} attribute, whole (name index and length included). */
    public void replaceCode(int method, byte[] attribute) {
        if (codeAttribute[method] < 0) {
            throw new IllegalArgumentException(name(method) + " has no code");
        }
        replaced[method] = attribute;
    }

    public byte[] toByteArray() {
        ByteOutput out = new ByteOutput(b.length + 4096);
        out.bytes(b, 0, 8);
        pool.writeTo(out);
        out.bytes(b, pool.end(), methodsAt - pool.end());
        out.u2(methodStart.length);
        for (int i = 0; i < methodStart.length; i++) {
            if (replaced[i] == null) {
                out.bytes(b, methodStart[i], methodEnd[i] - methodStart[i]);
            } else {
                int code = codeAttribute[i];
                int codeEnd = code + 6 + s4(b, code + 2);
                out.bytes(b, methodStart[i], code - methodStart[i]);
                out.bytes(replaced[i], 0, replaced[i].length);
                out.bytes(b, codeEnd, methodEnd[i] - codeEnd);
            }
        }
        out.bytes(b, classAttributesAt, b.length - classAttributesAt);
        return out.toByteArray();
    }
}
