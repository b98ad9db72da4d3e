package org.bosun.itest.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An {@link E2eCase} test that runs only in {@link Mode#AGENT}: its subject is code that is the same
 * in both modes (the image store, a format's parser, the core's app operations), so a second run
 * in-process would test that code again at five to fifteen times the cost (every in-process command
 * boots a platform). What differs in-process (the launcher's exec, exit codes, the caller's streams,
 * signals, the pod outliving its caller) keeps its tests in both modes; the reason says why this one
 * does not need it. The test is not reported as skipped in-process: it does not exist there.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AgentModeOnly {
    /** Why the in-process run would add nothing: what this test checks that does not depend on the mode. */
    String value();
}
