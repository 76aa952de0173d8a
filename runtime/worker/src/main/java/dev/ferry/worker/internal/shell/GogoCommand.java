package dev.ferry.worker.internal.shell;

import org.osgi.service.component.annotations.ComponentPropertyType;

/** Registers a component's public methods as Gogo shell commands. */
@ComponentPropertyType
@interface GogoCommand {
    String PREFIX_ = "osgi.command.";

    String scope();

    String[] function();
}
