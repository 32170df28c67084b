package io.heapguard.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

import io.heapguard.ledger.GrowthPoint;

/**
 * Runs the instrumented {@code ArrayDeque} of the running JDK, renamed and calling {@link RecordingJdkHooks}
 * (as {@link InstrumentedByteArrayOutputStreamTest} does for ByteArrayOutputStream): the growth goes through
 * {@code copyOfRefs}, and a refused growth in {@code addFirst}/{@code addLast}, which store the element before
 * they grow, is undone.
 */
class InstrumentedArrayDequeTest {

    private static final String DEQUE = "java/util/ArrayDeque";
    private static final String RENAMED = "hgtest/ArrayDeque";
    private static Class<?> dequeClass;

    @BeforeEach
    void load() throws Exception {
        RecordingJdkHooks.reset();
        if (dequeClass == null) {
            List<Advice> advices = new ArrayList<>();
            for (Advice a : JdkAdvices.forThisJdk()) {
                if (a.owner().equals(DEQUE)) {
                    advices.add(a);
                }
            }
            assertEquals(3, advices.size(), advices.toString());
            byte[] instrumented = new GrowthTransformer(advices, line -> {
                throw new AssertionError(line);
            }).instrument(DEQUE, GrowthTransformerTest.jdkClass(DEQUE), advices);
            ClassWriter w = new ClassWriter(0);
            new ClassReader(instrumented).accept(new ClassRemapper(w, new SimpleRemapper(Map.of(
                    DEQUE, RENAMED,
                    Advice.HOOKS, RecordingJdkHooks.class.getName().replace('.', '/')))), 0);
            byte[] renamed = w.toByteArray();
            ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    if (name.equals(RENAMED.replace('/', '.'))) {
                        return defineClass(name, renamed, 0, renamed.length);
                    }
                    throw new ClassNotFoundException(name);
                }
            };
            dequeClass = Class.forName(RENAMED.replace('/', '.'), true, loader);
        }
    }

    @SuppressWarnings("unchecked")
    private static Deque<Integer> newDeque() throws Exception {
        return (Deque<Integer>) dequeClass.getConstructor(int.class).newInstance(6); // 7 slots
    }

    private static void add(Deque<Integer> q, boolean first, int v) throws Throwable {
        Method m = dequeClass.getMethod(first ? "addFirst" : "addLast", Object.class);
        try {
            m.invoke(q, v);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void aGrowthCopiesThroughTheHook() throws Throwable {
        Deque<Integer> q = newDeque();
        for (int i = 0; i < 7; i++) {
            add(q, false, i);
        }
        assertEquals(List.of("copyOfRefs(7,16,this," + GrowthPoint.ARRAY_DEQUE.ordinal() + ")"), RecordingJdkHooks.calls);
        assertEquals(7, q.size());
        assertEquals(6, q.peekLast());
    }

    @Test
    void aRefusedGrowthInAddLastTakesTheElementOutAgain() throws Throwable {
        checkRollback(false);
    }

    @Test
    void aRefusedGrowthInAddFirstTakesTheElementOutAgain() throws Throwable {
        checkRollback(true);
    }

    private static void checkRollback(boolean first) throws Throwable {
        Deque<Integer> q = newDeque();
        for (int i = 0; i < 6; i++) { // 6 of 7 slots: the next add fills the array and grows
            add(q, first, i);
        }
        RecordingJdkHooks.refusal = new IllegalStateException("refused");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> add(q, first, 99));
        assertSame(RecordingJdkHooks.refusal, e);
        assertEquals(6, q.size());
        assertEquals(first ? 5 : 0, q.peekFirst());
        assertEquals(first ? 0 : 5, q.peekLast());
        assertEquals(List.of(5, 4, 3, 2, 1, 0), first ? List.copyOf(q) : reversed(q));
        // usable: no growth needed after one is taken out; the growth goes ahead once allowed
        q.pollLast();
        add(q, first, 6);
        RecordingJdkHooks.refusal = null;
        add(q, first, 7);
        assertEquals(7, q.size());
        assertEquals(7, first ? q.peekFirst() : q.peekLast());
    }

    private static List<Integer> reversed(Deque<Integer> q) {
        List<Integer> l = new ArrayList<>();
        for (Object o : q.toArray()) {
            l.add(0, (Integer) o);
        }
        return l;
    }

    @Test
    void anExceptionOtherThanARefusalIsRethrownWithNothingUndone() throws Throwable {
        Deque<Integer> q = newDeque();
        for (int i = 0; i < 6; i++) {
            add(q, false, i);
        }
        RuntimeException other = new UnsupportedOperationException("other");
        RecordingJdkHooks.refusal = other;
        RecordingJdkHooks.calls.clear();
        assertSame(other, assertThrows(UnsupportedOperationException.class, () -> add(q, false, 99)));
        assertEquals(List.of("copyOfRefs(7,16,this," + GrowthPoint.ARRAY_DEQUE.ordinal() + ")", "isRefusal(other)"),
                RecordingJdkHooks.calls);
        assertEquals(0, q.size(), "as the JDK leaves it: full, head == tail");
    }
}
