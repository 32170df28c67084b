package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardAgent;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Matches when the heapguard agent runs in this JVM ({@code -javaagent:heapguard-agent.jar}). */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(ConditionalOnHeapGuardAgent.AgentCondition.class)
public @interface ConditionalOnHeapGuardAgent {

    /** The condition behind the annotation. */
    class AgentCondition extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return HeapGuardAgent.isRunning()
                    ? ConditionOutcome.match("the heapguard agent runs in this JVM")
                    : ConditionOutcome.noMatch("the heapguard agent does not run in this JVM (no -javaagent:heapguard-agent.jar)");
        }
    }
}
