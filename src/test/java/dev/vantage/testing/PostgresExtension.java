package dev.vantage.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives a test class a {@link TestDatabase}: a fresh database with the real migrations applied,
 * on an embedded PostgreSQL 17 shared by the test JVM. Use with {@code @ExtendWith(PostgresExtension.class)} and take
 * {@code TestDatabase} as a parameter of a {@code @BeforeAll}, constructor or test method; annotate the parameter
 * with {@link Empty} for a database without migrations, {@link Fresh} for a migrated one of its own.
 */
public final class PostgresExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);

    /** Marks a TestDatabase parameter that must have no schema yet. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.PARAMETER)
    public @interface Empty {}

    /** Marks a TestDatabase parameter that must be a migrated database of its own, not shared with the class. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.PARAMETER)
    public @interface Fresh {}

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        boolean empty = parameter.isAnnotated(Empty.class);
        boolean fresh = parameter.isAnnotated(Fresh.class);
        var classContext = context.getRoot() == context ? context : classContext(context);
        String key = empty ? "empty:" + context.getUniqueId() : fresh ? "fresh:" + context.getUniqueId() : "db";
        return classContext
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        key,
                        k -> {
                            String hint = context.getRequiredTestClass().getSimpleName();
                            return empty
                                    ? EmbeddedPostgresServer.newEmptyDatabase(hint)
                                    : EmbeddedPostgresServer.newDatabase(hint);
                        },
                        TestDatabase.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        var c = context;
        while (c.getParent().isPresent() && c.getTestMethod().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }
}
