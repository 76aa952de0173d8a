package dev.ferry.worker.internal.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Why an installed bundle does not resolve, in an operator's words: which packages it imports in which
 * version range, and which versions the framework has. The typical case is an executor built against
 * another major version of the executor API.
 */
public final class Unresolved {
    /** The package every executor imports. */
    public static final String API_PACKAGE = "dev.ferry.executor.api";

    private static final Pattern LOW = Pattern.compile("\\(version>=([^)]+)\\)");
    private static final Pattern HIGH = Pattern.compile("\\(!\\(version>=([^)]+)\\)\\)");

    private Unresolved() {}

    /**
     * @return one line per installed bundle that imports the executor API and is not resolved, saying why
     */
    public static List<String> executorBundles(BundleContext context) {
        List<String> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.INSTALLED && imports(b, API_PACKAGE)) {
                out.add(b.getSymbolicName() + " " + b.getVersion() + " (" + b.getLocation() + ") is not resolved: "
                        + explain(context, b));
            }
        }
        return out;
    }

    /** @return the package imports no bundle satisfies, each with its range and the versions there are */
    public static String explain(BundleContext context, Bundle b) {
        BundleRevision revision = b.adapt(BundleRevision.class);
        if (revision == null) {
            return "it has been uninstalled";
        }
        FrameworkWiring framework =
                context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        List<String> missing = new ArrayList<>();
        for (BundleRequirement r : revision.getDeclaredRequirements(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (PackageNamespace.RESOLUTION_OPTIONAL.equals(
                    r.getDirectives().get(PackageNamespace.REQUIREMENT_RESOLUTION_DIRECTIVE))) {
                continue;
            }
            if (!framework.findProviders(r).isEmpty()) {
                continue;
            }
            String filter = r.getDirectives().getOrDefault(PackageNamespace.REQUIREMENT_FILTER_DIRECTIVE, "");
            String name = packageName(filter);
            TreeSet<String> there = exported(context, name);
            missing.add("it imports package " + name + " " + range(filter) + ", but "
                    + (there.isEmpty() ? "no bundle exports it" : "the worker has version " + String.join(", ", there))
                    + (name.equals(API_PACKAGE) ? " (rebuild it against the executor API the worker has)" : ""));
        }
        return missing.isEmpty()
                ? "a requirement other than a package import is missing; see the worker log"
                : String.join("; ", missing);
    }

    private static boolean imports(Bundle b, String pkg) {
        String header = b.getHeaders().get(Constants.IMPORT_PACKAGE);
        return header != null && header.contains(pkg);
    }

    private static String packageName(String filter) {
        Matcher m = Pattern.compile("\\(osgi\\.wiring\\.package=([^)]+)\\)").matcher(filter);
        return m.find() ? m.group(1) : filter;
    }

    /** The version range of an import filter, as it was written in the manifest: [1.0.0,2.0.0). */
    static String range(String filter) {
        Matcher low = LOW.matcher(filter);
        Matcher high = HIGH.matcher(filter);
        String from = low.find() ? low.group(1) : "0.0.0";
        return high.find() ? "[" + from + "," + high.group(1) + ")" : "[" + from + ",∞)";
    }

    private static TreeSet<String> exported(BundleContext context, String pkg) {
        TreeSet<String> versions = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            BundleWiring w = b.adapt(BundleWiring.class);
            if (w == null) {
                continue;
            }
            for (BundleCapability c : w.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                if (pkg.equals(c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))) {
                    versions.add(String.valueOf(c.getAttributes().get(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE)));
                }
            }
        }
        return versions;
    }
}
