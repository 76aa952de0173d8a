package dev.ferry.worker.internal.config;

import dev.ferry.executor.api.Executor;
import dev.ferry.support.Configs;
import dev.ferry.worker.internal.config.ConfigYaml.Entry;
import dev.ferry.worker.internal.config.ConfigYaml.Parsed;
import dev.ferry.worker.internal.config.ConfigYaml.Section;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

/** The effective configuration, as {@code executor:config} shows it: each key's value and where it comes from. */
final class EffectiveView {
    private final CmLookup lookup;
    private final Supplier<Parsed> applied;

    /** @param applied the config.yaml applied now */
    EffectiveView(CmLookup lookup, Supplier<Parsed> applied) {
        this.lookup = lookup;
        this.applied = applied;
    }

    /**
     * The effective configuration of a PID, secrets masked, with where each value comes from.
     *
     * @param defaults the metatype's keys and defaults (empty when there is no metatype), in order
     * @param secretKeys keys the metatype marks as passwords
     */
    List<ConfigBridge.Setting> effective(
            String pid, String factoryName, Map<String, String> defaults, java.util.Set<String> secretKeys)
            throws IOException, InvalidSyntaxException {
        List<Configuration> found = lookup.configurations(pid, factoryName);
        Dictionary<String, Object> props = found.isEmpty() ? null : found.get(0).getProperties();
        Map<String, Object> set = new TreeMap<>();
        if (props != null) {
            for (String k : java.util.Collections.list(props.keys())) {
                if (!k.startsWith("service.") && !k.startsWith("felix.") && !k.equals(Configs.ORIGIN)) {
                    set.put(k, props.get(k));
                }
            }
        }
        Section section = sectionFor(pid, factoryName);
        String cfgFile = props == null || props.get("felix.fileinstall.filename") == null
                ? null
                : Configs.source(pid, Map.of("felix.fileinstall.filename", props.get("felix.fileinstall.filename")));
        List<ConfigBridge.Setting> out = new ArrayList<>();
        Map<String, String> keys = new LinkedHashMap<>(defaults);
        set.keySet().forEach(k -> keys.putIfAbsent(k, null));
        for (Map.Entry<String, String> k : keys.entrySet()) {
            String key = k.getKey();
            boolean secret = secretKeys.contains(key);
            if (!set.containsKey(key)) {
                out.add(new ConfigBridge.Setting(
                        key, k.getValue() == null ? "" : Secrets.show(key, secret, k.getValue()), "default"));
                continue;
            }
            Object value = set.get(key);
            String source;
            Entry fromYaml = section == null ? null : section.entries().get(key);
            if (fromYaml != null && sameValue(fromYaml.value(), value)) {
                source = "config.yaml line " + fromYaml.line();
            } else if (props.get(Configs.ORIGIN) != null) {
                // config.yaml wrote this configuration, and something changed it since (Karaf's config:
                // commands, which also write it back to a .cfg file, the web console)
                source = "set at runtime (config.yaml sets it again when it changes)";
            } else if (cfgFile != null) {
                source = cfgFile;
            } else {
                source = "set at runtime (Configuration Admin)";
            }
            out.add(new ConfigBridge.Setting(key, Secrets.show(key, secret, value), source));
        }
        return out;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Object[] x && b instanceof Object[] y) {
            return Arrays.equals(x, y);
        }
        return Objects.equals(a, b);
    }

    private Section sectionFor(String pid, String factoryName) {
        Parsed p = applied.get();
        if (factoryName != null) {
            return ConfigBridge.DATASOURCE_FACTORY_PID.equals(pid)
                    ? p.datasources().get(factoryName)
                    : null;
        }
        for (Map.Entry<String, String> w : ConfigYaml.WORKER_SECTIONS.entrySet()) {
            if (w.getValue().equals(pid)) {
                return p.worker().get(w.getKey());
            }
        }
        for (Map.Entry<String, Section> e : p.executors().entrySet()) {
            if (lookup.pidOf(e.getKey()).equals(pid)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** @return the datasource names configured now (factory configurations of {@value ConfigBridge#DATASOURCE_FACTORY_PID}) */
    List<String> datasourceNames() throws IOException, InvalidSyntaxException {
        Configuration[] found =
                lookup.cm().listConfigurations("(service.factoryPid=" + ConfigBridge.DATASOURCE_FACTORY_PID + ")");
        List<String> names = new ArrayList<>();
        if (found != null) {
            for (Configuration c : found) {
                Object n = c.getProperties() == null ? null : c.getProperties().get("name");
                if (n != null) {
                    names.add(n.toString());
                }
            }
        }
        names.sort(null);
        return names;
    }

    /** @return the configuration PID of each task type served or named in config.yaml */
    Map<String, String> typePids() {
        Map<String, String> out = new TreeMap<>();
        try {
            for (ServiceReference<Executor> ref : lookup.context().getServiceReferences(Executor.class, null)) {
                Object type = ref.getProperty(Executor.TYPE);
                if (type != null) {
                    out.put(type.toString(), lookup.pidOf(type.toString()));
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        applied.get().executors().keySet().forEach(t -> out.putIfAbsent(t, lookup.pidOf(t)));
        return out;
    }
}
