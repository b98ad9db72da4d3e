package org.bosun.itest;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * The base of the pax-exam tests: one framework per test class with the platform that ships
 * ({@link Platform#configuration()}), the tests run inside it with its bundle context, and each
 * test gets a temporary directory of its own, deleted afterwards (after the subclass's own
 * {@code @After} methods).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class PlatformCase {

    @Inject
    protected BundleContext context;

    protected Path tmp;

    @Configuration
    public Option[] config() throws Exception {
        return Platform.configuration();
    }

    @Before
    public void createTemporaryDirectory() throws Exception {
        tmp = Files.createTempDirectory("bosun-itest-" + getClass().getSimpleName() + "-");
    }

    @After
    public void deleteTemporaryDirectory() {
        Platform.deleteQuietly(tmp);
    }
}
