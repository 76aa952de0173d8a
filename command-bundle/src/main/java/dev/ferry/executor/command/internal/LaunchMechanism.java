package dev.ferry.executor.command.internal;

import java.util.Locale;

/**
 * How the JDK starts the command executor's processes. On JDK 17 to 21 on Linux the default (posix_spawn
 * of a helper that then execs the program) costs about twice as much per task as vfork, which the JDK
 * used by default before 12 and which is safe for its own use here; later JDKs deprecate VFORK, so they
 * keep their default. An operator's {@code -Djdk.lang.Process.launchMechanism} always wins.
 *
 * <p>The JDK reads the property once, when the first process of the JVM starts: this bundle sets it
 * before its own first process. In the standalone worker nothing starts a process earlier; embedded
 * elsewhere, a process started before this bundle fixes the JDK's choice, which {@link #describe} cannot
 * see, so set the property on the command line there.
 */
final class LaunchMechanism {
    static final String PROPERTY = "jdk.lang.Process.launchMechanism";

    private LaunchMechanism() {}

    /** Chooses VFORK where it is the faster one and nobody chose; idempotent. */
    static synchronized void choose() {
        if (System.getProperty(PROPERTY) == null
                && Runtime.version().feature() <= 21
                && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            System.setProperty(PROPERTY, "VFORK");
        }
    }

    /** @return the mechanism asked for, for health: {@code launch: VFORK} or {@code launch: the JDK's default} */
    static String describe() {
        String m = System.getProperty(PROPERTY);
        return "launch: " + (m == null ? "the JDK's default" : m);
    }
}
