package org.bosun.itest.e2e;

import java.util.List;

import org.junit.runner.Runner;
import org.junit.runners.model.FrameworkMethod;
import org.junit.runners.model.InitializationError;
import org.junit.runners.parameterized.BlockJUnit4ClassRunnerWithParameters;
import org.junit.runners.parameterized.ParametersRunnerFactory;
import org.junit.runners.parameterized.TestWithParameters;

/**
 * Runs an {@link E2eCase} class once per {@link Mode}, leaving out of the in-process run the tests
 * marked {@link AgentModeOnly}.
 */
public final class ModeRunnerFactory implements ParametersRunnerFactory {
    @Override
    public Runner createRunnerForTestWithParameters(TestWithParameters test) throws InitializationError {
        boolean inProcess = test.getParameters().contains(Mode.IN_PROCESS);
        return new BlockJUnit4ClassRunnerWithParameters(test) {
            @Override
            protected List<FrameworkMethod> computeTestMethods() {
                List<FrameworkMethod> methods = super.computeTestMethods();
                return inProcess
                        ? methods.stream().filter(m -> m.getAnnotation(AgentModeOnly.class) == null).toList()
                        : methods;
            }
        };
    }
}
