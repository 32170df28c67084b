package io.heapguard.agent.bytecode;

import static io.heapguard.agent.bytecode.ByteOutput.u1;
import static io.heapguard.agent.bytecode.ByteOutput.u2;

import java.util.HashMap;
import java.util.Map;

/**
 * A class file's constant pool, read where it lies, and the entries the added code needs appended after
 * it: the existing entries keep their indices, so nothing else in the class file changes. What the added
 * code needs is appended once each, never looked for among the existing entries: a duplicate is legal
 * (JVMS 4.4), and this runs interpreted at start-up, where searching or indexing the pool (decoding its
 * strings) cost more than the whole rest of a rewrite.
 */
public final class ConstantPool {
    static final int UTF8 = 1;
    static final int INTEGER = 3;
    static final int FLOAT = 4;
    static final int LONG = 5;
    static final int DOUBLE = 6;
    static final int CLASS = 7;
    static final int STRING = 8;
    static final int FIELDREF = 9;
    static final int METHODREF = 10;
    static final int INTERFACE_METHODREF = 11;
    static final int NAME_AND_TYPE = 12;

    private final byte[] classfile;
    /** Where each entry's tag is; 0 for index 0 and the unusable slot after a long or double. */
    private final int[] offsets;
    private final String[] utf8s;
    private final int end;
    private final ByteOutput added = new ByteOutput(256);
    /** Entries looked up or appended, by a key naming kind and value. */
    private final Map<String, Integer> lookups = new HashMap<>();
    private int count;

    /** Reads the pool of {@code classfile}, which starts at byte 8. */
    public ConstantPool(byte[] classfile) {
        this.classfile = classfile;
        count = u2(classfile, 8);
        offsets = new int[count];
        utf8s = new String[count];
        byte[] b = classfile;
        int at = 10;
        for (int i = 1; i < count; i++) { // reads inlined: this runs interpreted, once per entry
            offsets[i] = at;
            int tag = b[at];
            switch (tag) {
                case UTF8 -> at += 3 + (((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff));
                case INTEGER, FLOAT, FIELDREF, METHODREF, INTERFACE_METHODREF, NAME_AND_TYPE, 17, 18 -> at += 5;
                case LONG, DOUBLE -> {
                    at += 9;
                    i++;
                }
                case CLASS, STRING, 16, 19, 20 -> at += 3;
                case 15 -> at += 4; // MethodHandle
                default -> throw new IllegalStateException("constant pool entry " + i + " has tag " + tag);
            }
        }
        end = at;
    }

    /** The offset in the class file right after the pool as read. */
    public int end() {
        return end;
    }

    public int tag(int index) {
        return u1(classfile, offsets[index]);
    }

    public String utf8(int index) {
        String s = utf8s[index];
        if (s == null) {
            int at = offsets[index];
            if (u1(classfile, at) != UTF8) {
                throw new IllegalStateException("constant pool entry " + index + " is not UTF-8");
            }
            s = ModifiedUtf8.decode(classfile, at + 3, u2(classfile, at + 1));
            utf8s[index] = s;
        }
        return s;
    }

    /** The internal name a {@code CONSTANT_Class} entry names. */
    public String className(int index) {
        return utf8(u2(classfile, offsets[index] + 1));
    }

    /** Owner, name and descriptor of a field or method reference. */
    public String refOwner(int index) {
        return className(u2(classfile, offsets[index] + 1));
    }

    public String refName(int index) {
        return utf8(u2(classfile, nameAndType(index) + 1));
    }

    public String refDescriptor(int index) {
        return utf8(u2(classfile, nameAndType(index) + 3));
    }

    private int nameAndType(int refIndex) {
        return offsets[u2(classfile, offsets[refIndex] + 3)];
    }

    /** Whether entry {@code index} is the UTF-8 of {@code value}; compares bytes, decodes nothing. */
    public boolean utf8Equals(int index, String value) {
        int at = offsets[index];
        int length = u2(classfile, at + 1);
        if (u1(classfile, at) != UTF8 || length < value.length()) {
            return false;
        }
        if (length == value.length()) { // all ASCII on both sides, or a mismatch found below
            for (int i = 0; i < length; i++) {
                if (classfile[at + 3 + i] != value.charAt(i)) {
                    return value.charAt(i) >= 0x80 && utf8(index).equals(value);
                }
            }
            return true;
        }
        return utf8(index).equals(value);
    }

    public int utf8Index(String value) {
        String key = "U" + value;
        int index = known(key);
        if (index == 0) {
            byte[] encoded = ModifiedUtf8.encode(value);
            index = append(key);
            added.u1(UTF8).u2(encoded.length).bytes(encoded, 0, encoded.length);
        }
        return index;
    }

    public int classIndex(String internalName) {
        String key = "C" + internalName;
        int index = known(key);
        if (index == 0) {
            int name = utf8Index(internalName);
            index = append(key);
            added.u1(CLASS).u2(name);
        }
        return index;
    }

    public int fieldRef(String owner, String name, String descriptor) {
        return ref(FIELDREF, owner, name, descriptor);
    }

    public int methodRef(String owner, String name, String descriptor, boolean isInterface) {
        return ref(isInterface ? INTERFACE_METHODREF : METHODREF, owner, name, descriptor);
    }

    private int ref(int tag, String owner, String name, String descriptor) {
        String key = "R" + tag + owner + '.' + name + descriptor;
        int index = known(key);
        if (index == 0) {
            int ownerIndex = classIndex(owner);
            int nameAndType = nameAndTypeIndex(name, descriptor);
            index = append(key);
            added.u1(tag).u2(ownerIndex).u2(nameAndType);
        }
        return index;
    }

    private int nameAndTypeIndex(String name, String descriptor) {
        String key = "N" + name + ' ' + descriptor;
        int index = known(key);
        if (index == 0) {
            int nameIndex = utf8Index(name);
            int descriptorIndex = utf8Index(descriptor);
            index = append(key);
            added.u1(NAME_AND_TYPE).u2(nameIndex).u2(descriptorIndex);
        }
        return index;
    }

    public int integer(int value) {
        String key = "I" + value;
        int index = known(key);
        if (index == 0) {
            index = append(key);
            added.u1(INTEGER).u4(value);
        }
        return index;
    }

    public int string(String value) {
        String key = "S" + value;
        int index = known(key);
        if (index == 0) {
            int utf8 = utf8Index(value);
            index = append(key);
            added.u1(STRING).u2(utf8);
        }
        return index;
    }

    /** The index appended under {@code key}, or 0. */
    private int known(String key) {
        Integer index = lookups.get(key);
        return index == null ? 0 : index;
    }

    /**
     * The next index, remembered under {@code key}; the caller writes the entry right after, so every
     * entry it refers to must be appended before this is called.
     */
    private int append(String key) {
        int index = count;
        if (index + 1 > 0xffff) {
            throw new IllegalStateException("the constant pool is full");
        }
        count = index + 1;
        lookups.put(key, index);
        return index;
    }

    /** Entries, appended ones included, plus one (the class file's {@code constant_pool_count}). */
    public int count() {
        return count;
    }

    /** Writes {@code constant_pool_count} and the pool, appended entries last. */
    public void writeTo(ByteOutput out) {
        out.u2(count()).bytes(classfile, 10, end - 10).bytes(added);
    }
}
