/**
 * config.yaml, mapped onto Configuration Admin. {@code ConfigBridge} is the component and holds the refusal
 * state; {@code FileWatch} decides when the file is read (whole, stable), {@code ConfigYaml} parses it,
 * {@code Transaction} checks and writes it as one, {@code TypeGate} says what the registry may serve,
 * {@code EffectiveView} shows the result ({@code executor:config}); {@code ConfigurationChecks} registers the
 * checks of the worker's own configurations.
 */
package dev.ferry.worker.internal.config;
