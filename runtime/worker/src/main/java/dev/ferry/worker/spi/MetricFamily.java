package dev.ferry.worker.spi;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A metric family another bundle adds to the worker's Prometheus endpoint: register it as a service (the
 * whiteboard) and the endpoint shows it at every scrape until it is unregistered. {@link #samples()} is
 * called on the scraping thread; it must be quick and must not block. A family that throws is left out of
 * that scrape (and logged); the rest is served.
 *
 * <pre>
 * context.registerService(MetricFamily.class, new MetricFamily() { … }, null);
 * </pre>
 */
@ConsumerType
public interface MetricFamily {
    /** @return the family's name, e.g. {@code ferry_grpc_calls_total} */
    String name();

    /** @return {@code counter}, {@code gauge} or {@code untyped} */
    String type();

    /** @return the one-line help text */
    String help();

    /** @return the names of its labels, in the order of each sample's label values */
    List<String> labels();

    /** @return the samples now: label values (in the order of {@link #labels()}) to value */
    Map<List<String>, ? extends Number> samples();
}
